// Config registries: JSON configs, validated and dispatched on a discriminator field.
//
// A config base is a registry (see <speculators/registry.hpp>) whose classes are plain
// structs. Each field is declared once, with its JSON name, member, description and
// constraints; that one declaration drives parsing, dumping, validation and JSON Schema.
// The base names the discriminator field that says which class a JSON object is:
//
//   #include <speculators/config.hpp>
//
//   struct TokenProposalConfig : speculators::ConfigRegistryMixin<TokenProposalConfig> {
//     static constexpr std::string_view schema_discriminator = "proposal_type";
//   };
//
//   struct GreedyConfig : speculators::ConfigOf<GreedyConfig, TokenProposalConfig> {
//     int speculative_tokens = 5;
//     int verifier_accept_k = 1;
//     static constexpr auto fields = speculators::fields(
//         speculators::field("speculative_tokens", &GreedyConfig::speculative_tokens,
//                            "tokens the speculator proposes per verifier pass").minimum(1),
//         speculators::field("verifier_accept_k", &GreedyConfig::verifier_accept_k,
//                            "the verifier's top-k the proposed token must fall within").minimum(1));
//   };
//   SPECULATORS_REGISTER(TokenProposalConfig, GreedyConfig, "greedy");
//
//   auto cfg = TokenProposalConfig::from_json({{"proposal_type", "greedy"}, {"speculative_tokens", 3}});
//   nlohmann::json back = cfg->to_json();  // {"proposal_type":"greedy","speculative_tokens":3,"verifier_accept_k":1}
//   nlohmann::json schema = TokenProposalConfig::json_schema();  // JSON Schema draft 2020-12
//
// The registry key of a class is its discriminator value. Missing fields take the
// struct's defaults (a field declared .required() must be present). Bad input throws one
// ConfigError that lists every problem, each with the JSON pointer of the value at fault:
//
//   /speculative_tokens: expected an integer, got string
//   /speculative_tokn: unknown field; the fields are "speculative_tokens", "verifier_accept_k"
//
// A config class derives from its base through ConfigOf<Self, Parent>; Parent is the base or
// another config class, whose fields Self inherits. The base may declare fields too: every
// class of the registry has them. Field types: bool, integers, floating point, std::string,
// enums named by `config_enum_names` (below), std::vector<T>, std::optional<T> (null is
// empty), a struct with its own `fields`, and std::unique_ptr<OtherBase> of another (or the
// same) config registry, whose discriminator then picks the nested class (null is empty).
// Raw JSON is kept verbatim: nlohmann::json holds any value, nlohmann::json::object_t any object.
//
// Components are built from their configs: a registry whose constructor argument is the
// config base builds the class registered under the config's discriminator value.
//
//   struct TokenProposal
//       : speculators::ClassRegistryMixin<TokenProposal, const TokenProposalConfig&> {
//     virtual ~TokenProposal() = default;
//   };
//   struct Greedy : TokenProposal {
//     explicit Greedy(const TokenProposalConfig& c) : config(speculators::config_cast<GreedyConfig>(c)) {}
//     GreedyConfig config;
//   };
//   SPECULATORS_REGISTER(TokenProposal, Greedy, "greedy");
//   std::unique_ptr<TokenProposal> p = speculators::create_from_config<TokenProposal>(*cfg);
//
// Discovery works as for every registry: a base with `registry_auto_discovery = true` and
// an `auto_package` loads its config classes from plugins before the first lookup.
//
// Guarantees
//  - No partly built object escapes: on any problem, from_json throws and frees what it built.
//  - No input crashes or hangs: wrong types, integers that do not fit, non-finite numbers and
//    nesting deeper than ParseOptions::max_depth are reported as problems.
//  - Thread safety: as the registry's; parsing, dumping and schemas share no mutable state.
//  - Config classes may live in plugins: their parsing code calls the registry library only
//    through a table the host hands it, so a plugin needs no link to the library.
#pragma once

#include <speculators/registry.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace speculators {

namespace detail {
struct ConfigClass;

// The polymorphic root of every config base (declared here because the mixin derives from it).
class ConfigObject {
 public:
  virtual ~ConfigObject() = default;
  // If the compiler stops here saying your config class is abstract: derive it through
  // speculators::ConfigOf<YourConfig, Parent> instead of from Parent directly.
  virtual const ConfigClass& config_class() const noexcept = 0;

 protected:
  ConfigObject() = default;
  ConfigObject(const ConfigObject&) = default;
  ConfigObject& operator=(const ConfigObject&) = default;
};
}  // namespace detail

/// One thing wrong with a config: where (a JSON pointer, "" for the root) and what.
struct ConfigProblem {
  std::string pointer;
  std::string message;
};

/// A config that does not parse or validate. `problems()` lists the problems found, up to
/// ParseOptions::max_problems; `problem_count()` counts all of them.
class ConfigError : public RegistryError {
 public:
  /// @param registry      the registry key of the config base
  /// @param problem_count every problem found, when more were found than `problems` keeps
  ConfigError(const std::string& message, std::string registry, std::vector<ConfigProblem> problems,
              std::size_t problem_count = 0)
      : RegistryError(message, std::move(registry)),
        problems_(std::move(problems)),
        problem_count_(std::max(problem_count, problems_.size())) {}
  const std::vector<ConfigProblem>& problems() const noexcept { return problems_; }
  std::size_t problem_count() const noexcept { return problem_count_; }

 private:
  std::vector<ConfigProblem> problems_;
  std::size_t problem_count_;
};

/// How strict from_json is.
struct ParseOptions {
  /// Keys that name no field are problems unless this is set; then they are ignored. Classes
  /// that ignore or keep unknown fields (see UnknownFields) do so whatever this says.
  bool allow_unknown_fields = false;
  /// Nested configs deeper than this are a problem (a guard against hostile input).
  std::size_t max_depth = 64;
  /// The problems a ConfigError keeps; the others are only counted, so that a config with
  /// millions of bad values costs memory in proportion to its text, not to its problems.
  std::size_t max_problems = 100;
};

/// Limits on a field's value; the schema states them too.
struct FieldLimits {
  std::optional<double> minimum, maximum;             ///< numbers, and each number in an array
  std::optional<std::size_t> min_length, max_length;  ///< strings, in Unicode code points
  std::optional<std::size_t> min_items, max_items;    ///< arrays
  bool required = false;                              ///< a config without the field is a problem
};

/// One field of a config: JSON name, member, description and limits. Made by `field()`; the
/// limit setters return a copy, so they chain in a constant expression.
template <class Class, class Member>
struct Field {
  using member_type = Member;
  std::string_view name;
  Member Class::*member;
  std::string_view description;
  FieldLimits limits{};

  constexpr Field minimum(double v) const { return with(&FieldLimits::minimum, v); }
  constexpr Field maximum(double v) const { return with(&FieldLimits::maximum, v); }
  constexpr Field min_length(std::size_t v) const { return with(&FieldLimits::min_length, v); }
  constexpr Field max_length(std::size_t v) const { return with(&FieldLimits::max_length, v); }
  constexpr Field min_items(std::size_t v) const { return with(&FieldLimits::min_items, v); }
  constexpr Field max_items(std::size_t v) const { return with(&FieldLimits::max_items, v); }
  constexpr Field required() const { return with(&FieldLimits::required, true); }

 private:
  template <class L, class V>
  constexpr Field with(L FieldLimits::*limit, V v) const {
    Field f = *this;
    f.limits.*limit = v;
    return f;
  }
};

/// Declares a field: `field("json_name", &Config::member, "what it means")`.
template <class Class, class Member>
constexpr Field<Class, Member> field(std::string_view name, Member Class::*member, std::string_view description) {
  return Field<Class, Member>{name, member, description};
}

/// The fields of a config, for `static constexpr auto fields = speculators::fields(...);`.
template <class... Fs>
constexpr std::tuple<Fs...> fields(Fs... fs) {
  return std::tuple<Fs...>{fs...};
}

/// What from_json does with the keys of an object that name none of its class's fields, like
/// pydantic's `extra`. A class states it with `static constexpr auto unknown_fields = ...;`
/// (derived classes inherit it); without one, unknown fields are refused.
///
///   static constexpr auto unknown_fields = speculators::UnknownFields::ignore;
///   nlohmann::json::object_t extra;  // keep: every unknown field, verbatim, written back by to_json
///   static constexpr auto unknown_fields = speculators::keep_unknown_fields(&MyConfig::extra);
enum class UnknownFields {
  refuse,  ///< each one is a problem (the default), unless ParseOptions::allow_unknown_fields is set
  ignore,  ///< dropped
  keep,    ///< kept in a member, see keep_unknown_fields()
};

/// The `unknown_fields` policy that keeps unknown fields in `member`, an
/// `nlohmann::json::object_t` that is not itself a declared field.
template <class Class>
struct KeepUnknownFields {
  nlohmann::json::object_t Class::*member;
};
template <class Class>
constexpr KeepUnknownFields<Class> keep_unknown_fields(nlohmann::json::object_t Class::*member) {
  return {member};
}

namespace detail {
struct ConfigContext;
}
template <class Base>
class ConfigRegistryMixin;

/// Where a config's cross-field checks report problems. A class (base, config class or plain
/// struct) may declare `void validate(speculators::ConfigChecks& checks) const;`. from_json calls
/// it once the object, and everything nested in it, parsed without a problem; the checks of its
/// parent classes run first:
///
///   void validate(speculators::ConfigChecks& checks) const {
///     if (norm_before_fc && fc_norm) checks.problem("/fc_norm", "cannot be true with norm_before_fc");
///   }
///
/// JSON Schema cannot state such rules: the schema accepts what the fields allow, and from_json
/// also applies these checks.
class ConfigChecks {
 public:
  explicit ConfigChecks(detail::ConfigContext& context) : context_(context) {}
  /// Records a problem at `pointer`, a JSON pointer relative to the object being checked ("" for
  /// the object itself, "/field" or "/field/0" below it).
  void problem(std::string_view pointer, std::string message);

  /// The discriminator value of a nested config ("greedy"), as its discriminator_value() gives it.
  template <class Base>
  std::string_view discriminator_of(const ConfigRegistryMixin<Base>& config) const;

 private:
  detail::ConfigContext& context_;
};

// An enum field is a string in JSON. Name the values with a function found by argument-
// dependent lookup, next to the enum:
//
//   enum class Sampling { greedy, nucleus };
//   constexpr auto config_enum_names(Sampling) {
//     return std::array{std::pair{Sampling::greedy, "greedy"}, std::pair{Sampling::nucleus, "nucleus"}};
//   }

/// Gives `Base` a registry of config classes, dispatched on `Base::schema_discriminator`.
///
/// Use it as a CRTP base: `struct Base : ConfigRegistryMixin<Base> { static constexpr
/// std::string_view schema_discriminator = "type"; };`. Everything ClassRegistryMixin offers
/// (registry_name, registry_auto_discovery, auto_package, ...) applies. Config classes derive
/// through ConfigOf and are registered with SPECULATORS_REGISTER; they are built with no
/// constructor arguments.
template <class Base>
class ConfigRegistryMixin : public ClassRegistryMixin<Base>, public detail::ConfigObject {
 public:
  using config_base = Base;

  /// Builds the config that `json[schema_discriminator]` names.
  /// @throws ConfigError listing every problem: not an object, missing or unknown
  ///         discriminator, wrong types, values out of range, unknown fields
  /// @throws PluginLoadError when discovery is on and a plugin failed
  /// Example: `auto c = TokenProposalConfig::from_json(nlohmann::json::parse(text));`
  static std::unique_ptr<Base> from_json(const nlohmann::json& input, const ParseOptions& options = {});

  /// The config as JSON: the discriminator and every field. `from_json(c.to_json())` equals `c`.
  /// @throws ConfigError when the object's class is not registered in this registry
  nlohmann::json to_json() const;

  /// The key this object's class is registered under, e.g. "greedy".
  /// @throws ConfigError when the class is not registered in this registry
  std::string_view discriminator_value() const;

  /// A JSON Schema (draft 2020-12) accepting exactly the configs from_json accepts with
  /// default options: one branch per registered class, selected by a `const` discriminator.
  static nlohmann::json json_schema();

  /// The registry's parsing table, kept by the store so that code without this type (the
  /// command-line tool, config_schema(key)) can reach the registry by its key.
  static const void* registry_extension() noexcept;
};

/// The base of a config class `Self`: `struct Greedy : ConfigOf<Greedy, TokenProposalConfig>`.
/// `Parent` is the config base or another config class; `Self` has Parent's fields and its own.
template <class Self, class Parent>
class ConfigOf : public Parent {
 public:
  using config_parent = Parent;

  /// Builds a `Self` (or a class derived from it). The discriminator may be left out; when
  /// present it must name `Self` or a class derived from it.
  /// @throws ConfigError as ConfigRegistryMixin::from_json, and when the discriminator names
  ///         another class (e.g. "sampling" asked of GreedyConfig)
  static std::unique_ptr<Self> from_json(const nlohmann::json& input, const ParseOptions& options = {});

  const detail::ConfigClass& config_class() const noexcept override;
};

/// `config` as its derived class `Derived`.
/// @throws ConfigError naming both classes when `config` is not a `Derived`
/// Example: `const GreedyConfig& g = speculators::config_cast<GreedyConfig>(base_config);`
template <class Derived, class Base>
const Derived& config_cast(const ConfigRegistryMixin<Base>& config);

/// Builds the `Component` registered under the config's discriminator value, passing it the
/// config. `Component` is a registry whose constructor argument is `const ConfigBase&`.
/// @throws UnknownKeyError when no component is registered under that value
/// Example: `auto p = speculators::create_from_config<TokenProposal>(*config);`
template <class Component, class Base>
std::unique_ptr<Component> create_from_config(const ConfigRegistryMixin<Base>& config);

// --- config registries by key, for code that does not have their types ------

/// The keys of the config registries this process knows: those with a class registered in
/// the program or in a loaded plugin, sorted.
std::vector<std::string> config_registries();

/// The JSON Schema of the config registry `registry_key`, as its json_schema() gives it.
/// @throws UnknownKeyError naming the known config registries when there is no such registry
nlohmann::json config_schema(std::string_view registry_key);

/// Parses and validates `config` with the config registry `registry_key` and returns it as
/// to_json() writes it: the discriminator and every field, defaults filled in.
/// @throws ConfigError listing every problem; UnknownKeyError as config_schema()
nlohmann::json normalize_config(std::string_view registry_key, const nlohmann::json& config,
                                const ParseOptions& options = {});

/// Parses the JSON text of a config as nlohmann::json::parse does, but refuses what that lets
/// through silently: a key twice in one object (the last would win) is a problem with the
/// pointer of the second. Text that is not JSON and numbers too large for a double are
/// problems too, with the pointer of the value they stop at.
/// @throws ConfigError listing them (its registry is "")
/// Example: `auto c = TokenProposalConfig::from_json(speculators::parse_config_text(text));`
nlohmann::json parse_config_text(std::string_view text, const ParseOptions& options = {});

/// Reads the file `path` and parses it with parse_config_text().
/// @throws ConfigError "cannot read <path>: <the system's reason>", or as parse_config_text()
nlohmann::json read_config_file(const std::filesystem::path& path, const ParseOptions& options = {});

}  // namespace speculators

// ===========================================================================
// Implementation details. Nothing below is part of the public API.
// ===========================================================================

namespace speculators::detail {

using json = nlohmann::json;
struct ConfigContext;

/// What a config class can do, type-erased: one static table per class.
struct ConfigClass {
  std::string_view type_name;
  /// Reads the fields present in `json` into `object`, skipping the key `skip`.
  void (*parse)(ConfigObject& object, const json& value, ConfigContext& context, std::string_view skip);
  /// Writes every field into the JSON object `out`.
  void (*dump)(const ConfigObject& object, json& out, ConfigContext& context);
  /// Adds the fields to `schema["properties"]`; `defaults` is a default-built object.
  void (*schema)(const ConfigObject& defaults, json& schema, ConfigContext& context);
};

/// A config registry, as the library's type-erased core sees it.
struct RegistryRef {
  std::string_view key;
  std::string_view signature;
  std::string_view discriminator;
  DiscoverySpec discovery;
  ConfigObject* (*instantiate)(ErasedFactory factory);
};

/// What `ConfigOf<Self>::from_json` accepts.
struct ClassCheck {
  std::string_view type_name;
  bool (*accepts)(const ConfigObject& object);
};

/// Registry lookups, supplied by the library: config code reaches the library only
/// through this table, so config classes compiled into plugins need no link to it.
struct ConfigServices {
  /// Parses a discriminated object of `registry`; null (and problems recorded) on failure.
  ConfigObject* (*parse)(const RegistryRef& registry, const json& value, ConfigContext& context);
  /// Dumps `object`, discriminator first. @throws ConfigError when its class is not registered
  void (*dump)(const RegistryRef& registry, const ConfigObject& object, json& out, ConfigContext& context);
  /// Adds `registry`'s schema to the context's $defs once and returns a $ref to it.
  json (*schema_ref)(const RegistryRef& registry, ConfigContext& context);
  /// The key `object`'s class is registered under. @throws ConfigError when it is not registered
  std::string_view (*key)(const RegistryRef& registry, const ConfigObject& object);
};

/// State of one from_json, to_json or json_schema call.
struct ConfigContext {
  const ConfigServices* services = nullptr;
  ParseOptions options{};
  std::string pointer;  ///< JSON pointer of the value being parsed
  std::size_t depth = 0;
  std::vector<ConfigProblem> problems;  ///< the first options.max_problems
  json defs = json::object();           ///< the schema's $defs
  std::size_t omitted_problems = 0;     ///< the problems found after the first options.max_problems

  /// Every problem found, kept or not: what tells whether a value parsed without problems.
  std::size_t problem_total() const noexcept { return problems.size() + omitted_problems; }

  void problem(std::string message) {
    if (problems.size() < options.max_problems) {
      problems.push_back(ConfigProblem{pointer, std::move(message)});
    } else {
      ++omitted_problems;
    }
  }
};

/// Appends `key` to a JSON pointer as one segment ('~' and '/' escaped).
inline void append_pointer_segment(std::string& pointer, std::string_view key) {
  pointer += '/';
  for (const char c : key) {
    if (c == '~') {
      pointer += "~0";
    } else if (c == '/') {
      pointer += "~1";
    } else {
      pointer += c;
    }
  }
}

/// Appends a segment to the context's pointer for its lifetime.
class PointerSegment {
 public:
  PointerSegment(ConfigContext& context, std::string_view key) : context_(context), size_(context.pointer.size()) {
    append_pointer_segment(context.pointer, key);
  }
  PointerSegment(ConfigContext& context, std::size_t index) : PointerSegment(context, std::to_string(index)) {}
  ~PointerSegment() { context_.pointer.resize(size_); }
  PointerSegment(const PointerSegment&) = delete;
  PointerSegment& operator=(const PointerSegment&) = delete;

 private:
  ConfigContext& context_;
  std::size_t size_;
};

}  // namespace speculators::detail

inline void speculators::ConfigChecks::problem(std::string_view pointer, std::string message) {
  const std::size_t size = context_.pointer.size();
  context_.pointer += pointer;
  context_.problem(std::move(message));
  context_.pointer.resize(size);
}

namespace speculators::detail {

// The library's side (src/config.cpp): the services table and the entry points the typed
// layer calls. Only code of the host (never a plugin's config class) calls these.
std::unique_ptr<ConfigObject> parse_config(const RegistryRef& registry, const json& value, const ParseOptions& options,
                                           const ClassCheck* expected);
json dump_config(const RegistryRef& registry, const ConfigObject& object);
std::string_view config_key(const RegistryRef& registry, const ConfigObject& object);
json config_schema(const RegistryRef& registry);
// Inline, so that config_cast works in a plugin too (a plugin does not link the library).
[[noreturn]] inline void throw_bad_config_cast(std::string_view registry, std::string_view expected,
                                               std::string_view actual) {
  throw ConfigError("speculators: the config is " + std::string(actual) + ", not " + std::string(expected) +
                        " (registry \"" + std::string(registry) + "\"); the component and the config disagree",
                    std::string(registry), {});
}

// --- type categories -------------------------------------------------------

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_unique_ptr : std::false_type {};
template <class T, class D>
struct is_unique_ptr<std::unique_ptr<T, D>> : std::true_type {};

template <class T>
concept integer = std::is_integral_v<T> && !std::is_same_v<T, bool>;
template <class T>
concept named_enum = std::is_enum_v<T> && requires(T e) {
  config_enum_names(e);
};
template <class T>
concept config_base = std::is_base_of_v<ConfigObject, T> && requires {
  typename T::config_base;
} && std::is_same_v<typename T::config_base, T>;
template <class T>
concept plain_config = std::is_class_v<T> && !std::is_base_of_v<ConfigObject, T> && requires {
  T::fields;
};

// A class's unknown_fields policy; refuse when it states none.
template <class T>
constexpr UnknownFields unknown_field_policy() {
  if constexpr (!requires { T::unknown_fields; }) {
    return UnknownFields::refuse;
  } else if constexpr (std::is_same_v<std::remove_cv_t<decltype(T::unknown_fields)>, UnknownFields>) {
    static_assert(T::unknown_fields != UnknownFields::keep,
                  "speculators: to keep unknown fields, name the member that holds them: "
                  "static constexpr auto unknown_fields = speculators::keep_unknown_fields(&Config::member);");
    return T::unknown_fields;
  } else {
    return UnknownFields::keep;
  }
}

template <class Base>
ConfigObject* instantiate_config(ErasedFactory factory) {
  return reinterpret_cast<TypedFactory<Base>>(factory)();
}

template <class Base>
constexpr RegistryRef make_registry_ref() noexcept {
  static_assert(
      requires { Base::schema_discriminator; },
      "speculators: a config base must declare static constexpr std::string_view schema_discriminator");
  return RegistryRef{registry_key_of<Base>(), signature_of<Base>::value, Base::schema_discriminator,
                     discovery_spec_of<Base>(), &instantiate_config<Base>};
}

template <class Base>
inline constexpr RegistryRef registry_ref = make_registry_ref<Base>();

// --- the fields of a class, inherited ones first ---------------------------

// Whether T declares `fields` itself rather than inheriting its parent's.
template <class T>
constexpr bool inherits_parent_fields() {
  if constexpr (
      requires { typename T::config_parent; } && requires { T::config_parent::fields; }) {
    if constexpr (std::is_same_v<decltype(&T::fields), decltype(&T::config_parent::fields)>) {
      return &T::fields == &T::config_parent::fields;
    }
  }
  return false;  // a root, a parent without fields of its own, or fields of another type
}

template <class T>
constexpr bool declares_fields() {
  if constexpr (!requires { T::fields; }) {
    return false;
  } else {
    return !inherits_parent_fields<T>();
  }
}

template <class T, class F>
constexpr void for_each_field(F&& f) {
  if constexpr (requires { typename T::config_parent; }) for_each_field<typename T::config_parent>(f);
  if constexpr (declares_fields<T>()) std::apply([&](const auto&... field) { (f(field), ...); }, T::fields);
}

// Runs the `validate` hook of T and of each parent declaring its own, parents first.
template <class T>
void run_validate_hooks(const T& object, ConfigChecks& checks) {
  if constexpr (requires { typename T::config_parent; }) run_validate_hooks<typename T::config_parent>(object, checks);
  if constexpr (requires { &T::validate; }) {
    if constexpr (std::is_same_v<decltype(&T::validate), void (T::*)(ConfigChecks&) const>) object.T::validate(checks);
  }
}

// --- values: parse, dump, schema, one overload set per type category -------

inline std::string code_points_text(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " character" : " characters");
}

// The offset of the first byte of `s` that is not part of well-formed UTF-8 (no overlong
// forms, no surrogates, nothing past U+10FFFF); npos when there is none. A json value built
// in code may hold any bytes, and nlohmann::json refuses to dump them.
inline std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b = byte(i);
    std::size_t length = 1;
    unsigned char low = 0x80;  // the allowed range of the second byte
    unsigned char high = 0xBF;
    if (b < 0x80) {
      ++i;
      continue;
    }
    if (b >= 0xC2 && b <= 0xDF) {
      length = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      length = 3;
      low = b == 0xE0 ? 0xA0 : 0x80;
      high = b == 0xED ? 0x9F : 0xBF;
    } else if (b >= 0xF0 && b <= 0xF4) {
      length = 4;
      low = b == 0xF0 ? 0x90 : 0x80;
      high = b == 0xF4 ? 0x8F : 0xBF;
    } else {
      return i;
    }
    if (i + length > s.size() || byte(i + 1) < low || byte(i + 1) > high) return i;
    for (std::size_t k = 2; k < length; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80) return i;
    }
    i += length;
  }
  return std::string_view::npos;
}

inline std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// A bound or value as JSON: integral values without a ".0", so that "minimum": 1 reads as written.
inline json number_json(double v) {
  if (std::trunc(v) == v && std::fabs(v) < 0x1p53) return static_cast<std::int64_t>(v);
  return v;
}

inline std::string number_text(double v) { return number_json(v).dump(); }

inline void wrong_type(ConfigContext& context, std::string_view expected, const json& j) {
  context.problem("expected " + std::string(expected) + ", got " + j.type_name());
}

inline void check_bounds(ConfigContext& context, double value, const FieldLimits& limits) {
  if (limits.minimum && value < *limits.minimum)
    context.problem("must be >= " + number_text(*limits.minimum) + ", got " + number_text(value));
  if (limits.maximum && value > *limits.maximum)
    context.problem("must be <= " + number_text(*limits.maximum) + ", got " + number_text(value));
}

template <class T>
std::string range_text() {
  return "must be between " + std::to_string(std::numeric_limits<T>::min()) + " and " +
         std::to_string(std::numeric_limits<T>::max());
}

template <class T>
void parse_value(T& out, const json& j, const FieldLimits& limits, ConfigContext& context);
template <class T>
void dump_value(const T& value, json& out, ConfigContext& context);
template <class T>
json value_schema(const FieldLimits& limits, ConfigContext& context);

template <class T>
void parse_fields(T& object, const json& j, ConfigContext& context, std::string_view skip) {
  if (!j.is_object()) return wrong_type(context, "an object", j);
  const std::size_t problems_before = context.problem_total();
  constexpr UnknownFields policy = unknown_field_policy<T>();
  if (policy == UnknownFields::keep || (policy == UnknownFields::refuse && !context.options.allow_unknown_fields)) {
    for (const auto& item : j.items()) {
      const std::string& key = item.key();
      bool known = key == skip;
      for_each_field<T>([&](const auto& f) { known = known || f.name == key; });
      if (known) continue;
      if constexpr (policy == UnknownFields::keep) {
        (object.*T::unknown_fields.member)[key] = item.value();
      } else {
        std::string names;
        for_each_field<T>([&](const auto& f) { names += (names.empty() ? "\"" : ", \"") + std::string(f.name) + '"'; });
        const PointerSegment at(context, key);
        context.problem(names.empty() ? "unknown field; this config has no fields"
                                      : "unknown field; the fields are " + names);
      }
    }
  }
  for_each_field<T>([&](const auto& f) {
    const auto it = j.find(f.name);
    if (it != j.end()) {
      const PointerSegment at(context, f.name);
      parse_value(object.*f.member, *it, f.limits, context);
    } else if (f.limits.required) {
      const PointerSegment at(context, f.name);
      context.problem(f.description.empty() ? std::string("missing; this field is required")
                                            : "missing; this field is required: " + std::string(f.description));
    }
  });
  if (context.problem_total() != problems_before) return;
  ConfigChecks checks(context);
  run_validate_hooks(object, checks);
}

template <class T>
void dump_fields(const T& object, json& out, ConfigContext& context) {
  for_each_field<T>([&](const auto& f) { dump_value(object.*f.member, out[std::string(f.name)], context); });
  if constexpr (unknown_field_policy<T>() == UnknownFields::keep) {
    for (const auto& [key, value] : object.*T::unknown_fields.member) out[key] = value;
  }
}

template <class T>
void fields_schema(const T& defaults, json& schema, ConfigContext& context) {
  json& properties = schema["properties"];
  if (!properties.is_object()) properties = json::object();
  for_each_field<T>([&](const auto& f) {
    using M = typename std::remove_cvref_t<decltype(f)>::member_type;
    json s = value_schema<M>(f.limits, context);
    if (!f.description.empty()) s["description"] = f.description;
    if (f.limits.required) {
      schema["required"].push_back(f.name);
    } else {
      dump_value(defaults.*f.member, s["default"], context);
    }
    properties[std::string(f.name)] = std::move(s);
  });
  schema["additionalProperties"] = unknown_field_policy<T>() != UnknownFields::refuse;
}

template <class T>
void parse_value(T& out, const json& j, const FieldLimits& limits, ConfigContext& context) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) return wrong_type(context, "a boolean", j);
    out = j.get<bool>();
  } else if constexpr (integer<T>) {
    std::int64_t s = 0;
    std::uint64_t u = 0;
    bool is_signed = true;
    if (j.is_number_unsigned()) {
      u = j.get<std::uint64_t>();
      is_signed = false;
    } else if (j.is_number_integer()) {
      s = j.get<std::int64_t>();
    } else if (j.is_number_float()) {
      const double d = j.get<double>();
      if (!std::isfinite(d)) return context.problem("expected an integer, got a non-finite number");
      if (std::trunc(d) != d) return context.problem("expected an integer, got " + number_text(d));
      if (d >= -0x1p63 && d < 0x1p63) {
        s = static_cast<std::int64_t>(d);
      } else if (d >= 0 && d < 0x1p64) {
        u = static_cast<std::uint64_t>(d);
        is_signed = false;
      } else {
        return context.problem(range_text<T>() + ", got " + number_text(d));
      }
    } else {
      return wrong_type(context, "an integer", j);
    }
    if (is_signed ? !std::in_range<T>(s) : !std::in_range<T>(u))
      return context.problem(range_text<T>() + ", got " + j.dump());
    const T value = is_signed ? static_cast<T>(s) : static_cast<T>(u);
    const std::size_t before = context.problem_total();
    check_bounds(context, static_cast<double>(value), limits);
    if (context.problem_total() == before) out = value;
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!j.is_number()) return wrong_type(context, "a number", j);
    const double d = j.get<double>();
    if (!std::isfinite(d)) return context.problem("expected a finite number");
    if (std::fabs(d) > static_cast<double>(std::numeric_limits<T>::max()))
      return context.problem("out of range for a " + std::to_string(sizeof(T) * 8) + "-bit number, got " +
                             number_text(d));
    const std::size_t before = context.problem_total();
    check_bounds(context, d, limits);
    if (context.problem_total() == before) out = static_cast<T>(d);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) return wrong_type(context, "a string", j);
    const auto& s = j.get_ref<const std::string&>();
    if (const std::size_t at = invalid_utf8_at(s); at != std::string_view::npos)
      return context.problem("not valid UTF-8 (byte " + std::to_string(at) + " of the string); configs are JSON text");
    const std::size_t n = code_points(s);
    if (limits.min_length && n < *limits.min_length)
      return context.problem("must have at least " + code_points_text(*limits.min_length) + ", got " +
                             std::to_string(n));
    if (limits.max_length && n > *limits.max_length)
      return context.problem("must have at most " + code_points_text(*limits.max_length) + ", got " +
                             std::to_string(n));
    out = s;
  } else if constexpr (std::is_same_v<T, json>) {
    out = j;
  } else if constexpr (std::is_same_v<T, json::object_t>) {
    if (!j.is_object()) return wrong_type(context, "an object", j);
    out = j.get_ref<const json::object_t&>();
  } else if constexpr (named_enum<T>) {
    if (!j.is_string()) return wrong_type(context, "a string", j);
    const auto& s = j.get_ref<const std::string&>();
    std::string names;
    for (const auto& [value, name] : config_enum_names(T{})) {
      if (s == std::string_view(name)) {
        out = value;
        return;
      }
      names += (names.empty() ? "\"" : ", \"") + std::string(name) + '"';
    }
    context.problem("unknown value " + j.dump(-1, ' ', false, json::error_handler_t::replace) + "; expected one of " +
                    names);
  } else if constexpr (is_vector<T>::value) {
    if (!j.is_array()) return wrong_type(context, "an array", j);
    if (limits.min_items && j.size() < *limits.min_items)
      context.problem("must have at least " + std::to_string(*limits.min_items) + " items, got " +
                      std::to_string(j.size()));
    if (limits.max_items && j.size() > *limits.max_items)
      return context.problem("must have at most " + std::to_string(*limits.max_items) + " items, got " +
                             std::to_string(j.size()));
    T items;
    items.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) {
      const PointerSegment at(context, i);
      typename T::value_type item{};
      parse_value(item, j[i], limits, context);
      items.push_back(std::move(item));
    }
    out = std::move(items);
  } else if constexpr (is_optional<T>::value) {
    if (j.is_null()) {
      out.reset();
    } else {
      typename T::value_type value{};
      const std::size_t before = context.problem_total();
      parse_value(value, j, limits, context);
      if (context.problem_total() == before) out = std::move(value);
    }
  } else if constexpr (is_unique_ptr<T>::value) {
    using B = typename T::element_type;
    static_assert(config_base<B>,
                  "speculators: a std::unique_ptr field must point to a config base (a class deriving from "
                  "ConfigRegistryMixin<itself>)");
    if (j.is_null()) {
      out.reset();
    } else {
      out.reset(static_cast<B*>(context.services->parse(registry_ref<B>, j, context)));
    }
  } else if constexpr (plain_config<T>) {
    if (context.depth >= context.options.max_depth)
      return context.problem("nested deeper than " + std::to_string(context.options.max_depth) + " levels");
    ++context.depth;
    parse_fields(out, j, context, {});
    --context.depth;
  } else {
    static_assert(sizeof(T) == 0,
                  "speculators: unsupported field type; use bool, an integer, a floating-point type, std::string, "
                  "an enum with config_enum_names, std::vector, std::optional, a struct with its own fields, "
                  "std::unique_ptr to a config base, nlohmann::json or nlohmann::json::object_t");
  }
}

template <class T>
void dump_value(const T& value, json& out, ConfigContext& context) {
  if constexpr (named_enum<T>) {
    out = nullptr;
    for (const auto& [v, name] : config_enum_names(T{}))
      if (v == value) out = std::string_view(name);
  } else if constexpr (is_vector<T>::value) {
    out = json::array();
    for (const auto& item : value) dump_value(item, out.emplace_back(), context);
  } else if constexpr (is_optional<T>::value) {
    if (value) {
      dump_value(*value, out, context);
    } else {
      out = nullptr;
    }
  } else if constexpr (is_unique_ptr<T>::value) {
    if (value) {
      context.services->dump(registry_ref<typename T::element_type>, *value, out, context);
    } else {
      out = nullptr;
    }
  } else if constexpr (plain_config<T>) {
    out = json::object();
    dump_fields(value, out, context);
  } else {
    out = value;
  }
}

template <class T>
json value_schema(const FieldLimits& limits, ConfigContext& context) {
  json s = json::object();
  const auto add_bounds = [&](json& target) {
    if (limits.minimum) target["minimum"] = number_json(*limits.minimum);
    if (limits.maximum) target["maximum"] = number_json(*limits.maximum);
  };
  if constexpr (std::is_same_v<T, bool>) {
    s["type"] = "boolean";
  } else if constexpr (integer<T>) {
    s["type"] = "integer";
    add_bounds(s);
    // The type's own range, which from_json enforces, as exact integers (64-bit ones too: a
    // validator reading numbers as doubles may round the last of them).
    using Wide = std::conditional_t<std::is_signed_v<T>, std::int64_t, std::uint64_t>;
    constexpr Wide lo = std::numeric_limits<T>::min();
    constexpr Wide hi = std::numeric_limits<T>::max();
    if (!limits.minimum || *limits.minimum <= static_cast<double>(lo)) s["minimum"] = lo;
    if (!limits.maximum || *limits.maximum >= static_cast<double>(hi)) s["maximum"] = hi;
  } else if constexpr (std::is_floating_point_v<T>) {
    s["type"] = "number";
    add_bounds(s);
    // The type's finite range, which from_json enforces (a long double's exceeds any JSON number).
    if constexpr (sizeof(T) <= sizeof(double)) {
      constexpr double hi = std::numeric_limits<T>::max();
      if (!limits.minimum || *limits.minimum <= -hi) s["minimum"] = -hi;
      if (!limits.maximum || *limits.maximum >= hi) s["maximum"] = hi;
    }
  } else if constexpr (std::is_same_v<T, std::string>) {
    s["type"] = "string";
    if (limits.min_length) s["minLength"] = *limits.min_length;
    if (limits.max_length) s["maxLength"] = *limits.max_length;
  } else if constexpr (std::is_same_v<T, json::object_t>) {
    s["type"] = "object";
  } else if constexpr (named_enum<T>) {
    s["type"] = "string";
    json names = json::array();
    for (const auto& [value, name] : config_enum_names(T{})) names.push_back(std::string_view(name));
    s["enum"] = std::move(names);
  } else if constexpr (is_vector<T>::value) {
    s["type"] = "array";
    s["items"] = value_schema<typename T::value_type>(limits, context);
    if (limits.min_items) s["minItems"] = *limits.min_items;
    if (limits.max_items) s["maxItems"] = *limits.max_items;
  } else if constexpr (is_optional<T>::value) {
    s["anyOf"] = json::array({value_schema<typename T::value_type>(limits, context), {{"type", "null"}}});
  } else if constexpr (is_unique_ptr<T>::value) {
    s["anyOf"] = json::array(
        {context.services->schema_ref(registry_ref<typename T::element_type>, context), {{"type", "null"}}});
  } else if constexpr (plain_config<T>) {
    s["type"] = "object";
    s["title"] = short_type_name<T>();
    fields_schema(T{}, s, context);
  }
  return s;
}

// --- the per-class table ---------------------------------------------------

template <class Self>
struct ConfigClassOf {
  static void parse(ConfigObject& object, const json& j, ConfigContext& context, std::string_view skip) {
    parse_fields(static_cast<Self&>(object), j, context, skip);
  }
  static void dump(const ConfigObject& object, json& out, ConfigContext& context) {
    dump_fields(static_cast<const Self&>(object), out, context);
  }
  static void schema(const ConfigObject& defaults, json& s, ConfigContext& context) {
    fields_schema(static_cast<const Self&>(defaults), s, context);
  }
  static bool accepts(const ConfigObject& object) { return dynamic_cast<const Self*>(&object) != nullptr; }

  static constexpr bool discriminator_is_not_a_field = [] {
    bool ok = true;
    for_each_field<Self>([&](const auto& f) { ok = ok && f.name != Self::config_base::schema_discriminator; });
    return ok;
  }();
  static_assert(discriminator_is_not_a_field,
                "speculators: a field of this config has the name of the base's schema_discriminator");

  static constexpr ConfigClass table{type_name<Self>(), &parse, &dump, &schema};
};

}  // namespace speculators::detail

namespace speculators {

// Through the services table, so that checks compiled into a plugin need no link to the library.
template <class Base>
std::string_view ConfigChecks::discriminator_of(const ConfigRegistryMixin<Base>& config) const {
  return context_.services->key(detail::registry_ref<Base>, config);
}

template <class Base>
std::unique_ptr<Base> ConfigRegistryMixin<Base>::from_json(const nlohmann::json& input, const ParseOptions& options) {
  std::unique_ptr<detail::ConfigObject> object =
      detail::parse_config(detail::registry_ref<Base>, input, options, nullptr);
  return std::unique_ptr<Base>(static_cast<Base*>(object.release()));
}

template <class Base>
nlohmann::json ConfigRegistryMixin<Base>::to_json() const {
  return detail::dump_config(detail::registry_ref<Base>, *this);
}

template <class Base>
std::string_view ConfigRegistryMixin<Base>::discriminator_value() const {
  return detail::config_key(detail::registry_ref<Base>, *this);
}

template <class Base>
nlohmann::json ConfigRegistryMixin<Base>::json_schema() {
  return detail::config_schema(detail::registry_ref<Base>);
}

template <class Base>
const void* ConfigRegistryMixin<Base>::registry_extension() noexcept {
  return &detail::registry_ref<Base>;
}

template <class Self, class Parent>
std::unique_ptr<Self> ConfigOf<Self, Parent>::from_json(const nlohmann::json& input, const ParseOptions& options) {
  static constexpr detail::ClassCheck check{type_name<Self>(), &detail::ConfigClassOf<Self>::accepts};
  std::unique_ptr<detail::ConfigObject> object =
      detail::parse_config(detail::registry_ref<typename Parent::config_base>, input, options, &check);
  return std::unique_ptr<Self>(static_cast<Self*>(object.release()));
}

template <class Self, class Parent>
const detail::ConfigClass& ConfigOf<Self, Parent>::config_class() const noexcept {
  return detail::ConfigClassOf<Self>::table;
}

template <class Derived, class Base>
const Derived& config_cast(const ConfigRegistryMixin<Base>& config) {
  static_assert(std::is_base_of_v<Base, Derived>, "speculators: config_cast to a class outside the config's registry");
  if (const auto* derived = dynamic_cast<const Derived*>(&config)) return *derived;
  detail::throw_bad_config_cast(detail::registry_key_of<Base>(), type_name<Derived>(), config.config_class().type_name);
}

template <class Component, class Base>
std::unique_ptr<Component> create_from_config(const ConfigRegistryMixin<Base>& config) {
  static_assert(std::is_same_v<typename Component::class_info, ClassInfo<Component, const Base&>>,
                "speculators: create_from_config needs a component registry built from the config base: "
                "ClassRegistryMixin<Component, const ConfigBase&>");
  return Component::create(config.discriminator_value(), static_cast<const Base&>(config));
}

}  // namespace speculators
