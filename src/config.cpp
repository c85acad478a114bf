// The type-erased core of config registries: discriminator dispatch, the schema's
// registry and class definitions, and every error text of configs.
#include <speculators/config.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <system_error>

#include "messages.hpp"
#include "store.hpp"

namespace speculators::detail {

namespace {

constexpr std::string_view schema_dialect = "https://json-schema.org/draft/2020-12/schema";

// The registry's store, after discovery when the base asks for it (as create() does).
RegistryStore& discovered_store(const RegistryRef& registry) {
  RegistryStore& store = registry_store(registry.key, registry.signature);
  if (registry.discovery.enabled && !is_populated(store)) populate(store, registry.discovery, true);
  return store;
}

std::vector<std::string_view> keys_of(const RegistryStore& store) {
  std::vector<std::string_view> keys;
  for (std::size_t i = 0; i < entry_count(store); ++i) keys.push_back(entry_at(store, i)->record.name);
  return keys;
}

std::string joined_quoted(const std::vector<std::string_view>& keys) {
  std::string out;
  for (const std::string_view key : keys) out += (out.empty() ? "" : ", ") + quoted(key);
  return out;
}

const Entry* entry_of_type(const RegistryStore& store, std::string_view type) {
  for (std::size_t i = 0; i < entry_count(store); ++i) {
    const Entry* entry = entry_at(store, i);
    if (entry->record.type_name == type) return entry;
  }
  return nullptr;
}

// A $defs name: the characters a URI fragment takes as they are, '_' for the others.
std::string def_name(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const bool plain =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!plain) c = '_';
  }
  return out;
}

std::string unknown_value_message(const RegistryRef& registry, std::string_view value, const RegistryStore& store) {
  const std::vector<std::string_view> keys = keys_of(store);
  std::string text = "unknown " + std::string(registry.discriminator) + " " + quoted(value);
  if (keys.empty()) return text + "; nothing is registered in registry " + quoted(registry.key);
  text += "; registered: " + joined_quoted(keys);
  const std::vector<std::string_view> close = closest_keys(value, keys);
  if (!close.empty()) text += " (did you mean " + joined_quoted(close) + "?)";
  return text;
}

std::string problems_message(std::string_view registry, const ConfigContext& context) {
  const std::size_t count = context.problem_total();
  std::string text =
      registry.empty() ? std::string("invalid config") : "invalid config for registry " + quoted(registry);
  text += " (" + std::to_string(count) + (count == 1 ? " problem):" : " problems):");
  for (const ConfigProblem& p : context.problems)
    text += "\n  " + (p.pointer.empty() ? "(root)" : p.pointer) + ": " + p.message;
  if (context.omitted_problems > 0) text += "\n  and " + std::to_string(context.omitted_problems) + " more";
  return text;
}

// Throws the context's problems, if it has any, as one ConfigError.
void throw_problems(std::string_view registry, ConfigContext& context) {
  if (context.problems.empty() && context.omitted_problems == 0) return;
  const std::string message = problems_message(registry, context);
  const std::size_t count = context.problem_total();
  throw ConfigError(message, std::string(registry), std::move(context.problems), count);
}

// Reads the file `path` whole into `text`. @returns the system's reason when it cannot, else "".
std::string read_whole_file(const std::string& path, std::string& text) {
  struct Close {
    void operator()(std::FILE* f) const { static_cast<void>(std::fclose(f)); }
  };
  errno = 0;
  const std::unique_ptr<std::FILE, Close> file(std::fopen(path.c_str(), "rb"));
  if (!file) return std::generic_category().message(errno);
  std::array<char, 65536> buffer{};
  for (std::size_t n = 0; (n = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0;)
    text.append(buffer.data(), n);
  if (std::ferror(file.get()) != 0) return std::generic_category().message(errno);
  return {};
}

// nlohmann's text of an exception without its "[json.exception.parse_error.101] " prefix.
std::string json_error_text(const std::exception& e) {
  const std::string_view what = e.what();
  const std::size_t end = what.starts_with('[') ? what.find("] ") : std::string_view::npos;
  return std::string(end == std::string_view::npos ? what : what.substr(end + 2));
}

// Builds the value as nlohmann::json::parse does, and reports what that lets through: a key
// twice in one object. The context's pointer follows the value being read, so that every
// problem, a syntax error too, says where it is.
class CheckedParse {
 public:
  explicit CheckedParse(ConfigContext& context) : context_(context) {}
  json& result() { return root_; }

  bool null() { return add(nullptr) != nullptr; }
  bool boolean(bool v) { return add(v) != nullptr; }
  bool number_integer(json::number_integer_t v) { return add(v) != nullptr; }
  bool number_unsigned(json::number_unsigned_t v) { return add(v) != nullptr; }
  bool number_float(json::number_float_t v, const std::string& /*text*/) { return add(v) != nullptr; }
  bool string(std::string& v) { return add(std::move(v)) != nullptr; }
  bool binary(json::binary_t& v) { return add(std::move(v)) != nullptr; }
  bool start_object(std::size_t /*size*/) { return open(json::object()); }
  bool start_array(std::size_t /*size*/) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(std::string& k) {
    Container& top = open_.back();
    context_.pointer.resize(top.pointer_size);
    append_pointer_segment(context_.pointer, k);
    if (top.value->contains(k)) {
      context_.problem("duplicate key; a key may appear once in an object (parsers disagree on which one wins)");
    }
    key_ = std::move(k);
    return true;
  }

  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/, const nlohmann::detail::exception& e) {
    // The value that was to come: in an array, the next item (an object's comes with its key).
    if (!open_.empty() && open_.back().value->is_array()) {
      context_.pointer.resize(open_.back().pointer_size);
      append_pointer_segment(context_.pointer, std::to_string(open_.back().items));
    }
    const bool syntax = dynamic_cast<const nlohmann::json::parse_error*>(&e) != nullptr;
    context_.problem((syntax ? "not JSON: " : "") + json_error_text(e));
    return false;
  }

 private:
  struct Container {
    json* value;
    std::size_t pointer_size;  ///< the pointer's length up to this container
    std::size_t items = 0;     ///< an array's items so far
  };

  // Places `value` where the text puts it (the root, the next item of an array, the member
  // named by the last key) and points the context's pointer at it.
  json* add(json value) {
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Container& top = open_.back();
    if (top.value->is_array()) {
      context_.pointer.resize(top.pointer_size);
      append_pointer_segment(context_.pointer, std::to_string(top.items++));
      top.value->push_back(std::move(value));
      return &top.value->back();
    }
    json& member = (*top.value)[key_];
    member = std::move(value);
    return &member;
  }

  bool open(json empty) {
    json* value = add(std::move(empty));
    open_.push_back({value, context_.pointer.size()});
    return true;
  }

  bool close() {
    open_.pop_back();
    context_.pointer.resize(open_.empty() ? 0 : open_.back().pointer_size);
    return true;
  }

  ConfigContext& context_;
  json root_;
  std::vector<Container> open_;
  std::string key_;
};

ConfigObject* parse_checked(const RegistryRef& registry, const json& j, ConfigContext& context,
                            const ClassCheck* expected) {
  if (context.depth >= context.options.max_depth) {
    context.problem("nested deeper than " + std::to_string(context.options.max_depth) + " levels");
    return nullptr;
  }
  if (!j.is_object()) {
    context.problem("expected an object with a " + quoted(registry.discriminator) + " field, got " + j.type_name());
    return nullptr;
  }
  RegistryStore& store = discovered_store(registry);
  const Entry* entry = nullptr;
  {
    const PointerSegment at(context, registry.discriminator);
    const auto it = j.find(std::string(registry.discriminator));
    if (it == j.end() && expected != nullptr) {
      entry = entry_of_type(store, expected->type_name);
      if (entry == nullptr) {
        context.problem("missing, and " + std::string(expected->type_name) + " is not registered in registry " +
                        quoted(registry.key));
        return nullptr;
      }
    } else if (it == j.end()) {
      const std::vector<std::string_view> keys = keys_of(store);
      context.problem(keys.empty() ? "missing; nothing is registered in registry " + quoted(registry.key)
                                   : "missing; expected one of " + joined_quoted(keys));
      return nullptr;
    } else if (!it->is_string()) {
      context.problem("expected a string, got " + std::string(it->type_name()));
      return nullptr;
    } else {
      const std::string& value = it->get_ref<const std::string&>();
      entry = find_entry(store, value);
      if (entry == nullptr) {
        rethrow_deferred_errors(store);
        context.problem(unknown_value_message(registry, value, store));
        return nullptr;
      }
    }
  }
  std::unique_ptr<ConfigObject> object(registry.instantiate(load_factory(*entry)));
  if (expected != nullptr && !expected->accepts(*object)) {
    const PointerSegment at(context, registry.discriminator);
    context.problem(quoted(entry->record.name) + " is " + std::string(entry->record.type_name) + ", not " +
                    std::string(expected->type_name) + " or a class derived from it");
    return nullptr;
  }
  ++context.depth;
  object->config_class().parse(*object, j, context, registry.discriminator);
  --context.depth;
  return object.release();
}

ConfigObject* parse_nested(const RegistryRef& registry, const json& j, ConfigContext& context) {
  return parse_checked(registry, j, context, nullptr);
}

void dump_nested(const RegistryRef& registry, const ConfigObject& object, json& out, ConfigContext& context) {
  out = json::object();
  out[std::string(registry.discriminator)] = config_key(registry, object);
  object.config_class().dump(object, out, context);
}

json schema_ref(const RegistryRef& registry, ConfigContext& context) {
  const std::string name = def_name(registry.key);
  json ref = {{"$ref", "#/$defs/" + name}};
  if (context.defs.contains(name)) return ref;
  context.defs[name] = json::object();  // taken now: a registry's configs may nest the registry itself

  const std::string discriminator(registry.discriminator);
  const RegistryStore& store = discovered_store(registry);
  json branches = json::array();
  json names = json::array();
  for (std::size_t i = 0; i < entry_count(store); ++i) {
    const Entry* entry = entry_at(store, i);
    const std::unique_ptr<ConfigObject> defaults(registry.instantiate(load_factory(*entry)));
    json cls = {{"type", "object"}, {"title", entry->record.name}, {"description", entry->record.description}};
    cls["properties"][discriminator] = {{"const", entry->record.name}};
    cls["required"] = json::array({discriminator});
    defaults->config_class().schema(*defaults, cls, context);  // adds the required fields and additionalProperties
    const std::string class_def = name + "." + def_name(entry->record.name);
    context.defs[class_def] = std::move(cls);
    branches.push_back({{"$ref", "#/$defs/" + class_def}});
    names.push_back(entry->record.name);
  }
  json def = {{"title", registry.key}, {"type", "object"}, {"required", json::array({discriminator})}};
  def["properties"][discriminator] = {{"enum", names}};
  if (branches.empty()) {
    def["not"] = json::object();  // nothing registered: nothing is valid
  } else {
    def["oneOf"] = std::move(branches);
  }
  context.defs[name] = std::move(def);
  return ref;
}

constexpr ConfigServices services{&parse_nested, &dump_nested, &schema_ref, &config_key};

ConfigContext new_context(const ParseOptions& options = {}) {
  ConfigContext context;
  context.services = &services;
  context.options = options;
  return context;
}

}  // namespace

std::unique_ptr<ConfigObject> parse_config(const RegistryRef& registry, const json& value, const ParseOptions& options,
                                           const ClassCheck* expected) {
  ConfigContext context = new_context(options);
  std::unique_ptr<ConfigObject> object(parse_checked(registry, value, context, expected));
  throw_problems(registry.key, context);
  return object;
}

json dump_config(const RegistryRef& registry, const ConfigObject& object) {
  ConfigContext context = new_context();
  json out;
  dump_nested(registry, object, out, context);
  return out;
}

std::string_view config_key(const RegistryRef& registry, const ConfigObject& object) {
  // No discovery here: an object's class is registered before the object can exist,
  // unless it was never registered at all.
  const std::string_view type = object.config_class().type_name;
  const Entry* entry = entry_of_type(registry_store(registry.key, registry.signature), type);
  if (entry == nullptr) {
    throw ConfigError(std::string(type) + " is not registered in registry " + quoted(registry.key) + ", so it has no " +
                          quoted(registry.discriminator) + " value; register it with SPECULATORS_REGISTER",
                      std::string(registry.key), {});
  }
  return entry->record.name;
}

json config_schema(const RegistryRef& registry) {
  ConfigContext context = new_context();
  json ref = schema_ref(registry, context);
  json root = {{"$schema", schema_dialect}, {"title", registry.key}};
  root["$ref"] = std::move(ref["$ref"]);
  root["$defs"] = std::move(context.defs);
  return root;
}

}  // namespace speculators::detail

namespace speculators {

namespace {

// The config registry `key`, from the table its classes brought (see EntryFields::extension).
const detail::RegistryRef& config_registry(std::string_view key) {
  for (detail::RegistryStore* store : detail::all_stores()) {
    if (store->key != key) continue;
    if (const void* extension = store->extension.load(std::memory_order_acquire)) {
      return *static_cast<const detail::RegistryRef*>(extension);
    }
  }
  std::vector<std::string> known = config_registries();
  std::string text = "speculators: no config registry " + detail::quoted(key) + " is known to this process";
  if (known.empty()) {
    text += "; none is: load the plugins that hold config classes first";
  } else {
    std::vector<std::string_view> views(known.begin(), known.end());
    const std::vector<std::string_view> close = detail::closest_keys(key, views);
    if (!close.empty()) text += ". Did you mean " + detail::quoted(close.front()) + "?";
    text += " Known config registries:";
    for (const std::string& k : known) text.append(" ").append(detail::quoted(k));
  }
  throw UnknownKeyError(text, std::string(key), {});
}

}  // namespace

std::vector<std::string> config_registries() {
  std::vector<std::string> keys;
  for (detail::RegistryStore* store : detail::all_stores()) {
    if (store->extension.load(std::memory_order_acquire) != nullptr) keys.push_back(store->key);
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

nlohmann::json config_schema(std::string_view registry_key) {
  return detail::config_schema(config_registry(registry_key));
}

nlohmann::json normalize_config(std::string_view registry_key, const nlohmann::json& config,
                                const ParseOptions& options) {
  const detail::RegistryRef& registry = config_registry(registry_key);
  const std::unique_ptr<detail::ConfigObject> object = detail::parse_config(registry, config, options, nullptr);
  return detail::dump_config(registry, *object);
}

nlohmann::json parse_config_text(std::string_view text, const ParseOptions& options) {
  detail::ConfigContext context = detail::new_context(options);
  detail::CheckedParse parse(context);
  nlohmann::json::sax_parse(text, &parse);
  detail::throw_problems({}, context);
  return std::move(parse.result());
}

nlohmann::json read_config_file(const std::filesystem::path& path, const ParseOptions& options) {
  std::string text;
  if (std::string problem = detail::read_whole_file(path.string(), text); !problem.empty()) {
    const std::string message = "cannot read " + path.string() + ": " + problem;
    throw ConfigError(message, {}, {{"", message}});
  }
  try {
    return parse_config_text(text, options);
  } catch (const ConfigError& e) {  // the same problems, with the file they are in
    throw ConfigError(path.string() + ": " + e.what(), e.registry(), e.problems(), e.problem_count());
  }
}

}  // namespace speculators
