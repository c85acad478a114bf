#include "manifest.hpp"

#include "messages.hpp"

#include <speculators/detail/manifest.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <string_view>

namespace speculators::detail {

namespace {

std::uint32_t little_endian_word(std::span<const unsigned char> bytes) {
  return static_cast<std::uint32_t>(bytes[0]) | static_cast<std::uint32_t>(bytes[1]) << 8U |
         static_cast<std::uint32_t>(bytes[2]) << 16U | static_cast<std::uint32_t>(bytes[3]) << 24U;
}

}  // namespace

std::string parse_manifest(std::span<const unsigned char> section, std::vector<ManifestEntry>& out) {
  if (out.capacity() == 0) out.reserve(4);  // a plugin's few classes, without regrowing
  std::size_t at = 0;
  while (at < section.size()) {
    if (section[at] == 0) {  // padding the linker put between records
      ++at;
      continue;
    }
    const auto damaged = [at](std::string_view what) {
      return message({"has a damaged manifest record at offset ", at, " (", what, "); rebuild the plugin"});
    };
    const std::span<const unsigned char> rest = section.subspan(at);
    if (rest.size() < manifest::header_size ||
        std::memcmp(rest.data(), manifest::magic.data(), manifest::magic.size()) != 0) {
      return damaged("no record header");
    }
    ManifestEntry entry;
    entry.version = little_endian_word(rest.subspan(8, 4));
    const std::uint32_t size = little_endian_word(rest.subspan(12, 4));
    if (entry.version == 0 || entry.version > manifest::version) {
      return message({"has a manifest record at offset ", at, " of version ", entry.version,
                      ", this host reads versions 1 to ", manifest::version,
                      "; rebuild the plugin against this host's speculators-registry"});
    }
    if (size < manifest::header_size || size > rest.size()) {
      return message({"has a damaged manifest record at offset ", at, " (size ", size, "); rebuild the plugin"});
    }
    std::string_view* fields[] = {&entry.abi_tag,   &entry.compiler,  &entry.registry_key, &entry.name,
                                  &entry.type_name, &entry.signature, &entry.description};
    std::size_t field_at = manifest::header_size;
    for (std::string_view* field : fields) {
      const void* end = field_at < size ? std::memchr(rest.data() + field_at, 0, size - field_at) : nullptr;
      if (end == nullptr) return damaged("a field is not terminated");
      const auto length = static_cast<std::size_t>(static_cast<const unsigned char*>(end) - (rest.data() + field_at));
      *field = std::string_view(reinterpret_cast<const char*>(rest.data() + field_at), length);
      field_at += length + 1;
    }
    out.push_back(entry);
    at += size;
  }
  return {};
}

bool is_complete(const SpeculatorsPluginEntry& entry) {
  return entry.registry_key != nullptr && entry.name != nullptr && entry.type_name != nullptr &&
         entry.signature != nullptr && entry.factory != nullptr;
}

namespace {

using Row = std::array<std::string_view, 4>;  // registry, key, type, signature
using MatchedMask = std::uint64_t;            // a bit per manifest entry matched so far

// Manifests of at most this many entries are matched with a mask; larger ones are sorted.
constexpr std::size_t max_matched = std::numeric_limits<MatchedMask>::digits;

template <class E>
Row row_of(const E& e) {
  return Row{e.registry_key, e.name, e.type_name, e.signature};
}

// Whether the complete entries of `descriptor` are those of `manifest`, in any order, matched
// without copies: each registered entry is matched with a manifest entry not matched yet,
// searched from its own position (one step per entry when the orders agree).
bool same_entries_matched(const Manifest& manifest, const SpeculatorsPluginDescriptor& descriptor) {
  const std::size_t declared = manifest.entries.size();
  bool same = true;
  MatchedMask matched = 0;
  for_each_entry(descriptor, [&](std::uint64_t i, const SpeculatorsPluginEntry& e) {
    if (!same || !is_complete(e)) {
      same = false;
      return;
    }
    const Row registered = row_of(e);
    for (std::size_t step = 0; step < declared; ++step) {
      const std::size_t at = (i + step) % declared;
      if ((matched >> at & 1U) == 0 && row_of(manifest.entries[at]) == registered) {
        matched |= MatchedMask{1} << at;
        return;
      }
    }
    same = false;
  });
  return same;
}

// The same for plugins of more classes than the mask holds, compared sorted. Rare: kept out
// of the code a first discovery runs (noinline).
[[gnu::noinline]] bool same_entries_sorted(const Manifest& manifest, const SpeculatorsPluginDescriptor& descriptor) {
  std::vector<Row> rows_declared;
  std::vector<Row> rows_registered;
  rows_declared.reserve(manifest.entries.size());
  for (const auto& e : manifest.entries) rows_declared.push_back(row_of(e));
  for_each_entry(descriptor, [&](std::uint64_t, const SpeculatorsPluginEntry& e) {
    if (is_complete(e)) rows_registered.push_back(row_of(e));
  });
  std::sort(rows_declared.begin(), rows_declared.end());
  std::sort(rows_registered.begin(), rows_registered.end());
  return rows_declared == rows_registered;
}

// The classes registered: the complete entries, or, when the descriptor's count differs
// from the manifest's, that count as declared, without reading an entry (it may be a lie:
// tests/plugins/liar.cpp, FX_LIE_COUNT).
[[gnu::cold]] std::string disagreement_message(std::size_t declared, const SpeculatorsPluginDescriptor& descriptor) {
  std::uint64_t registered = descriptor.entry_count;
  if (registered == declared) {
    registered = 0;
    for_each_entry(descriptor, [&registered](std::uint64_t, const SpeculatorsPluginEntry& e) {
      if (is_complete(e)) ++registered;
    });
  }
  return message({"registered ", registered, " classes but its manifest lists ", declared,
                  " different ones; register classes only with SPECULATORS_REGISTER at namespace scope and rebuild"});
}

}  // namespace

std::string manifest_disagreement(const detail::Manifest& manifest, const SpeculatorsPluginDescriptor& descriptor) {
  // Both come from the same SPECULATORS_REGISTER lines, but the linker may lay out the notes
  // of several classes in another order than their registrations ran.
  const std::size_t declared = manifest.entries.size();
  const bool same =
      declared == descriptor.entry_count && (declared <= max_matched ? same_entries_matched(manifest, descriptor)
                                                                     : same_entries_sorted(manifest, descriptor));
  return same ? std::string() : disagreement_message(declared, descriptor);
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
      return message({"has a damaged note at offset ", at, " of a note segment (", note_size, " bytes, ", note.size(),
                      " left); rebuild the plugin"});
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
