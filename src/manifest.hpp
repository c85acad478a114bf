// A plugin's manifest as read from its file, without loading it (see
// <speculators/detail/manifest.hpp> for how the records are made, and elf_check.hpp for how
// the section is found).
#pragma once

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

/// A plugin's manifest: its section's bytes, kept, and the records parsed from them (one copy
/// of the section rather than seven strings a record: discovery reads one per plugin).
struct Manifest {
  Manifest() = default;
  Manifest(Manifest&&) noexcept = default;
  Manifest& operator=(Manifest&&) noexcept = default;
  Manifest(const Manifest&) = delete;  // the entries view `bytes`
  Manifest& operator=(const Manifest&) = delete;
  ~Manifest() = default;

  bool present = false;  ///< false: the file has no manifest section (an older build)
  std::vector<unsigned char> bytes;
  std::vector<ManifestEntry> entries;
};

/// The section that holds the records.
inline constexpr const char* manifest_section = "speculators_manifest";

/// Parses the bytes of a manifest section into `out`, whose texts view `section`. @returns the
/// problem, empty if none.
std::string parse_manifest(std::span<const unsigned char> section, std::vector<ManifestEntry>& out);

}  // namespace speculators::detail
