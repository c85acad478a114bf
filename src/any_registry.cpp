// Registries by key (<speculators/any_registry.hpp>): the typed calls of registry.hpp, made
// with the settings the store keeps instead of the base's static members.
#include <speculators/any_registry.hpp>
#include <speculators/plugins.hpp>

#include "messages.hpp"
#include "store.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace speculators {

namespace {

// Discovery settings read from manifests, kept for the life of the process as a base's
// static members are.
struct ManifestDiscovery {
  std::vector<std::string> packages;
  std::vector<std::string_view> package_views;
  detail::DiscoverySpec spec;
};

const detail::DiscoverySpec* keep(std::unique_ptr<ManifestDiscovery> discovery) {
  static std::mutex mutex;
  static std::vector<std::unique_ptr<ManifestDiscovery>> kept;
  discovery->package_views.assign(discovery->packages.begin(), discovery->packages.end());
  discovery->spec.enabled = true;
  discovery->spec.packages = discovery->package_views;
  std::lock_guard lock(mutex);
  kept.push_back(std::move(discovery));
  return &kept.back()->spec;
}

// The registries the manifests on the search path name, each with the packages its plugins
// sit in (a module's package is its dotted name without the last part). Reads files only.
std::vector<std::pair<std::string, std::set<std::string>>> manifest_registries() {
  std::vector<std::pair<std::string, std::set<std::string>>> found;
  for (const PluginModule& module : find_package_modules("")) {
    PluginInfo info;
    try {
      info = read_plugin_manifest(module.file);
    } catch (const PluginLoadError&) {
      continue;  // refused here as discovery refuses it; `speculators-registry doctor` says why
    }
    const std::size_t dot = module.name.rfind('.');
    for (const PluginEntryInfo& entry : info.entries) {
      auto it = std::find_if(found.begin(), found.end(), [&](const auto& r) { return r.first == entry.registry_key; });
      if (it == found.end()) it = found.insert(found.end(), {entry.registry_key, {}});
      if (dot != std::string::npos) it->second.insert(module.name.substr(0, dot));
    }
  }
  return found;
}

const detail::DiscoverySpec& discovery_of(const detail::RegistryStore& store) noexcept {
  static constexpr detail::DiscoverySpec off{};
  const detail::DiscoverySpec* spec = store.discovery.load(std::memory_order_acquire);
  return spec == nullptr ? off : *spec;
}

}  // namespace

std::vector<std::string> registry_keys() {
  std::vector<std::string> keys;
  for (const detail::RegistryStore* store : detail::all_stores()) keys.push_back(store->key);
  return keys;
}

// --- AnyClassInfo ------------------------------------------------------------

std::string_view AnyClassInfo::name() const noexcept { return entry_->record.name; }
std::string_view AnyClassInfo::type_name() const noexcept { return entry_->record.type_name; }
std::string_view AnyClassInfo::description() const noexcept { return entry_->record.description; }
std::string_view AnyClassInfo::origin() const { return detail::entry_origin(*entry_); }
bool AnyClassInfo::is_loaded() const noexcept { return entry_->factory.load(std::memory_order_acquire) != nullptr; }
std::string_view AnyClassInfo::registry_key() const noexcept { return entry_->record.registry_key; }

void AnyClassInfo::load() const {
  if (entry_ == nullptr) detail::throw_empty_handle();
  if (!is_loaded()) detail::load_factory(*entry_);
}

// --- AnyRegistry -------------------------------------------------------------

AnyRegistry AnyRegistry::open(std::string_view name) {
  const std::string key = resolve_registry_key(name);
  detail::RegistryStore* store = detail::existing_store(key);
  if (store != nullptr && store->discovery.load(std::memory_order_acquire) != nullptr) return AnyRegistry(*store);
  // No base of the process has given its settings: read them from the plugins that name it.
  const auto registries = manifest_registries();
  const auto named = std::find_if(registries.begin(), registries.end(), [&](const auto& r) { return r.first == key; });
  if (named == registries.end()) {  // known to the process only: bindings, loaded plugins
    return AnyRegistry(store != nullptr ? *store : detail::store_for_key(key));
  }
  auto discovery = std::make_unique<ManifestDiscovery>();
  discovery->packages.assign(named->second.begin(), named->second.end());
  if (store == nullptr) store = &detail::store_for_key(key);
  const detail::DiscoverySpec* spec = keep(std::move(discovery));
  const detail::DiscoverySpec* none = nullptr;
  store->discovery.compare_exchange_strong(none, spec, std::memory_order_acq_rel);  // a base's settings win
  return AnyRegistry(*store);
}

std::string_view AnyRegistry::key() const noexcept { return store_->key; }

std::vector<AnyClassInfo> AnyRegistry::registered_classes() const {
  if (registry_auto_discovery() && !registry_populated()) auto_populate_registry();
  detail::rethrow_deferred_errors(*store_);
  const std::size_t count = detail::entry_count(*store_);
  if (count == 0) detail::throw_empty_registry(*store_);
  std::vector<AnyClassInfo> classes;
  classes.reserve(count);
  for (std::size_t i = 0; i < count; ++i) classes.push_back(AnyClassInfo(detail::entry_at(*store_, i)));
  return classes;
}

std::size_t AnyRegistry::size() const noexcept { return detail::entry_count(*store_); }

AnyClassInfo AnyRegistry::class_at(std::size_t index) const noexcept {
  return AnyClassInfo(detail::entry_at(*store_, index));
}

AnyClassInfo AnyRegistry::find(std::string_view name) const noexcept {
  return AnyClassInfo(detail::find_entry(*store_, name));
}

bool AnyRegistry::registry_auto_discovery() const noexcept { return discovery_of(*store_).enabled; }
bool AnyRegistry::registry_eager_load() const noexcept { return discovery_of(*store_).eager; }

std::vector<std::string> AnyRegistry::auto_package() const {
  const auto& packages = discovery_of(*store_).packages;
  return {packages.begin(), packages.end()};
}

bool AnyRegistry::registry_populated() const noexcept { return detail::is_populated(*store_); }

bool AnyRegistry::auto_populate_registry() const { return detail::populate(*store_, discovery_of(*store_), true); }

std::vector<std::string> AnyRegistry::auto_import_package_modules() const {
  return detail::import_package_modules(*store_, discovery_of(*store_));
}

std::vector<std::string> AnyRegistry::auto_imported_modules() const { return detail::imported_modules(*store_); }

void AnyRegistry::load_classes() const {
  if (registry_auto_discovery() && !registry_populated()) auto_populate_registry();
  std::vector<PluginFailure> failures;
  const std::size_t count = detail::entry_count(*store_);
  for (std::size_t i = 0; i < count; ++i) {
    try {
      AnyClassInfo(detail::entry_at(*store_, i)).load();
    } catch (const PluginLoadError& e) {
      for (const PluginFailure& f : e.failures()) {  // once per plugin, not once per class of it
        const auto same_file = [&f](const PluginFailure& known) { return known.file == f.file; };
        if (std::none_of(failures.begin(), failures.end(), same_file)) failures.push_back(f);
      }
    }
  }
  if (!failures.empty()) {
    const std::string message = detail::plugin_failures_message(store_->key, failures);
    throw PluginLoadError(message, store_->key, std::move(failures));
  }
}

}  // namespace speculators
