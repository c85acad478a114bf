// Plugin side of SPECULATORS_REGISTER: included by <speculators/registry.hpp> only in code
// built with SPECULATORS_PLUGIN (speculators_add_plugin() defines it).
//
// In a plugin, a registration does not touch any registry: it adds an entry to this
// plugin's descriptor, and the host reads the descriptor, checks it and registers the
// entries itself. So a plugin needs no link to the registry library, and nothing it does
// at load time can reach a registry before the host has checked it.
//
// Note: everything here is hidden, so that two plugins loaded into one process each keep
// their own list even when they were built from the same sources.
#pragma once

#include <speculators/plugin_abi.h>
#include <speculators/detail/plugin_entry.hpp>
#include <speculators/registration_record.hpp>

#include <deque>
#include <string>
#include <vector>

#if defined(_WIN32)
// A DLL exports only what it marks dllexport: its inline functions and their statics are its own.
#define SPECULATORS_DETAIL_HIDDEN
#else
#define SPECULATORS_DETAIL_HIDDEN __attribute__((visibility("hidden")))
#endif

namespace speculators::detail::plugin {

/// A registration of this plugin, its texts copied: a view given at registration need not be
/// NUL-terminated, and the C entries handed to the host point into these copies.
struct OwnedEntry {
  BasicRegistrationRecord<std::string> record;
  ErasedFactory factory;
  const void* extension;
};

// A deque: entries never move, so the C strings handed to the host stay valid.
SPECULATORS_DETAIL_HIDDEN inline std::deque<OwnedEntry>& owned_entries() {
  static std::deque<OwnedEntry> entries;
  return entries;
}

SPECULATORS_DETAIL_HIDDEN inline void add_entry(const EntryFields& fields) noexcept {
  try {
    owned_entries().push_back(OwnedEntry{fields.record.owned(), fields.factory, fields.extension});
  } catch (...) {
    // Out of memory while the plugin loads: the class is missing from the descriptor, and
    // the host reports an unknown key if it is asked for. Nothing may escape a static initializer.
  }
}

// The descriptor, built on the first call (the host calls once, after the plugin's static
// initializers have run).
SPECULATORS_DETAIL_HIDDEN inline const SpeculatorsPluginDescriptor* descriptor() {
  static const std::vector<SpeculatorsPluginEntry> raw = [] {
    std::vector<SpeculatorsPluginEntry> out;
    for (const OwnedEntry& e : owned_entries()) out.push_back(plugin_entry_of(e.record, e.factory, e.extension));
    return out;
  }();
  static const SpeculatorsPluginDescriptor d{SPECULATORS_PLUGIN_DESCRIPTOR_VERSION,
                                             static_cast<uint32_t>(sizeof(SpeculatorsPluginEntry)),
                                             SPECULATORS_ABI_TAG,
                                             SPECULATORS_COMPILER_TAG,
                                             raw.size(),
                                             raw.data()};
  return &d;
}

}  // namespace speculators::detail::plugin
