// Fuzz target: arbitrary bytes as a plugin file. The pre-load check, the note walk and the
// manifest reader are pure functions over bytes: none may read outside them, whatever they
// hold, and each must give the same answer twice.
#include "src/formats/binary_format.hpp"
#include "src/manifest.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

bool same(const std::vector<speculators::detail::ManifestEntry>& a,
          const std::vector<speculators::detail::ManifestEntry>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].version != b[i].version || a[i].abi_tag != b[i].abi_tag || a[i].compiler != b[i].compiler ||
        a[i].registry_key != b[i].registry_key || a[i].name != b[i].name || a[i].type_name != b[i].type_name ||
        a[i].signature != b[i].signature || a[i].description != b[i].description) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace speculators::detail;
  const std::span<const unsigned char> bytes(data, size);

  // The loader gives the first bytes of a file that may be longer: the whole input as the
  // file, and as the head of files a little and much longer.
  const std::string problem = shared_object_problem(bytes, size);
  require(problem == shared_object_problem(bytes, size));
  (void)shared_object_problem(bytes, std::uint64_t{size} + 4096);
  (void)shared_object_problem(bytes, UINT64_MAX);
  if (size > 0) (void)shared_object_problem(bytes.first(size / 2), size);

  // The whole check, as the loader runs it on a plugin file (which reads the same pieces).
  MemoryImageBytes file(bytes);
  Manifest image;
  const std::string image_problem = check_image(file, image);
  Manifest image_again;
  require(check_image(file, image_again) == image_problem && image.present == image_again.present &&
          same(image.entries, image_again.entries));

  // The notes of one segment, as the loader walks each PT_NOTE segment, at both alignments.
  for (const std::uint64_t alignment : {4, 8}) {
    Manifest notes;
    const std::string notes_problem = parse_manifest_notes(bytes, alignment, notes);
    Manifest notes_again;
    require(parse_manifest_notes(bytes, alignment, notes_again) == notes_problem &&
            notes.present == notes_again.present && same(notes.entries, notes_again.entries));
  }

  std::vector<ManifestEntry> section;
  const std::string section_problem = parse_manifest(bytes, section);
  std::vector<ManifestEntry> section_again;
  require(parse_manifest(bytes, section_again) == section_problem && same(section, section_again));
  return 0;
}
