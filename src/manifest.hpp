// Reading a plugin's manifest from its file, without loading it (see
// <speculators/detail/manifest.hpp> for how the records are made).
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

/// Finds and parses the manifest section of the ELF image in memory. @returns the problem.
std::string read_manifest(std::span<const unsigned char> image, Manifest& out);

/// The same, reading the image in place (libelf takes a mutable buffer; it is not changed for
/// an image in the host's byte order).
std::string read_manifest(std::span<unsigned char> image, Manifest& out);

/// Finds and parses the manifest section of the open file `fd`, reading it with libelf.
/// @returns the problem.
std::string read_manifest(int fd, Manifest& out);

}  // namespace speculators::detail
