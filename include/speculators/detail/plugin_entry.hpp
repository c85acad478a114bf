// The edge between a registration record and the C entry of a plugin's descriptor
// (<speculators/plugin_abi.h>): one conversion each way, the plugin's and the host's.
#pragma once

#include <speculators/plugin_abi.h>
#include <speculators/registration_record.hpp>

#include <string>
#include <string_view>

namespace speculators::detail {

/// The C entry of `record`, with the plugin's code for it. Its strings are `record`'s, which
/// must outlive the entry (a plugin keeps its records for the life of the process).
inline SpeculatorsPluginEntry plugin_entry_of(const BasicRegistrationRecord<std::string>& record, void (*factory)(void),
                                              const void* extension) noexcept {
  return SpeculatorsPluginEntry{record.registry_key.c_str(),
                                record.name.c_str(),
                                record.type_name.c_str(),
                                record.signature.c_str(),
                                record.description.c_str(),
                                factory,
                                extension};
}

/// The record of a C entry, viewing its strings: a null text is empty, and a null or empty
/// description is the type name, as ClassInfo::description() and the manifest have it.
inline RegistrationRecord record_of(const SpeculatorsPluginEntry& entry) noexcept {
  const auto text = [](const char* s) { return s == nullptr ? std::string_view() : std::string_view(s); };
  const std::string_view description = text(entry.description);
  return {text(entry.registry_key), text(entry.name), text(entry.type_name), text(entry.signature),
          description.empty() ? text(entry.type_name) : description};
}

}  // namespace speculators::detail
