// Populate: the one place that touches a registry's discovery state (its populate lock, its
// imported modules, its pending failures), and the import of a base's packages.
#include "loader.hpp"

#include "messages.hpp"
#include "store.hpp"

#include <algorithm>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace speculators {

namespace detail {

namespace {

bool is_ignored(std::string_view module, std::span<const std::string_view> ignored) {
  return std::any_of(ignored.begin(), ignored.end(), [module](std::string_view pattern) {
    return module == pattern ||
           (module.starts_with(pattern) && module.size() > pattern.size() && module[pattern.size()] == '.');
  });
}

// Discovers the modules of every package of `spec` not loaded yet (loader lock taken here).
// @returns the dotted names of the package's modules, and adds failures to `failures`.
std::vector<std::string> import_packages(const detail::DiscoverySpec& spec, std::vector<PluginFailure>& failures) {
  Loader& state = loader();
  refuse_while_loading("discovery");
  std::lock_guard lock(state.mutex);
  // Eagerly, every plugin is checked first, then all are opened back to back, then the
  // registrations of all are read: work between two dlopen calls evicts the dynamic loader's
  // own lists from the caches, and each dlopen walks them (measured in bench/: discovery).
  const Reach first_reach = spec.eager ? Reach::check : Reach::list;
  std::vector<std::pair<Loader::Module*, std::string_view>> taken;
  // Names of modules taken from an earlier package of this base (views of the package cache's
  // names, kept while the lock is held); needed only when the base names several packages.
  std::optional<std::set<std::string_view>> seen;
  if (spec.packages.size() > 1) seen.emplace();
  for (std::string_view package : spec.packages) {
    auto cached = state.package_cache.find(package);
    if (cached == state.package_cache.end()) {
      Loader::PackageScan scan;
      scan.modules = scan_package(state, package, scan.refused);
      cached = state.package_cache.emplace(std::string(package), std::move(scan)).first;
    }
    for (const PluginFailure& f : cached->second.refused) {
      if (is_ignored(f.module, spec.ignored_modules) || !state.reported_refusals.insert(f.file).second) continue;
      failures.push_back(record_failure(state, f));
    }
    for (const PluginModule& module : cached->second.modules) {
      if (is_ignored(module.name, spec.ignored_modules)) {
        if (tracing(state)) {
          trace(state, module.file, "skip",
                detail::message({"module ", module.name, " is in the base's auto_ignore_modules"}));
        }
        continue;
      }
      // In an earlier package of this base too (names are unique within one package's scan).
      if (seen && !seen->insert(module.name).second) {
        if (tracing(state)) {
          trace(state, module.file, "skip",
                detail::message({"module ", module.name, " was taken from an earlier package of the base"}));
        }
        continue;
      }
      Loader::Module& known = module_for(state, module.file);
      if (known.name.empty()) known.name = module.name;
      if (std::optional<PluginFailure> failure = advance_reporting(state, known, first_reach)) {
        failures.push_back(std::move(*failure));
      }
      taken.emplace_back(&known, module.name);
    }
  }
  if (spec.eager) {
    for (const Reach reach : {Reach::open, Reach::load}) {
      for (auto [known, name] : taken) {
        if (std::optional<PluginFailure> failure = advance_reporting(state, *known, reach)) {
          failures.push_back(std::move(*failure));
        }
      }
    }
  }
  std::vector<std::string> names;
  for (auto [known, name] : taken) {
    if (!known->failure) names.emplace_back(name);
  }
  return names;
}

// Keeps `failures` for the store's next call to report (see populate()): a warning handler
// threw before this call could report them.
void keep_failures_pending(detail::RegistryStore& store, std::vector<PluginFailure> failures) {
  std::lock_guard lock(store.populate_mutex);
  store.pending_failures.insert(store.pending_failures.end(), std::make_move_iterator(failures.begin()),
                                std::make_move_iterator(failures.end()));
  store.populated.store(false, std::memory_order_release);
}

}  // namespace

bool is_populated(const RegistryStore& store) noexcept { return store.populated.load(std::memory_order_acquire); }

std::vector<std::string> import_package_modules(RegistryStore& store, const DiscoverySpec& spec) {
  refuse_while_loading("auto_import_package_modules()");
  if (spec.packages.empty()) throw DiscoveryError(missing_package_message(store.key), store.key);
  std::vector<PluginFailure> failures;
  std::vector<std::string> names = import_packages(spec, failures);
  {
    std::lock_guard lock(store.populate_mutex);
    std::set<std::string, std::less<>> known(store.imported_modules.begin(), store.imported_modules.end());
    for (const std::string& name : names) {
      if (known.insert(name).second) store.imported_modules.push_back(name);
    }
  }
  try {
    deliver_warnings();
  } catch (...) {
    // The failures are not lost: with discovery on, the registry's next call reports them
    // (without it, plugin_failures() still lists them).
    if (!failures.empty() && spec.enabled) keep_failures_pending(store, std::move(failures));
    throw;
  }
  if (!failures.empty()) throw_plugin_failures(store.key, std::move(failures));
  return names;
}

bool populate(RegistryStore& store, const DiscoverySpec& spec, bool throw_failures) {
  if (!spec.enabled) throw DiscoveryError(discovery_disabled_message(store.key), store.key);
  refuse_while_loading("discovery");  // before the populate lock, which this thread's discovery may hold
  bool discovered = false;
  std::vector<PluginFailure> failures;  // to be reported by this call
  PluginFailureHandler handler;
  {
    std::lock_guard lock(store.populate_mutex);
    if (store.pending_failures.empty()) {
      if (store.populated.load(std::memory_order_acquire)) return false;
      if (spec.packages.empty()) throw DiscoveryError(missing_package_message(store.key), store.key);
      store.imported_modules = import_packages(spec, failures);
      discovered = true;
    } else {  // kept by an earlier call that throws nothing (find), or whose warning handler threw
      failures = std::exchange(store.pending_failures, {});
    }
    {
      Loader& state = loader();
      std::lock_guard loader_lock(state.mutex);
      handler = state.failure_handler;
    }
    if (!failures.empty() && !handler && !throw_failures) {
      // find() reports absence only: the next call that throws reports these. Until then the
      // registry does not count as populated, so that the next lookup comes back here.
      store.pending_failures = std::exchange(failures, {});
    } else {
      store.populated.store(true, std::memory_order_release);
    }
  }
  // No lock is held from here on: the handlers may call the library.
  try {
    deliver_warnings();
  } catch (...) {
    if (!failures.empty()) keep_failures_pending(store, std::move(failures));
    throw;
  }
  if (!failures.empty() && !handler) throw_plugin_failures(store.key, std::move(failures));
  for (auto it = failures.begin(); it != failures.end(); ++it) {
    try {
      handler(*it);
    } catch (...) {
      // The exception reaches the caller; the failures after this one go to the handler
      // with the registry's next call.
      if (it + 1 != failures.end()) {
        keep_failures_pending(store, {std::make_move_iterator(it + 1), std::make_move_iterator(failures.end())});
      }
      throw;
    }
  }
  return discovered;
}

std::vector<std::string> imported_modules(const RegistryStore& store) {
  refuse_while_loading("auto_imported_modules()");  // the populate lock may be held by this thread's discovery
  auto& mutable_store = const_cast<RegistryStore&>(store);
  std::lock_guard lock(mutable_store.populate_mutex);
  return mutable_store.imported_modules;
}

}  // namespace detail

}  // namespace speculators
