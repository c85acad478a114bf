// Build-time helper: writes a copy of an ELF file for another machine.
//   set_elf_machine <in> <out> <number>   the copy, with e_machine (offset 18, little-endian) set
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: set_elf_machine <in> <out> <number>\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const unsigned long number = std::strtoul(argv[3], nullptr, 10);
  if (bytes.size() <= 20) {
    std::cerr << "set_elf_machine: " << argv[1] << " is too short for an ELF header\n";
    return 1;
  }
  bytes[18] = static_cast<char>(number & 0xffU);
  bytes[19] = static_cast<char>((number >> 8U) & 0xffU);
  std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return out ? 0 : 1;
}
