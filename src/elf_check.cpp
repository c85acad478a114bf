#include "elf_check.hpp"

#include "manifest.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

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

// Plugins up to this size are read whole by check_plugin_file().
constexpr std::size_t whole_read_limit = std::size_t{256} * 1024;

// Reads `into.size()` bytes from the start of `fd`, or fewer at the end of the file or on an
// error. @returns the bytes read.
std::size_t read_fully(int fd, std::span<unsigned char> into) {
  std::size_t got = 0;
  while (got < into.size()) {
    const ssize_t n = ::pread(fd, into.data() + got, into.size() - got, static_cast<off_t>(got));
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

FileIdentity identity_from(const struct stat& st) {
  return FileIdentity{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                      static_cast<std::uint64_t>(st.st_size),
                      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

}  // namespace

std::string shared_object_problem(std::span<const unsigned char> head, std::uint64_t file_size) {
  if (file_size == 0) return "is empty, not a shared library; rebuild the plugin";
  if (head.size() < SELFMAG || std::memcmp(head.data(), ELFMAG, SELFMAG) != 0) {
    return "is not an ELF file (no ELF magic number); a plugin must be a shared library built with "
           "speculators_add_plugin()";
  }
  if (head.size() < EI_NIDENT) return "is a truncated ELF file (" + std::to_string(file_size) + " bytes)";
  if (head[EI_CLASS] != ELFCLASS64) return "is a 32-bit ELF file; this host loads 64-bit plugins only";
  if (head[EI_DATA] != ELFDATA2LSB) return "is a big-endian ELF file; this host is little-endian";
  if (head.size() < sizeof(Elf64_Ehdr)) {
    return "is a truncated ELF file (" + std::to_string(file_size) + " bytes, shorter than its header)";
  }
  const auto header = read_at<Elf64_Ehdr>(head, 0);
  if (header.e_type != ET_DYN) {
    return "is an ELF file but not a shared library (e_type " + std::to_string(header.e_type) + ")";
  }
  if (host_machine >= 0 && header.e_machine != host_machine) {
    return "is built for another architecture (ELF machine " + std::to_string(header.e_machine) + ", this host is " +
           std::to_string(host_machine) + "); rebuild the plugin for this machine";
  }
  if (header.e_phentsize != sizeof(Elf64_Phdr) || header.e_phnum == 0) {
    return "has no usable program headers; the file is damaged, rebuild the plugin";
  }
  // Compared without adding to e_phoff, which could wrap around past a huge file_size.
  const std::uint64_t table_size = std::uint64_t{header.e_phnum} * sizeof(Elf64_Phdr);
  if (header.e_phoff > file_size || table_size > file_size - header.e_phoff) {
    return "is a truncated ELF file (" + std::to_string(file_size) +
           " bytes): its program headers reach past the end; rebuild the plugin";
  }
  if (header.e_phoff + table_size > head.size()) return "has its program headers too far into the file to be checked";
  for (std::uint16_t i = 0; i < header.e_phnum; ++i) {
    const auto segment = read_at<Elf64_Phdr>(head, header.e_phoff + std::size_t{i} * sizeof(Elf64_Phdr));
    if (segment.p_type != PT_LOAD) continue;
    if (segment.p_offset > file_size || segment.p_filesz > file_size - segment.p_offset) {
      return "is a truncated ELF file (" + std::to_string(file_size) + " bytes): segment " + std::to_string(i) +
             " needs " + std::to_string(segment.p_offset + segment.p_filesz) + " bytes; rebuild the plugin";
    }
  }
  return {};
}

std::uint64_t program_headers_end(std::span<const unsigned char> head) {
  if (head.size() < sizeof(Elf64_Ehdr) || std::memcmp(head.data(), ELFMAG, SELFMAG) != 0 ||
      head[EI_CLASS] != ELFCLASS64) {
    return 0;
  }
  const auto header = read_at<Elf64_Ehdr>(head, 0);
  const std::uint64_t table_size = std::uint64_t{header.e_phnum} * header.e_phentsize;
  return header.e_phoff > UINT64_MAX - table_size ? UINT64_MAX : header.e_phoff + table_size;
}

std::string check_plugin_file(const std::filesystem::path& file, FileIdentity& identity, Manifest& manifest) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return std::string("cannot be opened: ") + std::strerror(errno) +
           "; check that the file exists and that this process may read it";
  }
  struct stat st {};
  std::string problem;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    problem = "is not a regular file (a directory, a pipe or a device); a plugin is a shared library file";
  } else {
    identity = identity_from(st);
    const auto file_size = static_cast<std::uint64_t>(st.st_size);
    // A plugin of ordinary size is read whole, with one call, and checked and parsed in memory:
    // system calls are most of what discovery costs (measured in bench/: discovery). A larger
    // one is read in parts: the header and program headers here, the manifest by libelf.
    const std::size_t whole = file_size <= whole_read_limit ? static_cast<std::size_t>(file_size) : 0;
    std::size_t head_size = whole != 0 ? whole : std::min<std::size_t>(4096, static_cast<std::size_t>(file_size));
    // One buffer per thread, kept: a discovery reads file after file, and allocating each
    // anew costs more than the read (measured in bench/: discovery at N = 1,000).
    thread_local std::vector<unsigned char> buffer;
    const auto read_head = [&] {
      if (buffer.size() < head_size) buffer.resize(head_size);
      return read_fully(fd, {buffer.data(), head_size});
    };
    std::size_t got = read_head();
    if (whole == 0 && got == head_size) {
      const std::uint64_t end = program_headers_end({buffer.data(), got});
      if (end > got && end <= max_head && end <= file_size) {
        head_size = static_cast<std::size_t>(end);
        got = read_head();
      }
    }
    problem = shared_object_problem({buffer.data(), got}, file_size);
    if (problem.empty()) {
      problem = whole != 0 ? read_manifest(std::span<unsigned char>(buffer.data(), got), manifest)
                           : read_manifest(fd, manifest);
    }
  }
  ::close(fd);
  return problem;
}

FileIdentity identity_of(const std::filesystem::path& file) {
  struct stat st {};
  return ::stat(file.c_str(), &st) == 0 ? identity_from(st) : FileIdentity{};
}

}  // namespace speculators::detail
