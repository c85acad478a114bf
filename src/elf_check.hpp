// What the loader checks in a plugin file before it lets the dynamic loader near it.
//
// glibc's dlopen trusts the file: a truncated library whose segments reach past the end of
// the file is mapped anyway, and the process dies of SIGBUS inside dlopen; a library for
// another machine is reported as "No such file or directory". So the header and the program
// headers are checked here first, from the file's bytes, and the manifest notes are found
// from the program headers and parsed (manifest_reader.hpp), all without loading anything.
//
// The file is read where these need it (the header, the program headers, the note segments,
// all usually in its first page), not whole and not through a general ELF library: discovery
// does this for every plugin it finds, and a plugin of tens of megabytes has a manifest of a
// few hundred bytes (measured in bench/: discovery).
#pragma once

#include <elf.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace speculators::detail {

struct Manifest;

/// The bytes of an ELF file, as the checks ask for them: all in memory (the fuzz target), or
/// read from an open file on demand (PluginFileBytes in elf_check.cpp).
class ElfBytes {
 public:
  explicit ElfBytes(std::uint64_t size) noexcept : size_(size) {}
  virtual ~ElfBytes() = default;
  ElfBytes(const ElfBytes&) = delete;
  ElfBytes& operator=(const ElfBytes&) = delete;

  /// The file's size in bytes.
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }

  /// The `length` bytes at `offset`, valid as long as this object; empty when they are not
  /// all in the file or cannot be read. Never reads outside the file.
  virtual std::span<const unsigned char> at(std::uint64_t offset, std::size_t length) = 0;

 protected:
  ElfBytes(ElfBytes&&) = default;
  ElfBytes& operator=(ElfBytes&&) = default;

 private:
  std::uint64_t size_;
};

/// An ELF file held whole in memory.
class MemoryElfBytes final : public ElfBytes {
 public:
  explicit MemoryElfBytes(std::span<const unsigned char> image) noexcept : ElfBytes(image.size()), image_(image) {}
  std::span<const unsigned char> at(std::uint64_t offset, std::size_t length) override;

 private:
  std::span<const unsigned char> image_;
};

/// Why the ELF image starting with `head` (the first bytes of a file of `file_size` bytes) is
/// not a shared object this process can load; empty when it is. Reads nothing outside
/// `head`, so any bytes are safe to give it.
std::string shared_object_problem(std::span<const unsigned char> head, std::uint64_t file_size);

/// Checks `file` with shared_object_problem() and reads its manifest notes into `manifest`
/// (`manifest.present` stays false when it has none). @returns the problem, empty when the
/// file may be given to the dynamic loader.
std::string check_elf(ElfBytes& file, Manifest& manifest);

/// The identity of a file, to notice it being replaced between the check and the load.
struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t modified_ns = 0;
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

/// What check_plugin_file() learns of the file from the descriptor it checks.
struct CheckedFile {
  FileIdentity identity;
  bool writable_by_others = false;  ///< writable by its group or by others
};

/// Opens the file at `path` once and, from that one descriptor, runs check_elf() on it and
/// fills `checked`. @returns the problem, empty when the file may be given to the dynamic loader.
std::string check_plugin_file(const std::string& path, CheckedFile& checked, Manifest& manifest);

/// The current identity of the file at `path`; all zero when it cannot be read (errno then says why).
FileIdentity identity_of(const std::string& path);

}  // namespace speculators::detail
