// The type-erased core of config registries: discriminator dispatch, the schema's
// registry and class definitions, and every error text of configs.
#include <speculators/config.hpp>

#include <algorithm>

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
  for (std::size_t i = 0; i < entry_count(store); ++i) keys.push_back(entry_at(store, i)->name);
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
    if (entry->type_name == type) return entry;
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

std::string problems_message(std::string_view registry, const std::vector<ConfigProblem>& problems) {
  std::string text = "invalid config for registry " + quoted(registry) + " (" + std::to_string(problems.size()) +
                     (problems.size() == 1 ? " problem):" : " problems):");
  for (const ConfigProblem& p : problems)
    text += "\n  " + (p.pointer.empty() ? "(root)" : p.pointer) + ": " + p.message;
  return text;
}

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
    context.problem(quoted(entry->name) + " is " + std::string(entry->type_name) + ", not " +
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
    json cls = {{"type", "object"}, {"title", entry->name}, {"description", entry->description}};
    cls["properties"][discriminator] = {{"const", entry->name}};
    cls["required"] = json::array({discriminator});
    defaults->config_class().schema(*defaults, cls, context);  // adds the required fields and additionalProperties
    const std::string class_def = name + "." + def_name(entry->name);
    context.defs[class_def] = std::move(cls);
    branches.push_back({{"$ref", "#/$defs/" + class_def}});
    names.push_back(entry->name);
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
  if (!context.problems.empty()) {
    const std::string message = problems_message(registry.key, context.problems);
    throw ConfigError(message, std::string(registry.key), std::move(context.problems));
  }
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
  return entry->name;
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

}  // namespace speculators
