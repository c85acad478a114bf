#include "pe.hpp"

#include <speculators/plugin_abi.h>

#include "../manifest_reader.hpp"
#include "../messages.hpp"

#include <array>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

namespace speculators::detail {

namespace {

// Sizes and offsets of the PE/COFF format (Microsoft's "PE Format" specification).
constexpr std::size_t dos_header_size = 64;
constexpr std::size_t dos_lfanew_offset = 0x3c;
constexpr std::size_t coff_header_size = 20;  // after the 4-byte signature
constexpr std::size_t section_header_size = 40;
constexpr std::uint16_t optional_magic_pe32 = 0x10b;
constexpr std::uint16_t optional_magic_pe32_plus = 0x20b;
constexpr std::uint16_t file_executable_image = 0x0002;
constexpr std::uint16_t file_dll = 0x2000;
constexpr std::uint32_t section_code = 0x00000020;
constexpr std::uint32_t section_execute = 0x20000000;
constexpr std::uint32_t section_read = 0x40000000;
constexpr std::uint32_t section_write = 0x80000000;
// The Windows loader refuses more sections than this.
constexpr std::uint16_t max_sections = 96;
constexpr std::uint32_t max_export_names = 1U << 16;

std::uint16_t half_at(std::span<const unsigned char> bytes, std::size_t offset) {
  return static_cast<std::uint16_t>(bytes[offset] | bytes[offset + 1] << 8U);
}

std::uint32_t word_at(std::span<const unsigned char> bytes, std::size_t offset) {
  return static_cast<std::uint32_t>(bytes[offset]) | static_cast<std::uint32_t>(bytes[offset + 1]) << 8U |
         static_cast<std::uint32_t>(bytes[offset + 2]) << 16U | static_cast<std::uint32_t>(bytes[offset + 3]) << 24U;
}

const char* machine_name(std::uint16_t machine) {
  switch (machine) {
    case 0x8664:
      return "x86-64";
    case 0x014c:
      return "i386";
    case 0xaa64:
      return "ARM64";
    case 0x01c4:
      return "ARM";
    default:
      return "an unknown machine";
  }
}

struct Section {
  std::array<char, 8> name{};
  std::uint32_t virtual_size = 0;
  std::uint32_t virtual_address = 0;
  std::uint32_t raw_size = 0;
  std::uint32_t raw_offset = 0;
  std::uint32_t characteristics = 0;

  [[nodiscard]] std::string_view short_name() const {
    const void* end = std::memchr(name.data(), 0, name.size());
    return {name.data(),
            end == nullptr ? name.size() : static_cast<std::size_t>(static_cast<const char*>(end) - name.data())};
  }
  // The bytes the section holds in the file: its raw data less the padding to the file
  // alignment (virtual_size, when it is the smaller; a linker may leave it 0 in object-like files).
  [[nodiscard]] std::uint32_t content_size() const {
    return virtual_size != 0 && virtual_size < raw_size ? virtual_size : raw_size;
  }
};

// The headers the checks need, read once.
struct Headers {
  std::uint16_t machine = 0;
  std::uint16_t characteristics = 0;
  std::uint16_t optional_magic = 0;
  std::uint32_t export_rva = 0;
  std::uint32_t export_size = 0;
  std::vector<Section> sections;
};

std::string truncated(std::uint64_t file_size, std::string_view what) {
  return message({"is a truncated DLL (", file_size, " bytes): ", what, " reach past the end; rebuild the plugin"});
}

std::string read_headers(ImageBytes& file, Headers& out) {
  const std::uint64_t file_size = file.size();
  if (file_size == 0) return message({"is empty, not a DLL; rebuild the plugin"});
  const std::span<const unsigned char> dos = file.at(0, dos_header_size);
  if (dos.empty() || dos[0] != 'M' || dos[1] != 'Z') {
    return message({"is not a DLL (no MZ header); a plugin must be a DLL built with speculators_add_plugin()"});
  }
  const std::uint32_t pe_at = word_at(dos, dos_lfanew_offset);
  const std::span<const unsigned char> coff = file.at(pe_at, 4 + coff_header_size);
  if (coff.empty()) return truncated(file_size, "its PE header would");
  if (std::memcmp(coff.data(), "PE\0\0", 4) != 0) {
    return message({"is an MZ executable without a PE signature (a DOS program?), not a DLL"});
  }
  out.machine = half_at(coff, 4);
  const std::uint16_t section_count = half_at(coff, 6);
  const std::uint16_t optional_size = half_at(coff, 20);
  out.characteristics = half_at(coff, 22);

  const std::uint64_t optional_at = std::uint64_t{pe_at} + 4 + coff_header_size;
  const std::span<const unsigned char> optional = file.at(optional_at, optional_size);
  if (optional_size < 2 || optional.empty()) return truncated(file_size, "its optional header would");
  out.optional_magic = half_at(optional, 0);
  // The export table's data directory: entry 0, after the fixed fields (96 bytes in PE32,
  // 112 in PE32+) and the count of directories.
  const std::size_t directories_at = out.optional_magic == optional_magic_pe32_plus ? 112 : 96;
  if (optional.size() >= directories_at + 8 && word_at(optional, directories_at - 4) >= 1) {
    out.export_rva = word_at(optional, directories_at);
    out.export_size = word_at(optional, directories_at + 4);
  }

  if (section_count > max_sections) {
    return message({"has ", section_count, " sections, more than the ", max_sections,
                    " Windows loads; the file is damaged, rebuild the plugin"});
  }
  const std::span<const unsigned char> table =
      file.at(optional_at + optional_size, std::size_t{section_count} * section_header_size);
  if (section_count != 0 && table.empty()) return truncated(file_size, "its section headers would");
  out.sections.reserve(section_count);
  for (std::size_t i = 0; i < section_count; ++i) {
    const std::span<const unsigned char> header = table.subspan(i * section_header_size, section_header_size);
    Section s;
    std::memcpy(s.name.data(), header.data(), s.name.size());
    s.virtual_size = word_at(header, 8);
    s.virtual_address = word_at(header, 12);
    s.raw_size = word_at(header, 16);
    s.raw_offset = word_at(header, 20);
    s.characteristics = word_at(header, 36);
    // Compared in 64 bits: the sum of two 32-bit fields cannot wrap.
    if (s.raw_size != 0 && std::uint64_t{s.raw_offset} + s.raw_size > file_size) {
      return message({"is a truncated DLL (", file_size, " bytes): section ", i, " needs ",
                      std::uint64_t{s.raw_offset} + s.raw_size, " bytes; rebuild the plugin"});
    }
    out.sections.push_back(s);
  }
  return {};
}

std::string machine_problem(const Headers& headers, std::uint16_t machine) {
  if (headers.machine != machine) {
    return message({"is a DLL for ", machine_name(headers.machine), " (PE machine ", headers.machine,
                    "), this process is ", machine_name(machine), "; rebuild the plugin for this machine"});
  }
  const bool wide = machine == 0x8664 || machine == 0xaa64;
  if (headers.optional_magic != (wide ? optional_magic_pe32_plus : optional_magic_pe32)) {
    return message({"has an optional header of another format (magic ", headers.optional_magic,
                    ") than its machine's; the file is damaged, rebuild the plugin"});
  }
  if ((headers.characteristics & file_dll) == 0 || (headers.characteristics & file_executable_image) == 0) {
    return message(
        {"is a PE file but not a DLL (a program or an object file); a plugin must be a DLL built with "
         "speculators_add_plugin()"});
  }
  return {};
}

// The file offset of the `length` bytes at relative virtual address `rva`, when one section's
// raw data holds them all.
std::optional<std::uint64_t> file_offset_of(const Headers& headers, std::uint32_t rva, std::uint32_t length) {
  for (const Section& s : headers.sections) {
    const std::uint64_t start = s.virtual_address;
    if (rva >= start && std::uint64_t{rva} + length <= start + s.raw_size) return s.raw_offset + (rva - start);
  }
  return std::nullopt;
}

// Whether the export table names SPECULATORS_PLUGIN_ENTRY_POINT.
bool exports_entry_point(ImageBytes& file, const Headers& headers) {
  constexpr std::uint32_t directory_size = 40;
  if (headers.export_rva == 0 || headers.export_size < directory_size || headers.export_size > max_piece) return false;
  const auto directory_at = file_offset_of(headers, headers.export_rva, directory_size);
  if (!directory_at) return false;
  const std::span<const unsigned char> directory = file.at(*directory_at, directory_size);
  if (directory.empty()) return false;
  const std::uint32_t name_count = word_at(directory, 24);
  if (name_count > max_export_names) return false;
  const auto names_at = file_offset_of(headers, word_at(directory, 32), name_count * 4);
  if (!names_at) return false;
  const std::span<const unsigned char> names = file.at(*names_at, std::size_t{name_count} * 4);
  constexpr std::string_view wanted{SPECULATORS_PLUGIN_ENTRY_POINT};
  for (std::uint32_t i = 0; i < name_count && !names.empty(); ++i) {
    const auto name_at = file_offset_of(headers, word_at(names, std::size_t{i} * 4), wanted.size() + 1);
    if (!name_at) continue;
    const std::span<const unsigned char> name = file.at(*name_at, wanted.size() + 1);
    if (!name.empty() && std::memcmp(name.data(), wanted.data(), wanted.size()) == 0 && name[wanted.size()] == 0) {
      return true;
    }
  }
  return false;
}

std::string read_manifest_section(ImageBytes& file, const Headers& headers, Manifest& manifest) {
  const Section* found = nullptr;
  for (const Section& s : headers.sections) {
    if (s.short_name() != pe::manifest_section) continue;
    if (found != nullptr) {
      return message({"has two ", pe::manifest_section, " sections; the file is damaged, rebuild the plugin"});
    }
    found = &s;
  }
  if (found == nullptr) return {};
  if ((found->characteristics & (section_write | section_execute | section_code)) != 0 ||
      (found->characteristics & section_read) == 0) {
    return message({"has a manifest section ", pe::manifest_section,
                    " that is writable or executable (it is read-only data in every plugin "
                    "speculators_add_plugin() builds); refused"});
  }
  const std::uint32_t size = found->content_size();
  if (size > max_piece) {
    return message({"has a manifest section of ", size, " bytes; the file is damaged, rebuild the plugin"});
  }
  manifest.present = true;
  if (size == 0) return {};
  const std::span<const unsigned char> bytes = file.at(found->raw_offset, size);
  if (bytes.empty()) return message({"cannot be read; check that the file is intact and readable"});
  manifest.bytes.assign(bytes.begin(), bytes.end());
  return parse_manifest(manifest.bytes, manifest.entries);
}

}  // namespace

std::string check_pe_image(ImageBytes& file, Manifest& manifest, std::uint16_t machine) {
  Headers headers;
  if (std::string problem = read_headers(file, headers); !problem.empty()) return problem;
  if (std::string problem = machine_problem(headers, machine); !problem.empty()) return problem;
  if (std::string problem = read_manifest_section(file, headers, manifest); !problem.empty()) return problem;
  if (!manifest.present && !exports_entry_point(file, headers)) {
    return message({"has no entry point " SPECULATORS_PLUGIN_ENTRY_POINT
                    "() and no manifest: it is not a speculators plugin but a program or another library. "
                    "Build plugins with speculators_add_plugin()"});
  }
  return {};
}

#if defined(_WIN32)
std::string check_image(ImageBytes& file, Manifest& manifest) { return check_pe_image(file, manifest); }
#endif

std::string check_pe_image(std::span<const unsigned char> file, Manifest& manifest, std::uint16_t machine) {
  MemoryImageBytes bytes(file);
  return check_pe_image(bytes, manifest, machine);
}

}  // namespace speculators::detail
