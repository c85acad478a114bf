// Fuzz target: arbitrary bytes as a plugin file. The pre-load check, the note walk and the
// manifest reader are pure functions over bytes: none may read outside them, whatever they
// hold, and each must give the same answer twice.
#include "fuzz_support.hpp"
#include "src/formats/binary_format.hpp"
#include "src/manifest_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

using fuzz_support::require;

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
          image.entries == image_again.entries);

  // The notes of one segment, as the loader walks each PT_NOTE segment, at both alignments.
  for (const std::uint64_t alignment : {4, 8}) {
    Manifest notes;
    const std::string notes_problem = parse_manifest_notes(bytes, alignment, notes);
    Manifest notes_again;
    require(parse_manifest_notes(bytes, alignment, notes_again) == notes_problem &&
            notes.present == notes_again.present && notes.entries == notes_again.entries);
  }

  std::vector<manifest::Record> section;
  const std::string section_problem = parse_manifest(bytes, section);
  std::vector<manifest::Record> section_again;
  require(parse_manifest(bytes, section_again) == section_problem && section == section_again);
  return 0;
}
