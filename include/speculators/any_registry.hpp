// Registries by key, for code that does not have the base's type: a tool, a language binding.
//
// A typed base (<speculators/registry.hpp>) is the way to build objects. Code that only knows
// a registry's key, read from a command line or from Python, reaches the same registry here:
// it lists the classes, reads the discovery settings and runs discovery, with the same
// errors as the typed calls.
//
//   speculators::AnyRegistry proposals = speculators::AnyRegistry::open("speculators::examples::TokenProposal");
//   for (const speculators::AnyClassInfo& cls : proposals.registered_classes())
//     std::cout << cls.name() << "  " << cls.origin() << '\n';
//
// A registry that no code of the process has used yet, but whose classes plugins on the search
// path list in their manifests, is opened from those manifests: its package is the one the
// plugins sit in, discovery is on, and a plugin is loaded only when one of its classes is
// created (or load() asks for it).
//
// Thread safety: as the typed registry's. Handles are valid for the life of the process.
#pragma once

#include <speculators/registry.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace speculators {

/// The keys of the registries this process holds now, in the order they were made: bases
/// used by the program and its libraries, and registries that loaded or listed plugins name.
std::vector<std::string> registry_keys();

/// A registered class seen by key: what ClassInfo tells, without the base's type. Cheap to
/// copy (one pointer); a default-constructed or failed-`find` handle is empty.
class AnyClassInfo {
 public:
  AnyClassInfo() noexcept = default;
  explicit operator bool() const noexcept { return entry_ != nullptr; }

  /// As ClassInfo's accessors. Precondition: the handle is not empty.
  std::string_view name() const noexcept;
  std::string_view type_name() const noexcept;
  std::string_view description() const noexcept;
  std::string_view origin() const;
  bool is_loaded() const noexcept;
  std::string_view registry_key() const noexcept;

  /// Loads the plugin of a class that discovery listed from its manifest (once per process);
  /// does nothing for a class whose code is in the process.
  /// @throws PluginLoadError when the plugin fails to load or does not register the class
  void load() const;

  friend bool operator==(const AnyClassInfo& a, const AnyClassInfo& b) noexcept { return a.entry_ == b.entry_; }

 private:
  friend class AnyRegistry;
  explicit AnyClassInfo(const detail::Entry* entry) noexcept : entry_(entry) {}
  const detail::Entry* entry_ = nullptr;
};

/// One registry, reached by its key. The calls mirror ClassRegistryMixin's.
class AnyRegistry {
 public:
  /// The registry `name` means (resolve_registry_key(): a key, or its last namespace
  /// components when they name one registry): one the process holds, else one that plugins on
  /// the search path name in their manifests (nothing is loaded to find it).
  /// @throws UnknownKeyError when no registry, or more than one, is named so; the message
  ///         suggests the keys it may mean
  static AnyRegistry open(std::string_view name);

  /// The registry key, e.g. "speculators::examples::TokenProposal".
  std::string_view key() const noexcept;

  /// Every registered class, in registration order; with discovery on, the packages are
  /// discovered first (as the typed registered_classes()).
  /// @throws EmptyRegistryError when nothing is registered ("must be called after registering classes")
  /// @throws PluginLoadError listing the plugins of the package that failed
  std::vector<AnyClassInfo> registered_classes() const;

  /// The classes registered now, without discovery: 0 is `registry is None` in the Python `speculators.utils.registry`.
  std::size_t size() const noexcept;

  /// The `index`-th class registered now (no discovery). Precondition: index < size().
  AnyClassInfo class_at(std::size_t index) const noexcept;

  /// The class registered under `name` now (no discovery), or an empty handle.
  AnyClassInfo find(std::string_view name) const noexcept;

  /// The base's discovery settings: `registry_auto_discovery`, `registry_eager_load` and
  /// `auto_package` (the packages, in order). For a registry opened from manifests: on, off,
  /// and the packages its plugins sit in.
  bool registry_auto_discovery() const noexcept;
  bool registry_eager_load() const noexcept;
  std::vector<std::string> auto_package() const;

  /// As ClassRegistryMixin's: whether discovery has run; run it once (true the first time);
  /// discover every module of the packages; the modules discovery took.
  /// @throws DiscoveryError, PluginLoadError as the typed calls
  bool registry_populated() const noexcept;
  bool auto_populate_registry() const;
  std::vector<std::string> auto_import_package_modules() const;
  std::vector<std::string> auto_imported_modules() const;

  /// Loads the plugin of every class of the registry (after discovery, when it is on), so that
  /// their code is in the process: what parsing configs by key needs (normalize_config).
  /// @throws PluginLoadError listing every plugin that failed; the good ones are loaded
  void load_classes() const;

 private:
  explicit AnyRegistry(detail::RegistryStore& store) noexcept : store_(&store) {}
  detail::RegistryStore* store_;
};

}  // namespace speculators
