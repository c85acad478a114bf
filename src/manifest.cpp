#include "manifest.hpp"

#include <speculators/detail/manifest.hpp>

#include <cstring>
#include <string_view>

namespace speculators::detail {

namespace {

std::uint32_t little_endian_word(std::span<const unsigned char> bytes) {
  return static_cast<std::uint32_t>(bytes[0]) | static_cast<std::uint32_t>(bytes[1]) << 8U |
         static_cast<std::uint32_t>(bytes[2]) << 16U | static_cast<std::uint32_t>(bytes[3]) << 24U;
}

}  // namespace

std::string parse_manifest(std::span<const unsigned char> section, std::vector<ManifestEntry>& out) {
  std::size_t at = 0;
  while (at < section.size()) {
    if (section[at] == 0) {  // padding the linker put between records
      ++at;
      continue;
    }
    // Built only for an error: this loop runs for every record of every plugin discovered.
    const auto where = [at] { return "manifest record at offset " + std::to_string(at); };
    const std::span<const unsigned char> rest = section.subspan(at);
    if (rest.size() < manifest::header_size ||
        std::memcmp(rest.data(), manifest::magic.data(), manifest::magic.size()) != 0) {
      return "has a damaged " + where() + " (no record header); rebuild the plugin";
    }
    ManifestEntry entry;
    entry.version = little_endian_word(rest.subspan(8, 4));
    const std::uint32_t size = little_endian_word(rest.subspan(12, 4));
    if (entry.version == 0 || entry.version > manifest::version) {
      return "has a " + where() + " of version " + std::to_string(entry.version) + ", this host reads versions 1 to " +
             std::to_string(manifest::version) + "; rebuild the plugin against this host's speculators-registry";
    }
    if (size < manifest::header_size || size > rest.size()) {
      return "has a damaged " + where() + " (size " + std::to_string(size) + "); rebuild the plugin";
    }
    std::string_view* fields[] = {&entry.abi_tag,   &entry.compiler,  &entry.registry_key, &entry.name,
                                  &entry.type_name, &entry.signature, &entry.description};
    std::size_t field_at = manifest::header_size;
    for (std::string_view* field : fields) {
      const void* end = field_at < size ? std::memchr(rest.data() + field_at, 0, size - field_at) : nullptr;
      if (end == nullptr) return "has a damaged " + where() + " (a field is not terminated); rebuild the plugin";
      const auto length = static_cast<std::size_t>(static_cast<const unsigned char*>(end) - (rest.data() + field_at));
      *field = std::string_view(reinterpret_cast<const char*>(rest.data() + field_at), length);
      field_at += length + 1;
    }
    out.push_back(entry);
    at += size;
  }
  return {};
}

std::string parse_manifest_notes(std::span<const unsigned char> notes, std::uint64_t alignment, Manifest& manifest) {
  const auto padded = [alignment](std::uint64_t size) { return (size + alignment - 1) / alignment * alignment; };
  std::uint64_t at = 0;
  while (notes.size() - at >= 12) {  // a note header: name size, descriptor size, type
    const std::span<const unsigned char> note = notes.subspan(static_cast<std::size_t>(at));
    const std::uint64_t name_size = little_endian_word(note.subspan(0, 4));
    const std::uint64_t record_size = little_endian_word(note.subspan(4, 4));
    // The descriptor starts at the segment's alignment from the note's start, as readelf and
    // the dynamic loader read it: 12 + 4 = 16 for the "GNU" property note of an 8-aligned
    // segment, not 12 + 8.
    const std::uint64_t record_at = padded(12 + name_size);
    const std::uint64_t note_size = record_at + padded(record_size);
    if (note_size > note.size()) {
      return "has a damaged note at offset " + std::to_string(at) + " of a note segment (" + std::to_string(note_size) +
             " bytes, " + std::to_string(note.size()) + " left); rebuild the plugin";
    }
    const std::string_view name(reinterpret_cast<const char*>(note.data() + 12), static_cast<std::size_t>(name_size));
    if (name == manifest::note_name && little_endian_word(note.subspan(8, 4)) == manifest::note_type) {
      manifest.present = true;
      const auto record = note.subspan(static_cast<std::size_t>(record_at), static_cast<std::size_t>(record_size));
      if (std::string problem = parse_manifest(record, manifest.entries); !problem.empty()) return problem;
    }
    at += note_size;
  }
  return {};
}

}  // namespace speculators::detail
