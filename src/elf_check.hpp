// What the loader checks in a plugin file before it lets the dynamic loader near it.
//
// glibc's dlopen trusts the file: a truncated library whose segments reach past the end of
// the file is mapped anyway, and the process dies of SIGBUS inside dlopen; a library for
// another machine is reported as "No such file or directory". So the header and the program
// headers are checked here first, from the file's bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace speculators::detail {

/// Why the ELF image starting with `head` (the first bytes of a file of `file_size` bytes) is
/// not a shared object this process can load; empty when it is. Reads nothing outside
/// `head`, so any bytes are safe to give it.
std::string shared_object_problem(std::span<const unsigned char> head, std::uint64_t file_size);

/// The identity of a file, to notice it being replaced between the check and the load.
struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t modified_ns = 0;
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

/// Where the program headers of the ELF image starting with `head` end, from its header;
/// 0 when `head` does not hold a whole 64-bit ELF header. Reads nothing outside `head`.
std::uint64_t program_headers_end(std::span<const unsigned char> head);

struct Manifest;

/// Opens `file` once and, from that one descriptor, checks it with shared_object_problem()
/// and reads its manifest into `manifest`; fills `identity` from the same descriptor.
/// @returns the problem, empty when the file may be given to the dynamic loader.
std::string check_plugin_file(const std::filesystem::path& file, FileIdentity& identity, Manifest& manifest);

/// The current identity of `file`; all zero when it cannot be read.
FileIdentity identity_of(const std::filesystem::path& file);

}  // namespace speculators::detail
