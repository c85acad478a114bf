// The ELF reader: what the loader checks in a plugin file before it lets the dynamic loader near it.
//
// glibc's dlopen trusts the file: a truncated library whose segments reach past the end of
// the file is mapped anyway, and the process dies of SIGBUS inside dlopen; a library for
// another machine is reported as "No such file or directory". So the header and the program
// headers are checked here first, from the file's bytes, and the manifest notes are found
// from the program headers and parsed (manifest.hpp), all without loading anything.
//
// The file is read where these need it (the header, the program headers, the note segments,
// all usually in its first page), not whole and not through a general ELF library: discovery
// does this for every plugin it finds, and a plugin of tens of megabytes has a manifest of a
// few hundred bytes (measured in bench/: discovery).
#include "binary_format.hpp"

#include <speculators/plugin_abi.h>

#include "../manifest.hpp"
#include "../messages.hpp"

#include <elf.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>
#include <utility>

namespace speculators::detail {

namespace {

// The program headers may sit anywhere the header says; a sane library has them in its
// first pages. Reading more than this is not needed to check one.
constexpr std::size_t max_head = 1 << 20;

#if defined(__x86_64__)
constexpr int host_machine = EM_X86_64;
#elif defined(__aarch64__)
constexpr int host_machine = EM_AARCH64;
#else
constexpr int host_machine = -1;
#endif

template <class T>
T read_at(std::span<const unsigned char> bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

// Where the program headers of the ELF image starting with `head` end, from its header;
// 0 when `head` does not hold a whole 64-bit ELF header.
std::uint64_t program_headers_end(std::span<const unsigned char> head) {
  if (head.size() < sizeof(Elf64_Ehdr) || std::memcmp(head.data(), ELFMAG, SELFMAG) != 0 ||
      head[EI_CLASS] != ELFCLASS64) {
    return 0;
  }
  const auto header = read_at<Elf64_Ehdr>(head, 0);
  const std::uint64_t table_size = std::uint64_t{header.e_phnum} * header.e_phentsize;
  return header.e_phoff > UINT64_MAX - table_size ? UINT64_MAX : header.e_phoff + table_size;
}

// Reads the manifest notes of the checked ELF file whose header and program headers are in
// `head`: each note segment (PT_NOTE) is copied into `manifest.bytes`, which its records view,
// and parsed. The copy is sized for all of them first, so it never moves. The segments
// usually lie in the first page, in `head` itself, and cost no further read.
std::string read_manifest_notes(ImageBytes& file, std::span<const unsigned char> head, Manifest& manifest) {
  const auto header = read_at<Elf64_Ehdr>(head, 0);
  const auto program_header = [&](std::uint16_t i) {
    return read_at<Elf64_Phdr>(head, header.e_phoff + std::size_t{i} * sizeof(Elf64_Phdr));
  };
  std::uint64_t total = 0;  // added up before anything is read (each is at most max_piece: no overflow)
  for (std::uint16_t i = 0; i < header.e_phnum; ++i) {
    const auto segment = program_header(i);
    if (segment.p_type == PT_NOTE && segment.p_filesz <= max_piece) total += segment.p_filesz;
  }
  if (total > max_piece) {
    return message({"has note segments of more than ", max_piece,
                    " bytes in all; no plugin has notes that large: the file is damaged or not a plugin"});
  }
  manifest.bytes.reserve(manifest.bytes.size() + total);  // every segment copied below is counted in `total`
  for (std::uint16_t i = 0; i < header.e_phnum; ++i) {
    const auto segment = program_header(i);
    if (segment.p_type != PT_NOTE || segment.p_filesz == 0) continue;
    const std::span<const unsigned char> notes =
        segment.p_filesz > max_piece ? std::span<const unsigned char>() : file.at(segment.p_offset, segment.p_filesz);
    if (notes.empty()) {
      return message({"has a note segment of ", segment.p_filesz, " bytes at offset ", segment.p_offset,
                      ", beyond its ", file.size(),
                      " bytes or too large to be one; the file is damaged, rebuild the plugin"});
    }
    const std::size_t start = manifest.bytes.size();
    manifest.bytes.insert(manifest.bytes.end(), notes.begin(), notes.end());
    const std::span<const unsigned char> copy(manifest.bytes.data() + start, notes.size());
    if (std::string problem = parse_manifest_notes(copy, segment.p_align == 8 ? 8 : 4, manifest); !problem.empty()) {
      return problem;
    }
  }
  return {};
}

// Whether the dynamic string table of the checked ELF file whose program headers are in
// `head` names the plugin entry point: a file without a manifest is a plugin only then (a
// program or another library names no such symbol). Asked only of files without a manifest,
// so the plugins discovery usually reads cost nothing more.
bool names_entry_point(ImageBytes& file, std::span<const unsigned char> head) {
  const auto header = read_at<Elf64_Ehdr>(head, 0);
  std::vector<Elf64_Phdr> loads;
  std::span<const unsigned char> dynamic;
  for (std::uint16_t i = 0; i < header.e_phnum; ++i) {
    const auto segment = read_at<Elf64_Phdr>(head, header.e_phoff + std::size_t{i} * sizeof(Elf64_Phdr));
    if (segment.p_type == PT_LOAD) loads.push_back(segment);
    if (segment.p_type == PT_DYNAMIC && segment.p_filesz <= max_piece)
      dynamic = file.at(segment.p_offset, segment.p_filesz);
  }
  std::uint64_t strtab = 0;
  std::uint64_t strsz = 0;
  for (std::size_t at = 0; at + sizeof(Elf64_Dyn) <= dynamic.size(); at += sizeof(Elf64_Dyn)) {
    const auto entry = read_at<Elf64_Dyn>(dynamic, at);
    if (entry.d_tag == DT_NULL) break;
    if (entry.d_tag == DT_STRTAB) strtab = entry.d_un.d_ptr;
    if (entry.d_tag == DT_STRSZ) strsz = entry.d_un.d_val;
  }
  if (strsz == 0 || strsz > max_piece) return false;
  // The table is named by its address once loaded: the PT_LOAD segment holding it says where
  // that is in the file (each such segment lies inside the file: shared_object_problem()).
  for (const Elf64_Phdr& load : loads) {
    if (strtab < load.p_vaddr || strtab - load.p_vaddr >= load.p_filesz) continue;
    const std::span<const unsigned char> table =
        file.at(load.p_offset + (strtab - load.p_vaddr), static_cast<std::size_t>(strsz));
    constexpr char name[] = "\0" SPECULATORS_PLUGIN_ENTRY_POINT;  // with the NUL that ends it: a whole name
    const std::string_view text(reinterpret_cast<const char*>(table.data()), table.size());
    return text.find(std::string_view(name, sizeof name)) != std::string_view::npos;
  }
  return false;
}

}  // namespace

std::string shared_object_problem(std::span<const unsigned char> head, std::uint64_t file_size) {
  if (file_size == 0) return message({"is empty, not a shared library; rebuild the plugin"});
  if (head.size() < SELFMAG || std::memcmp(head.data(), ELFMAG, SELFMAG) != 0) {
    return message(
        {"is not an ELF file (no ELF magic number); a plugin must be a shared library built with "
         "speculators_add_plugin()"});
  }
  if (head.size() < EI_NIDENT) return message({"is a truncated ELF file (", file_size, " bytes)"});
  if (head[EI_CLASS] != ELFCLASS64) return message({"is a 32-bit ELF file; this host loads 64-bit plugins only"});
  if (head[EI_DATA] != ELFDATA2LSB) return message({"is a big-endian ELF file; this host is little-endian"});
  if (head.size() < sizeof(Elf64_Ehdr)) {
    return message({"is a truncated ELF file (", file_size, " bytes, shorter than its header)"});
  }
  const auto header = read_at<Elf64_Ehdr>(head, 0);
  if (header.e_type != ET_DYN) {
    return message({"is an ELF file but not a shared library (e_type ", header.e_type, ")"});
  }
  if (host_machine >= 0 && header.e_machine != host_machine) {
    return message({"is built for another architecture (ELF machine ", header.e_machine, ", this host is ",
                    host_machine, "); rebuild the plugin for this machine"});
  }
  if (header.e_phentsize != sizeof(Elf64_Phdr) || header.e_phnum == 0) {
    return message({"has no usable program headers; the file is damaged, rebuild the plugin"});
  }
  // Compared without adding to e_phoff, which could wrap around past a huge file_size.
  const std::uint64_t table_size = std::uint64_t{header.e_phnum} * sizeof(Elf64_Phdr);
  if (header.e_phoff > file_size || table_size > file_size - header.e_phoff) {
    return message({"is a truncated ELF file (", file_size,
                    " bytes): its program headers reach past the end; rebuild the plugin"});
  }
  if (header.e_phoff + table_size > head.size()) {
    return message({"has its program headers too far into the file to be checked"});
  }
  for (std::uint16_t i = 0; i < header.e_phnum; ++i) {
    const auto segment = read_at<Elf64_Phdr>(head, header.e_phoff + std::size_t{i} * sizeof(Elf64_Phdr));
    if (segment.p_type != PT_LOAD) continue;
    if (segment.p_offset > file_size || segment.p_filesz > file_size - segment.p_offset) {
      return message({"is a truncated ELF file (", file_size, " bytes): segment ", i, " needs ",
                      segment.p_offset + segment.p_filesz, " bytes; rebuild the plugin"});
    }
  }
  return {};
}

std::string check_image(ImageBytes& file, Manifest& manifest) {
  const std::uint64_t file_size = file.size();
  std::span<const unsigned char> head =
      file.at(0, static_cast<std::size_t>(std::min<std::uint64_t>(file_size, head_size)));
  if (head.empty() && file_size != 0) return message({"cannot be read; check that the file is intact and readable"});
  if (const std::uint64_t end = program_headers_end(head); end > head.size() && end <= max_head && end <= file_size) {
    if (const std::span<const unsigned char> longer = file.at(0, static_cast<std::size_t>(end)); !longer.empty()) {
      head = longer;
    }
  }
  if (std::string problem = shared_object_problem(head, file_size); !problem.empty()) return problem;
  if (std::string problem = read_manifest_notes(file, head, manifest); !problem.empty()) return problem;
  if (!manifest.present && !names_entry_point(file, head)) {
    return message({"has no entry point " SPECULATORS_PLUGIN_ENTRY_POINT
                    "() and no manifest: it is not a speculators plugin but a program or another library. "
                    "Build plugins with speculators_add_plugin()"});
  }
  return {};
}

}  // namespace speculators::detail
