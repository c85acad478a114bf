// A plugin's manifest as read from its file, without loading it (see
// <speculators/detail/manifest.hpp> for how the records are made, and elf_check.hpp for how
// the section is found).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace speculators::detail {

/// One record of a manifest: what one SPECULATORS_REGISTER line of the plugin registers.
struct ManifestEntry {
  std::uint32_t version = 0;
  std::string abi_tag;
  std::string compiler;
  std::string registry_key;
  std::string name;
  std::string type_name;
  std::string signature;
  std::string description;
};

struct Manifest {
  bool present = false;  ///< false: the file has no manifest section (an older build)
  std::vector<ManifestEntry> entries;
};

/// The section that holds the records.
inline constexpr const char* manifest_section = "speculators_manifest";

/// Parses the bytes of a manifest section into `out`. @returns the problem, empty if none.
std::string parse_manifest(std::span<const unsigned char> section, std::vector<ManifestEntry>& out);

}  // namespace speculators::detail
