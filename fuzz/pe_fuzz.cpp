// Fuzz target: arbitrary bytes as a Windows plugin file. The PE check and the manifest reader
// behind it are pure functions over bytes: neither may read outside them, whatever they hold,
// and each must give the same answer twice.
#include "fuzz_support.hpp"
#include "src/formats/pe.hpp"
#include "src/manifest_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

using fuzz_support::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace speculators::detail;
  const std::span<const unsigned char> bytes(data, size);
  // As this process's machine, and as the others the reader names.
  for (const std::uint16_t machine : {pe::this_machine, std::uint16_t{0x014c}, std::uint16_t{0xaa64}}) {
    Manifest manifest;
    const std::string problem = check_pe_image(bytes, manifest, machine);
    Manifest again;
    require(check_pe_image(bytes, again, machine) == problem && manifest.present == again.present &&
            manifest.entries.size() == again.entries.size());
  }
  return 0;
}
