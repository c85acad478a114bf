// Registries by name: the keys a process can reach, and the key a short name means.
#include <speculators/plugins.hpp>

#include <algorithm>

#include "messages.hpp"
#include "store.hpp"

namespace speculators {

namespace {

// The last `components` "::"-separated components of `key`; all of it when it has no more.
std::string_view key_tail(std::string_view key, std::size_t components) {
  std::size_t end = key.size();
  for (std::size_t n = 0; n < components; ++n) {
    const std::size_t separator = end < 2 ? std::string_view::npos : key.rfind("::", end - 2);
    if (separator == std::string_view::npos) return key;
    end = separator;
  }
  return key.substr(end + 2);
}

std::size_t component_count(std::string_view name) {
  std::size_t count = 1;
  for (std::size_t at = name.find("::"); at != std::string_view::npos; at = name.find("::", at + 2)) ++count;
  return count;
}

}  // namespace

std::vector<std::string> known_registry_keys() {
  std::vector<std::string> keys;
  for (const detail::RegistryStore* store : detail::all_stores()) keys.push_back(store->key);
  for (const PluginModule& module : find_package_modules("")) {
    try {
      for (PluginEntryInfo& entry : read_plugin_manifest(module.file).entries) {
        keys.push_back(std::move(entry.registry_key));
      }
    } catch (const PluginLoadError&) {
      // A file that is not a plugin names no registry; discovery and doctor report it.
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

std::string resolve_registry_key(std::string_view name) {
  if (detail::existing_store(name) != nullptr) return std::string(name);
  const std::vector<std::string> known = known_registry_keys();
  const std::vector<std::string_view> keys(known.begin(), known.end());
  const std::size_t components = component_count(name);
  std::vector<std::string_view> tails;
  std::vector<std::string_view> matches;
  for (const std::string_view key : keys) {
    if (key == name) return std::string(key);
    tails.push_back(key_tail(key, components));
    if (tails.back() == name) matches.push_back(key);
  }
  if (matches.size() == 1) return std::string(matches.front());
  if (matches.size() > 1) {
    throw UnknownKeyError(detail::ambiguous_registry_message(name, matches), std::string(name));
  }
  // Suggested by their tails, as the name was written; each tail ends where its key ends.
  std::vector<std::string_view> close;
  for (const std::string_view tail : detail::closest_keys(name, tails)) {
    const auto key = std::find_if(keys.begin(), keys.end(),
                                  [&](std::string_view k) { return k.data() + k.size() == tail.data() + tail.size(); });
    close.push_back(*key);
  }
  throw UnknownKeyError(detail::unknown_registry_message(name, keys, close), std::string(name));
}

}  // namespace speculators
