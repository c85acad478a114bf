// A plugin's manifest as read from its file, without loading it (see
// <speculators/detail/manifest.hpp> for how the records are made, and formats/binary_format.hpp for how
// its notes are found).
#pragma once

#include <speculators/plugin_abi.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace speculators::detail {

/// One record of a manifest: what one SPECULATORS_REGISTER line of the plugin registers. The
/// texts are views of the bytes parsed (Manifest::bytes).
struct ManifestEntry {
  std::uint32_t version = 0;
  std::string_view abi_tag;
  std::string_view compiler;
  std::string_view registry_key;
  std::string_view name;
  std::string_view type_name;
  std::string_view signature;
  std::string_view description;
};

/// A plugin's manifest: the bytes of its note segments, kept, and the records parsed from them
/// (one copy rather than seven strings a record: discovery reads one per plugin).
struct Manifest {
  Manifest() = default;
  Manifest(Manifest&&) noexcept = default;
  Manifest& operator=(Manifest&&) noexcept = default;
  Manifest(const Manifest&) = delete;  // the entries view `bytes`
  Manifest& operator=(const Manifest&) = delete;
  ~Manifest() = default;

  bool present = false;  ///< false: the file has no manifest notes (an older build, or none made)
  std::vector<unsigned char> bytes;
  std::vector<ManifestEntry> entries;
};

/// Parses manifest records (one, or several with zero bytes between them) into `out`, whose
/// texts view `section`. @returns the problem, empty if none.
std::string parse_manifest(std::span<const unsigned char> section, std::vector<ManifestEntry>& out);

/// Parses the manifest records among the ELF notes of one note segment (`alignment`: the
/// segment's, 4 or 8) into `manifest`, setting `manifest.present` when it holds any; notes of
/// other owners are skipped. The records view `notes`. @returns the problem, empty if none.
std::string parse_manifest_notes(std::span<const unsigned char> notes, std::uint64_t alignment, Manifest& manifest);

/// Calls `visit(index, entry)` for each entry of a checked descriptor, in order.
template <class Visit>
void for_each_entry(const SpeculatorsPluginDescriptor& descriptor, Visit visit) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(descriptor.entries);
  for (std::uint64_t i = 0; i < descriptor.entry_count; ++i) {
    visit(i, *reinterpret_cast<const SpeculatorsPluginEntry*>(bytes + i * descriptor.entry_size));
  }
}

/// Whether the entry names all the host needs to register it (the description may be null).
bool is_complete(const SpeculatorsPluginEntry& entry);

/// Empty when the manifest lists exactly the classes the loaded plugin registered, in any
/// order; else why not. The entries are read only when their count is the manifest's.
std::string manifest_disagreement(const Manifest& manifest, const SpeculatorsPluginDescriptor& descriptor);

}  // namespace speculators::detail
