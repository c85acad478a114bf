// Build-time helper: writes a damaged copy of a plugin file.
//   make_bad_copy truncate <in> <out> <bytes>   the first <bytes> bytes
//   make_bad_copy machine  <in> <out> <number>  ELF e_machine (offset 18, little-endian) set
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: make_bad_copy truncate|machine <in> <out> <number>\n";
    return 2;
  }
  const std::string_view mode = argv[1];
  std::ifstream in(argv[2], std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const unsigned long number = std::strtoul(argv[4], nullptr, 10);
  if (mode == "truncate" && number < bytes.size()) {
    bytes.resize(number);
  } else if (mode == "machine" && bytes.size() > 20) {
    bytes[18] = static_cast<char>(number & 0xffU);
    bytes[19] = static_cast<char>((number >> 8U) & 0xffU);
  } else {
    std::cerr << "make_bad_copy: cannot " << mode << ' ' << argv[2] << '\n';
    return 1;
  }
  std::ofstream out(argv[3], std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return out ? 0 : 1;
}
