// What the loader checks in a plugin file before it lets the dynamic loader near it.
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
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace speculators::detail {

struct Manifest;

/// No piece of a plugin the checks read (the program headers, a note segment, all the note
/// segments together) is larger than this in any real plugin; a larger one is a damaged or
/// hostile file, refused rather than read into memory. (A small file can list thousands of
/// note segments that each span all of it.)
inline constexpr std::uint64_t max_piece = std::uint64_t{16} << 20;

/// The first read: the header and, in a usual plugin, the program headers and the note
/// segments after them (the manifest of up to about eight classes; more take a second read).
inline constexpr std::size_t head_size = 2048;

/// The bytes of an ELF file, as the checks ask for them: all in memory (the fuzz target), or
/// read from an open file on demand (PluginFileBytes in plugin_check.cpp).
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

  /// Whether [offset, offset + length) is not empty, lies in the file and is a piece small
  /// enough to read. Compared without adding to `offset`, which could wrap around.
  [[nodiscard]] bool readable(std::uint64_t offset, std::uint64_t length) const noexcept {
    return length != 0 && offset <= size_ && length <= size_ - offset && length <= max_piece;
  }

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

}  // namespace speculators::detail
