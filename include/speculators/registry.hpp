// speculators-registry: a registry of named implementations for any base class.
//
// A base class inherits ClassRegistryMixin and gets its own registry. Each
// implementation registers itself with one line, and callers build instances by
// name, typically a name read from a config file:
//
//   #include <speculators/registry.hpp>
//
//   struct Algorithm : speculators::ClassRegistryMixin<Algorithm> {
//     virtual ~Algorithm() = default;
//     virtual int run() = 0;
//   };
//   struct Concrete : Algorithm { int run() override { return 1; } };
//   struct Another : Algorithm { int run() override { return 2; } };
//   SPECULATORS_REGISTER(Algorithm, Concrete);                // key "Concrete"
//   SPECULATORS_REGISTER(Algorithm, Another, "custom_name");  // key "custom_name"
//
//   std::unique_ptr<Algorithm> a = Algorithm::create("custom_name");
//   for (auto cls : Algorithm::registered_classes()) std::cout << cls.name() << '\n';
//
// Implementations may take constructor arguments; they are part of the base's
// type, so a call with the wrong arguments does not compile:
//
//   struct Proposal : speculators::ClassRegistryMixin<Proposal, int, std::string_view> {
//     virtual ~Proposal() = default;
//   };
//   struct Greedy : Proposal { Greedy(int tokens, std::string_view text); };
//   SPECULATORS_REGISTER(Proposal, Greedy, "greedy", "picks the most likely token");
//   auto p = Proposal::create("greedy", 5, "text");
//
// Implementations may also live in plugin shared libraries that the registry
// finds and loads on first use: see AutoClassRegistryMixin below and
// <speculators/plugins.hpp>.
//
// Guarantees
//  - Thread safety: registration may happen on any thread at any time. Lookups
//    (`find`, `create`, `registry()`, `registered_classes()`) take no lock and
//    never see a half-registered class.
//  - Static initialization: SPECULATORS_REGISTER at namespace scope works in any
//    translation unit, before `main`, and before any other static initializer
//    that looks the registry up.
//  - Registrations are never removed; plugins stay loaded for the life of the
//    process, like imported Python modules.
//
// The Python names of speculators.utils.registry map one to one; see README.md.
#pragma once

#include <speculators/plugin_abi.h>
#include <speculators/errors.hpp>
#include <speculators/registration_record.hpp>
#include <speculators/type_name.hpp>

#include <array>
#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace speculators {

namespace detail {
struct Entry;
struct RegistryStore;
}  // namespace detail

template <class Base, class... CtorArgs>
class ClassInfo;
template <class Base, class... CtorArgs>
class RegistryView;

/// Gives `Base` its own registry of implementations, each constructible from `CtorArgs...`.
///
/// Use it as a CRTP base: `struct Base : ClassRegistryMixin<Base, int> { virtual ~Base() = default; };`.
/// `Base` may declare these static members to change the defaults:
///   - `static constexpr std::string_view registry_name = "...";` the registry key, by default
///     the qualified type name of `Base`; it identifies the registry across shared libraries.
///   - `static constexpr bool registry_auto_discovery = true;` load plugins on first use.
///   - `static constexpr std::string_view auto_package = "a.b";` or a `std::array` of them:
///     the plugin packages to discover.
///   - `static constexpr std::array<std::string_view, N> auto_ignore_modules = {...};`
///     dotted module names that discovery skips.
///   - `static constexpr bool registry_eager_load = true;` load every plugin at discovery, as
///     Python imports every module. By default discovery lists a plugin's classes from the
///     manifest in its file and loads the plugin the first time one of them is created.
template <class Base, class... CtorArgs>
class ClassRegistryMixin {
 public:
  using class_info = ClassInfo<Base, CtorArgs...>;
  using registry_view = RegistryView<Base, CtorArgs...>;

  /// Off by default, as in the Python `speculators.utils.registry`; `Base` may redeclare it, and
  /// AutoClassRegistryMixin turns it on.
  static constexpr bool registry_auto_discovery = false;

  /// Registers `Derived` under `name`, or under its unqualified class name when no name is given.
  /// @param description help text shown by listings; defaults to the C++ type name.
  /// @returns the handle of the new registration.
  /// @throws InvalidKeyError   when `name` is empty, has leading or trailing white space, or holds control characters
  /// @throws DuplicateKeyError when another class is registered under the key ("already registered")
  /// Misuse that the compiler can see (not derived from Base, abstract, not constructible from
  /// CtorArgs...) is a compile error with a sentence saying so.
  /// Example: `Algorithm::register_class<Fourth>("fourth");`
  template <class Derived>
  static class_info register_class(std::optional<std::string_view> name = std::nullopt,
                                   std::string_view description = {});

  /// Builds the class registered under `name`.
  /// @throws UnknownKeyError naming the registry and the key and suggesting the closest names
  /// @throws PluginLoadError when discovery is on and a plugin of the package failed (once)
  /// Example: `auto a = Algorithm::create("custom_name");`
  static std::unique_ptr<Base> create(std::string_view name, CtorArgs... args);

  /// The class registered under `name`, or an empty handle. Throws nothing for an unknown name;
  /// discovery failures are kept for the next call that throws.
  static class_info find(std::string_view name);

  /// Every registered class, in registration order. With discovery on, the packages are
  /// discovered first: their classes are listed from the plugins' manifests (loaded only with
  /// `registry_eager_load`, or for a plugin that has no manifest).
  /// @throws EmptyRegistryError when nothing is registered ("must be called after registering classes")
  static std::vector<class_info> registered_classes();

  /// The registry as a read-only view, or null until the first registration (like `registry` of
  /// the Python `speculators.utils.registry`, which is None until then). Does not trigger
  /// discovery.
  static const registry_view* registry() noexcept;

  /// The key that identifies this registry in every library of the process.
  static constexpr std::string_view registry_key() noexcept;

  /// Whether discovery has run for this registry (`registry_populated` of the Python
  /// `speculators.utils.registry`).
  static bool registry_populated() noexcept;

  /// Discovers the modules of `auto_package` once (listing their classes, or loading them with
  /// `registry_eager_load`): true the first time, false after.
  /// @throws DiscoveryError  when `registry_auto_discovery` is false ("registry_auto_discovery is set to False")
  /// @throws PluginLoadError listing every plugin that failed; the good ones are registered
  static bool auto_populate_registry();

  /// Discovers every module of `auto_package` not discovered yet and returns the dotted names
  /// of the modules of the package (discovered now or before).
  /// @throws DiscoveryError when the base has no `auto_package` ("auto_package must be set")
  static std::vector<std::string> auto_import_package_modules();

  /// Dotted names of the modules that discovery took for this registry, in discovery order:
  /// listed from their manifests, or loaded (ClassInfo::is_loaded() tells which classes are).
  static std::vector<std::string> auto_imported_modules();

 private:
  static void populate_if_needed(bool throw_failures);
};

/// ClassRegistryMixin with discovery on by default (AutoClassRegistryMixin of the Python
/// `speculators.utils.registry`).
template <class Base, class... CtorArgs>
class AutoClassRegistryMixin : public ClassRegistryMixin<Base, CtorArgs...> {
 public:
  static constexpr bool registry_auto_discovery = true;
};

/// A registered class: cheap to copy (one pointer), valid for the life of the process.
/// A default-constructed or failed-`find` handle is empty and converts to false.
template <class Base, class... CtorArgs>
class ClassInfo {
 public:
  ClassInfo() noexcept = default;

  explicit operator bool() const noexcept { return entry_ != nullptr; }

  /// The key, e.g. "greedy". Precondition for all accessors: the handle is not empty.
  std::string_view name() const noexcept;
  /// The C++ type, e.g. "ns::GreedyProposal".
  std::string_view type_name() const noexcept;
  /// The help text given at registration, or the C++ type name when none was given.
  std::string_view description() const noexcept;
  /// Where the class comes from: the path of the executable or shared library holding it,
  /// or of the plugin file it was (or will be) loaded from.
  std::string_view origin() const;
  /// Whether the class's code is in the process. False only for a class that discovery listed
  /// from its plugin's manifest and nobody has created yet; `create()` loads the plugin.
  bool is_loaded() const noexcept;
  /// The registry key of the base, e.g. "ns::TokenProposal".
  std::string_view registry_key() const noexcept;

  /// Builds an instance, loading the class's plugin first if it is not loaded yet (once per
  /// process, whichever thread asks first).
  /// @throws RegistryError on an empty handle
  /// @throws PluginLoadError when the plugin fails to load, or loads without registering the class
  std::unique_ptr<Base> create(CtorArgs... args) const;

  friend bool operator==(const ClassInfo& a, const ClassInfo& b) noexcept { return a.entry_ == b.entry_; }

 private:
  friend class ClassRegistryMixin<Base, CtorArgs...>;
  friend class RegistryView<Base, CtorArgs...>;
  explicit ClassInfo(const detail::Entry* entry) noexcept : entry_(entry) {}
  const detail::Entry* entry_ = nullptr;
};

/// Read-only view of a registry, iterated in registration order. Iterators stay valid while
/// other threads register: they see at least the classes registered when they were made.
template <class Base, class... CtorArgs>
class RegistryView {
 public:
  using value_type = ClassInfo<Base, CtorArgs...>;
  class iterator;

  /// Whether a class is registered under `name`.
  bool contains(std::string_view name) const noexcept;
  /// The class under `name`. @throws UnknownKeyError listing the registered keys
  value_type at(std::string_view name) const;
  /// The class under `name`, or an empty handle.
  value_type find(std::string_view name) const noexcept;
  std::size_t size() const noexcept;
  bool empty() const noexcept { return size() == 0; }
  iterator begin() const noexcept { return iterator(0); }
  iterator end() const noexcept { return iterator(size()); }

  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = ClassInfo<Base, CtorArgs...>;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;
    iterator() noexcept = default;
    value_type operator*() const noexcept;
    iterator& operator++() noexcept {
      ++index_;
      return *this;
    }
    iterator operator++(int) noexcept {
      iterator old = *this;
      ++index_;
      return old;
    }
    friend bool operator==(iterator a, iterator b) noexcept { return a.index_ == b.index_; }

   private:
    friend class RegistryView;
    explicit iterator(std::size_t index) noexcept : index_(index) {}
    std::size_t index_ = 0;
  };
};

/// Registers `Derived` into `Base`'s registry when constructed. Declare it at namespace scope
/// (SPECULATORS_REGISTER does exactly that):
///
///   static const speculators::Registration<Algorithm, Concrete> concrete_registration{"concrete", "help text"};
///
/// In an executable or a library linked normally it registers at static initialization; an
/// error (a duplicate key) cannot be thrown before `main`, so it is kept and thrown by the
/// registry's next `registered_classes()` or failed `create()`. In a plugin (code built with
/// `speculators_add_plugin()`, which defines SPECULATORS_PLUGIN) it adds an entry to the
/// plugin's descriptor instead, and the host checks and registers it when it loads the plugin.
template <class Base, class Derived>
class Registration {
 public:
  /// @param name        the key; none: the class name. Use std::nullopt to give only a description.
  /// @param description help text; empty: the C++ type name
  explicit Registration(std::optional<std::string_view> name = std::nullopt,
                        std::string_view description = {}) noexcept;
};

}  // namespace speculators

/// Registers class `Derived` into `Base`'s registry: `SPECULATORS_REGISTER(Base, Derived);`,
/// `SPECULATORS_REGISTER(Base, Derived, "name");` or `SPECULATORS_REGISTER(Base, Derived, "name", "help");`.
/// Use at namespace scope, any number of times per translation unit.
/// Note: the registration runs before the ordinary static initializers of its binary, whatever
/// the link order, so that they all find it; its name and help must therefore be constants
/// (string literals, constexpr), not other namespace-scope objects.
#define SPECULATORS_REGISTER(Base, Derived, ...)                                                         \
  SPECULATORS_DETAIL_MANIFEST(Base, Derived, __VA_ARGS__)                                                \
  [[maybe_unused]] SPECULATORS_DETAIL_EARLY_INIT static const ::speculators::Registration<Base, Derived> \
  SPECULATORS_DETAIL_UNIQUE(speculators_registration_) {                                                 \
    __VA_ARGS__                                                                                          \
  }

// In a plugin, each line also leaves a constant record in the plugin's manifest, an ELF note
// (on Windows, a record in the read-only PE section .spcreg; <speculators/detail/manifest_record.hpp>),
// which the host reads before it runs any plugin code. alignas(4): notes follow one another
// at 4-byte steps; an alignment the compiler chose would let it raise that, and pad between them.
#if defined(_WIN32)
#define SPECULATORS_DETAIL_MANIFEST_SECTION ".spcreg"
#else
#define SPECULATORS_DETAIL_MANIFEST_SECTION ".note.speculators"
#endif
#if defined(SPECULATORS_PLUGIN)
#define SPECULATORS_DETAIL_MANIFEST(Base, Derived, ...)                                                           \
  alignas(4) [[gnu::used, gnu::section(SPECULATORS_DETAIL_MANIFEST_SECTION)]] static constexpr auto               \
      SPECULATORS_DETAIL_UNIQUE(speculators_manifest_) =                                                          \
          ::speculators::detail::manifest::record_for<Base, Derived, decltype([] {                                \
                                                        return ::speculators::detail::manifest::RegistrationText{ \
                                                            __VA_ARGS__};                                         \
                                                      })>(static_cast<const typename Base::class_info*>(nullptr));
#else
#define SPECULATORS_DETAIL_MANIFEST(Base, Derived, ...)
#endif

// Lower priorities initialize first and 0-100 are reserved; unprioritized objects come last.
#define SPECULATORS_DETAIL_EARLY_INIT [[gnu::init_priority(101)]]

#define SPECULATORS_DETAIL_CAT2(a, b) a##b
#define SPECULATORS_DETAIL_CAT(a, b) SPECULATORS_DETAIL_CAT2(a, b)
#define SPECULATORS_DETAIL_UNIQUE(prefix) SPECULATORS_DETAIL_CAT(prefix, __COUNTER__)

// ===========================================================================
// Implementation details. Nothing below is part of the public API.
// ===========================================================================

namespace speculators::detail {

/// A factory `Base* (*)(CtorArgs...)` with its type erased; cast back only by the typed layer
/// of the registry whose signature it was checked against.
using ErasedFactory = void (*)();

/// What a registration supplies: its record and its code. The store copies every text.
struct EntryFields {
  RegistrationRecord record;  ///< its registry_key is the key of the store it is added to
  std::string_view origin;    ///< empty: the binary holding `factory`, found on demand
  ErasedFactory factory = nullptr;
  /// The record's `type_name` and `signature` live as long as the process (compile-time
  /// storage, or a plugin, which is never unloaded): the store points at them instead of copying.
  bool static_texts = false;
  /// Set, with a null `factory`: a class listed from this plugin's manifest, not loaded yet
  /// (the loader's token for the plugin). When the plugin loads and registers the same class,
  /// the listed entry gets its factory instead of a duplicate.
  const void* module = nullptr;
  /// What a kind of registry keeps about itself, beyond its classes (a config registry: its
  /// parsing table, detail::RegistryRef). The store keeps the first one it is given, so that
  /// code without the base's type (a tool, another plugin) can reach the registry by key.
  const void* extension = nullptr;
  /// Set for a class registered at run time by a language binding (a Python class): `factory`
  /// is then a `Base* (*)(const void* context, CtorArgs...)`, called with this first. It
  /// lives as long as the process, as registrations do.
  const void* factory_context = nullptr;
};

/// One registered class, as stored. Immutable once published, never freed.
struct Entry {
  std::size_t hash;                         ///< hash_key(record.name)
  RegistrationRecord record;                ///< its registry_key is the store's key
  std::atomic<ErasedFactory> factory;       ///< null until the plugin of a listed class is loaded
  const void* module;                       ///< the plugin of a listed class (EntryFields::module), else null
  mutable std::atomic<const char*> origin;  ///< filled on first `origin()` when not known at registration
  const void* factory_context;              ///< EntryFields::factory_context
};

/// Unaligned loads of 8 and 4 bytes of a key.
inline std::uint64_t load64(const char* at) noexcept {
  std::uint64_t v;
  std::memcpy(&v, at, 8);
  return v;
}
inline std::uint64_t load32(const char* at) noexcept {
  std::uint32_t v;
  std::memcpy(&v, at, 4);
  return v;
}

/// A slot of a store's hash table: the key's full hash beside the entry, so that a probe reads
/// one cache line and dereferences only the entry whose hash matches.
struct Slot {
  std::atomic<std::size_t> hash{0};
  std::atomic<const Entry*> entry{nullptr};  ///< null: free; published last, with release
};

/// A store's table as a lookup reads it: a hash table (open addressing, linear probing, load
/// factor at most 1/2) and the registration order, published whole with release, never freed;
/// entries are appended to it until it is full. Its layout and hash_key() are read by code
/// compiled from this header (find_in_table below, inlined into create() and find()), so they
/// are versioned: lookup_layout names them, and a program whose header and library disagree
/// looks up through the library instead (inline_lookup()).
struct SlotTable {
  std::size_t mask;  ///< slot count - 1
  const Slot* slots;
  const Entry* const* order;          ///< in registration order; [0, count) are published
  std::atomic<std::size_t> count{0};  ///< stored with release once order[count - 1] is set
};
// 2: hash_key() by 128-bit multiplies; 3: an entry's key in its record, after the registry key.
inline constexpr std::uint32_t lookup_layout = 3;

/// Up to this many entries, a lookup compares the key with each entry instead of hashing it:
/// cheaper than the hash for a registry of a few classes, as in libstdc++'s unordered_map
/// (a target of bench/: create on a registry of one class, where a plain map does the same).
inline constexpr std::size_t scanned_entries_max = 4;

/// The 128-bit product of `a` and `b`, folded to 64 bits (low half xor high half), from four
/// 32-bit products: multiply_folded() where the compiler has no 128-bit integers.
inline std::uint64_t multiply_folded_portable(std::uint64_t a, std::uint64_t b) noexcept {
  constexpr std::uint64_t low32 = 0xFFFFFFFFU;
  const std::uint64_t lo_lo = (a & low32) * (b & low32);
  const std::uint64_t hi_lo = (a >> 32) * (b & low32);
  const std::uint64_t lo_hi = (a & low32) * (b >> 32);
  const std::uint64_t hi_hi = (a >> 32) * (b >> 32);
  const std::uint64_t middle = (lo_lo >> 32) + (hi_lo & low32) + lo_hi;
  const std::uint64_t low = (middle << 32) | (lo_lo & low32);
  const std::uint64_t high = hi_hi + (hi_lo >> 32) + (middle >> 32);
  return low ^ high;
}

/// The 128-bit product of `a` and `b`, folded to 64 bits: the mixing step of hash_key().
inline std::uint64_t multiply_folded(std::uint64_t a, std::uint64_t b) noexcept {
#if defined(__SIZEOF_INT128__)
  __extension__ using wide = unsigned __int128;
  const wide product = static_cast<wide>(a) * b;
  return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
#else
  return multiply_folded_portable(a, b);
#endif
}

/// The hash of a key (64-bit), the same in the library and in the header. A key of up to 16
/// bytes is read as two overlapping words and mixed by one 128-bit multiply; longer keys take
/// one multiply per 16 bytes. The multiplies of a short key do not wait on one another, where
/// a chain of multiply-and-shift rounds would (measured in bench/: create, bench/analysis.md).
inline std::size_t hash_key(std::string_view key) noexcept {
  constexpr std::uint64_t first = 0x9E3779B97F4A7C15ULL, second = 0xBF58476D1CE4E5B9ULL;
  // Whole loads only: the tail is read with loads that overlap bytes already read, because a
  // byte-wise copy of it stalls the load that follows (measured in bench/).
  const char* p = key.data();
  std::size_t n = key.size();
  std::uint64_t seed = first ^ n;
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  if (n > 16) {
    for (; n > 16; p += 16, n -= 16) seed = multiply_folded(load64(p) ^ second, load64(p + 8) ^ seed);
    a = load64(p + n - 16);
    b = load64(p + n - 8);
  } else if (n >= 8) {
    a = load64(p);
    b = load64(p + n - 8);
  } else if (n >= 4) {
    a = load32(p);
    b = load32(p + n - 4);
  } else if (n > 0) {
    const auto byte = [p](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
    a = byte(0) << 16 | byte(n / 2) << 8 | byte(n - 1);
  }
  return static_cast<std::size_t>(multiply_folded(a ^ second, b ^ seed));
}

/// Whether `a` and `b`, both `n` bytes, are equal, compared a word at a time (the last word
/// overlapping the one before): a call of the C library's memcmp costs more than the compare
/// of a key of a few words (bench/analysis.md: create).
inline bool same_key(const char* a, const char* b, std::size_t n) noexcept {
  if (n >= 8) {
    for (std::size_t at = 0; at + 8 < n; at += 8) {
      if (load64(a + at) != load64(b + at)) return false;
    }
    return load64(a + n - 8) == load64(b + n - 8);
  }
  if (n >= 4) return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
  for (std::size_t at = 0; at < n; ++at) {
    if (a[at] != b[at]) return false;
  }
  return true;
}

/// The entry named `name` in `table`; null when there is none.
inline const Entry* find_in_table(const SlotTable& table, std::string_view name) noexcept {
  const auto named = [name](const Entry* entry) {
    const std::string_view key = entry->record.name;
    return key.size() == name.size() && same_key(key.data(), name.data(), name.size());
  };
  if (const std::size_t count = table.count.load(std::memory_order_acquire); count <= scanned_entries_max) {
    for (std::size_t i = 0; i < count; ++i) {
      if (named(table.order[i])) return table.order[i];
    }
    return nullptr;
  }
  const std::size_t hash = hash_key(name);
  for (std::size_t i = hash & table.mask;; i = (i + 1) & table.mask) {
    const Slot& slot = table.slots[i];
    const Entry* entry = slot.entry.load(std::memory_order_acquire);
    if (entry == nullptr) return nullptr;
    if (slot.hash.load(std::memory_order_relaxed) == hash && named(entry)) return entry;
  }
}

/// Which packages a base discovers, gathered from its static members.
struct DiscoverySpec {
  bool enabled = false;
  bool eager = false;  ///< load every plugin at discovery instead of listing manifests
  std::span<const std::string_view> packages;
  std::span<const std::string_view> ignored_modules;
};

// The type-erased core, compiled in src/. One store per registry key per process.
/// @param discovery the base's discovery settings, kept by the store for code that reaches it
///                  by key (speculators::AnyRegistry); they live as long as the process.
RegistryStore& registry_store(std::string_view key, std::string_view signature,
                              const DiscoverySpec* discovery = nullptr);
const Entry* find_entry(const RegistryStore& store, std::string_view name) noexcept;
/// Where `store` publishes its current table, for a header compiled with `layout`; null when
/// the library's layout is another (lookups then go through find_entry()).
const std::atomic<const SlotTable*>* inline_lookup(const RegistryStore& store, std::uint32_t layout) noexcept;
std::size_t entry_count(const RegistryStore& store) noexcept;
const Entry* entry_at(const RegistryStore& store, std::size_t index) noexcept;
const Entry& add_entry(RegistryStore& store, const EntryFields& fields);
void defer_error(std::string_view registry_key, std::exception_ptr error) noexcept;
void rethrow_deferred_errors(const RegistryStore& store);
std::string_view entry_origin(const Entry& entry);
[[noreturn]] void throw_unknown_key(const RegistryStore& store, std::string_view name);
[[noreturn]] void throw_empty_registry(const RegistryStore& store);
[[noreturn]] void throw_empty_handle();
bool is_populated(const RegistryStore& store) noexcept;
bool populate(RegistryStore& store, const DiscoverySpec& spec, bool throw_failures);
/// The factory of `entry`, loading its plugin first when discovery only listed it.
/// @throws PluginLoadError when the plugin fails to load or does not register the class
ErasedFactory load_factory(const Entry& entry);
std::vector<std::string> import_package_modules(RegistryStore& store, const DiscoverySpec& spec);
std::vector<std::string> imported_modules(const RegistryStore& store);

template <class Base, class Derived, class... CtorArgs>
Base* construct(CtorArgs... args) {
  return new Derived(std::forward<CtorArgs>(args)...);
}

template <class Base, class... CtorArgs>
using TypedFactory = Base* (*)(CtorArgs...);
template <class Base, class... CtorArgs>
using ContextFactory = Base* (*)(const void*, CtorArgs...);

// Where a misuse of register_class / SPECULATORS_REGISTER lands: each check says what is wrong.
template <class Base, class Derived, class... CtorArgs>
constexpr bool check_registrable() {
  static_assert(std::is_class_v<Derived>, "speculators: only a class can be registered");
  static_assert(std::is_base_of_v<Base, Derived> && std::is_convertible_v<Derived*, Base*>,
                "speculators: the registered class must derive publicly from the registry's base");
  static_assert(!std::is_abstract_v<Derived>,
                "speculators: the registered class is abstract; implement every pure virtual function of the base");
  static_assert(std::is_constructible_v<Derived, CtorArgs...>,
                "speculators: the registered class cannot be built from the base's constructor arguments "
                "(the CtorArgs of ClassRegistryMixin<Base, CtorArgs...>); give it a constructor taking them");
  static_assert(std::has_virtual_destructor_v<Base>,
                "speculators: the registry's base needs a virtual destructor, because create() deletes "
                "through a pointer to the base");
  return true;
}

template <class Base>
constexpr std::string_view registry_key_of() noexcept {
  if constexpr (requires { Base::registry_name; }) {
    return Base::registry_name;
  } else {
    return type_name<Base>();
  }
}

template <class Base, class... CtorArgs>
struct signature_of {
  static constexpr std::string_view key = registry_key_of<Base>();
  static constexpr std::array<std::string_view, 2> parts{key, argument_list<CtorArgs...>::value};
  static constexpr std::string_view value = concat_storage<parts>::value.view();
};

// A constant: value_or's argument would otherwise be computed at run time on every call.
template <class Derived>
inline constexpr std::string_view class_name_v = short_type_name<Derived>();

/// The record of a registration of Derived into Base under `name` (none: the class name),
/// the same at compile time (a plugin's manifest) and at run time (the registration call).
template <class Base, class Derived, class... CtorArgs>
constexpr RegistrationRecord registration_record(std::optional<std::string_view> name,
                                                 std::string_view description) noexcept {
  return {registry_key_of<Base>(), name.value_or(class_name_v<Derived>), type_name<Derived>(),
          signature_of<Base, CtorArgs...>::value, description.empty() ? type_name<Derived>() : description};
}

// What a registration of Derived into Base supplies; shared by every way of registering.
template <class Base, class Derived, class... CtorArgs>
EntryFields entry_fields(std::optional<std::string_view> name, std::string_view description) noexcept {
  static_assert(check_registrable<Base, Derived, CtorArgs...>());
  EntryFields fields;
  fields.record = registration_record<Base, Derived, CtorArgs...>(name, description);
  fields.static_texts = true;
  fields.factory = reinterpret_cast<ErasedFactory>(&construct<Base, Derived, CtorArgs...>);
  if constexpr (requires { Base::registry_extension(); }) fields.extension = Base::registry_extension();
  return fields;
}

// auto_package and auto_ignore_modules, each a string_view or an array of them, as spans.
template <const auto& Member>
struct names_of {
  using type = std::remove_cvref_t<decltype(Member)>;
  static constexpr bool single = std::is_convertible_v<type, std::string_view>;
  static constexpr auto storage = [] {
    if constexpr (single) {
      return std::array<std::string_view, 1>{Member};
    } else {
      std::array<std::string_view, std::tuple_size_v<type>> names{};
      for (std::size_t i = 0; i < names.size(); ++i) names[i] = Member[i];
      return names;
    }
  }();
  static constexpr std::span<const std::string_view> span() noexcept { return {storage.data(), storage.size()}; }
};

template <class Base>
constexpr DiscoverySpec discovery_spec_of() noexcept {
  DiscoverySpec spec;
  spec.enabled = Base::registry_auto_discovery;
  if constexpr (requires { Base::registry_eager_load; }) spec.eager = Base::registry_eager_load;
  if constexpr (requires { Base::auto_package; }) spec.packages = names_of<Base::auto_package>::span();
  if constexpr (requires { Base::auto_ignore_modules; })
    spec.ignored_modules = names_of<Base::auto_ignore_modules>::span();
  return spec;
}

template <class Base>
inline constexpr DiscoverySpec discovery_spec_v = discovery_spec_of<Base>();

// The store of a base, looked up by key once per binary and then cached: every library of
// the process that names the same key gets the same store.
template <class Base, class... CtorArgs>
RegistryStore& store_of() {
  static RegistryStore& store =
      registry_store(registry_key_of<Base>(), signature_of<Base, CtorArgs...>::value, &discovery_spec_v<Base>);
  return store;
}

/// The entry named `name` in Base's registry, or null: looked up in this code, with no call
/// into the library (create() and find() of a short key take a few nanoseconds).
template <class Base, class... CtorArgs>
const Entry* lookup(std::string_view name) {
  static const std::atomic<const SlotTable*>* const published =
      inline_lookup(store_of<Base, CtorArgs...>(), lookup_layout);
  if (published == nullptr) return find_entry(store_of<Base, CtorArgs...>(), name);
  const SlotTable* table = published->load(std::memory_order_acquire);
  return table == nullptr ? nullptr : find_in_table(*table, name);
}

}  // namespace speculators::detail

#if defined(SPECULATORS_PLUGIN)
#include <speculators/detail/manifest_record.hpp>
#include <speculators/detail/plugin_side.hpp>
#endif

namespace speculators::detail {

// SPECULATORS_REGISTER's work. CtorArgs are recovered from the base's class_info type.
template <class Base, class Derived, class... CtorArgs>
void register_statically(const ClassInfo<Base, CtorArgs...>* /*tag*/, std::optional<std::string_view> name,
                         std::string_view description) noexcept {
  const EntryFields fields = entry_fields<Base, Derived, CtorArgs...>(name, description);
#if defined(SPECULATORS_PLUGIN)
  plugin::add_entry(fields);
#else
  try {
    add_entry(store_of<Base, CtorArgs...>(), fields);
  } catch (...) {  // nothing can catch an exception before main: keep it for the registry's users
    defer_error(registry_key_of<Base>(), std::current_exception());
  }
#endif
}

}  // namespace speculators::detail

namespace speculators {

// --- ClassRegistryMixin ----------------------------------------------------

template <class Base, class... CtorArgs>
constexpr std::string_view ClassRegistryMixin<Base, CtorArgs...>::registry_key() noexcept {
  return detail::registry_key_of<Base>();
}

template <class Base, class... CtorArgs>
void ClassRegistryMixin<Base, CtorArgs...>::populate_if_needed(bool throw_failures) {
  if constexpr (Base::registry_auto_discovery) {
    detail::RegistryStore& s = detail::store_of<Base, CtorArgs...>();
    if (!detail::is_populated(s)) {
      detail::populate(s, detail::discovery_spec_v<Base>, throw_failures);
    }
  } else {
    (void)throw_failures;
  }
}

template <class Base, class... CtorArgs>
template <class Derived>
auto ClassRegistryMixin<Base, CtorArgs...>::register_class(std::optional<std::string_view> name,
                                                           std::string_view description) -> class_info {
  const detail::EntryFields fields = detail::entry_fields<Base, Derived, CtorArgs...>(name, description);
  return class_info(&detail::add_entry(detail::store_of<Base, CtorArgs...>(), fields));
}

// Declared inline so that the compiler puts the lookup and the factory call into the caller,
// without a call of its own and its register saves: 17 of the 66 instructions that create()
// added to std::make_unique (bench/: create, bench/analysis.md).
template <class Base, class... CtorArgs>
inline std::unique_ptr<Base> ClassRegistryMixin<Base, CtorArgs...>::create(std::string_view name, CtorArgs... args) {
  populate_if_needed(true);
  const detail::Entry* entry = detail::lookup<Base, CtorArgs...>(name);
  if (entry == nullptr) {
    detail::rethrow_deferred_errors(detail::store_of<Base, CtorArgs...>());
    detail::throw_unknown_key(detail::store_of<Base, CtorArgs...>(), name);
  }
  return class_info(entry).create(std::forward<CtorArgs>(args)...);
}

template <class Base, class... CtorArgs>
auto ClassRegistryMixin<Base, CtorArgs...>::find(std::string_view name) -> class_info {
  try {
    populate_if_needed(false);
  } catch (const RegistryError&) {
    // find() reports absence only; the next create() or registered_classes() throws the cause.
  }
  return class_info(detail::lookup<Base, CtorArgs...>(name));
}

template <class Base, class... CtorArgs>
auto ClassRegistryMixin<Base, CtorArgs...>::registered_classes() -> std::vector<class_info> {
  populate_if_needed(true);
  detail::RegistryStore& s = detail::store_of<Base, CtorArgs...>();
  detail::rethrow_deferred_errors(s);
  const std::size_t count = detail::entry_count(s);
  if (count == 0) detail::throw_empty_registry(s);
  std::vector<class_info> classes;
  classes.reserve(count);
  for (std::size_t i = 0; i < count; ++i) classes.push_back(class_info(detail::entry_at(s, i)));
  return classes;
}

template <class Base, class... CtorArgs>
auto ClassRegistryMixin<Base, CtorArgs...>::registry() noexcept -> const registry_view* {
  static constexpr registry_view view{};
  try {
    return detail::entry_count(detail::store_of<Base, CtorArgs...>()) == 0 ? nullptr : &view;
  } catch (...) {  // the store could not be made (signature clash): there is no registry to show
    return nullptr;
  }
}

template <class Base, class... CtorArgs>
bool ClassRegistryMixin<Base, CtorArgs...>::registry_populated() noexcept {
  try {
    return detail::is_populated(detail::store_of<Base, CtorArgs...>());
  } catch (...) {
    return false;
  }
}

template <class Base, class... CtorArgs>
bool ClassRegistryMixin<Base, CtorArgs...>::auto_populate_registry() {
  return detail::populate(detail::store_of<Base, CtorArgs...>(), detail::discovery_spec_v<Base>, true);
}

template <class Base, class... CtorArgs>
std::vector<std::string> ClassRegistryMixin<Base, CtorArgs...>::auto_import_package_modules() {
  return detail::import_package_modules(detail::store_of<Base, CtorArgs...>(), detail::discovery_spec_v<Base>);
}

template <class Base, class... CtorArgs>
std::vector<std::string> ClassRegistryMixin<Base, CtorArgs...>::auto_imported_modules() {
  return detail::imported_modules(detail::store_of<Base, CtorArgs...>());
}

// --- ClassInfo -------------------------------------------------------------

template <class Base, class... CtorArgs>
std::string_view ClassInfo<Base, CtorArgs...>::name() const noexcept {
  return entry_->record.name;
}
template <class Base, class... CtorArgs>
std::string_view ClassInfo<Base, CtorArgs...>::type_name() const noexcept {
  return entry_->record.type_name;
}
template <class Base, class... CtorArgs>
std::string_view ClassInfo<Base, CtorArgs...>::description() const noexcept {
  return entry_->record.description;
}
template <class Base, class... CtorArgs>
std::string_view ClassInfo<Base, CtorArgs...>::origin() const {
  return detail::entry_origin(*entry_);
}
template <class Base, class... CtorArgs>
std::string_view ClassInfo<Base, CtorArgs...>::registry_key() const noexcept {
  return entry_->record.registry_key;
}

template <class Base, class... CtorArgs>
bool ClassInfo<Base, CtorArgs...>::is_loaded() const noexcept {
  return entry_->factory.load(std::memory_order_acquire) != nullptr;
}

template <class Base, class... CtorArgs>
std::unique_ptr<Base> ClassInfo<Base, CtorArgs...>::create(CtorArgs... args) const {
  if (entry_ == nullptr) detail::throw_empty_handle();
  detail::ErasedFactory erased = entry_->factory.load(std::memory_order_acquire);
  if (erased == nullptr) erased = detail::load_factory(*entry_);  // a listed plugin class: load it once
  // The entry's signature was checked against this registry's when it was added.
  if (entry_->factory_context != nullptr) {
    const auto factory = reinterpret_cast<detail::ContextFactory<Base, CtorArgs...>>(erased);
    return std::unique_ptr<Base>(factory(entry_->factory_context, std::forward<CtorArgs>(args)...));
  }
  const auto factory = reinterpret_cast<detail::TypedFactory<Base, CtorArgs...>>(erased);
  return std::unique_ptr<Base>(factory(std::forward<CtorArgs>(args)...));
}

// --- RegistryView ----------------------------------------------------------

template <class Base, class... CtorArgs>
bool RegistryView<Base, CtorArgs...>::contains(std::string_view name) const noexcept {
  return find(name).operator bool();
}

template <class Base, class... CtorArgs>
auto RegistryView<Base, CtorArgs...>::find(std::string_view name) const noexcept -> value_type {
  return value_type(detail::lookup<Base, CtorArgs...>(name));
}

template <class Base, class... CtorArgs>
auto RegistryView<Base, CtorArgs...>::at(std::string_view name) const -> value_type {
  const detail::Entry* entry = detail::lookup<Base, CtorArgs...>(name);
  if (entry == nullptr) detail::throw_unknown_key(detail::store_of<Base, CtorArgs...>(), name);
  return value_type(entry);
}

template <class Base, class... CtorArgs>
std::size_t RegistryView<Base, CtorArgs...>::size() const noexcept {
  return detail::entry_count(detail::store_of<Base, CtorArgs...>());
}

template <class Base, class... CtorArgs>
auto RegistryView<Base, CtorArgs...>::iterator::operator*() const noexcept -> value_type {
  return value_type(detail::entry_at(detail::store_of<Base, CtorArgs...>(), index_));
}

// --- Registration ----------------------------------------------------------

template <class Base, class Derived>
Registration<Base, Derived>::Registration(std::optional<std::string_view> name, std::string_view description) noexcept {
  detail::register_statically<Base, Derived>(static_cast<const typename Base::class_info*>(nullptr), name, description);
}

}  // namespace speculators
