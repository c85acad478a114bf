// One registration as every layer holds it: the registration call, the store's entry, a
// plugin's manifest and descriptor, and the listings of plugins. Conversions happen only at
// the edges: the C entry of <speculators/plugin_abi.h> (detail/plugin_entry.hpp) and the
// bytes of a manifest record (detail/manifest_record.hpp).
#pragma once

#include <string>
#include <string_view>

namespace speculators {

/// What one registration names: the registry it goes into and the class it registers.
/// `Text` is std::string_view (RegistrationRecord: views of texts that outlive the record) or
/// std::string (PluginEntryInfo: a copy, for a result that outlives what it was read from).
template <class Text>
struct BasicRegistrationRecord {
  Text registry_key;  ///< the base's registry key, e.g. "ns::TokenProposal"
  Text name;          ///< the class key, e.g. "greedy"
  Text type_name;     ///< the C++ type, e.g. "ns::GreedyProposal"
  Text signature;     ///< constructor-signature key, e.g. "ns::TokenProposal(int)"
  Text description;   ///< help text; the type name when none was given

  /// The same record as views of this one's texts.
  constexpr BasicRegistrationRecord<std::string_view> view() const noexcept {
    return {registry_key, name, type_name, signature, description};
  }
  /// A copy that owns its texts.
  BasicRegistrationRecord<std::string> owned() const {
    return {std::string(registry_key), std::string(name), std::string(type_name), std::string(signature),
            std::string(description)};
  }

  friend bool operator==(const BasicRegistrationRecord&, const BasicRegistrationRecord&) = default;
};

using RegistrationRecord = BasicRegistrationRecord<std::string_view>;

}  // namespace speculators
