// The check of a library image before it is loaded, behind one interface for every binary
// format: "is this a library this process can load; read its manifest". One reader per
// format, each small and bounds-checked, with its own fuzz target under fuzz/: elf.cpp (built
// where the host loads ELF, every platform but Windows); pe.cpp on Windows.
//
// A reader reads the file where it needs (the headers, the manifest), not whole: discovery
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

/// The bytes of a library image, as the checks ask for them: all in memory (the fuzz target), or
/// read from an open file on demand (PluginFileBytes in plugin_check.cpp).
class ImageBytes {
 public:
  explicit ImageBytes(std::uint64_t size) noexcept : size_(size) {}
  virtual ~ImageBytes() = default;
  ImageBytes(const ImageBytes&) = delete;
  ImageBytes& operator=(const ImageBytes&) = delete;

  /// The file's size in bytes.
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }

  /// The `length` bytes at `offset`, valid as long as this object; empty when they are not
  /// all in the file or cannot be read. Never reads outside the file.
  virtual std::span<const unsigned char> at(std::uint64_t offset, std::size_t length) = 0;

 protected:
  ImageBytes(ImageBytes&&) = default;
  ImageBytes& operator=(ImageBytes&&) = default;

  /// Whether [offset, offset + length) is not empty, lies in the file and is a piece small
  /// enough to read. Compared without adding to `offset`, which could wrap around.
  [[nodiscard]] bool readable(std::uint64_t offset, std::uint64_t length) const noexcept {
    return length != 0 && offset <= size_ && length <= size_ - offset && length <= max_piece;
  }

 private:
  std::uint64_t size_;
};

/// An image held whole in memory.
class MemoryImageBytes final : public ImageBytes {
 public:
  explicit MemoryImageBytes(std::span<const unsigned char> image) noexcept : ImageBytes(image.size()), image_(image) {}
  std::span<const unsigned char> at(std::uint64_t offset, std::size_t length) override {
    if (!readable(offset, length)) return {};
    return image_.subspan(static_cast<std::size_t>(offset), length);
  }

 private:
  std::span<const unsigned char> image_;
};

/// ELF (elf.cpp): why the ELF image starting with `head` (the first bytes of a file of `file_size` bytes) is
/// not a shared object this process can load; empty when it is. Reads nothing outside
/// `head`, so any bytes are safe to give it.
std::string shared_object_problem(std::span<const unsigned char> head, std::uint64_t file_size);

/// Checks that `file` is a library this process can load, and reads its manifest into
/// `manifest` (`manifest.present` stays false when it has none). @returns the problem, empty
/// when the file may be given to the dynamic loader.
std::string check_image(ImageBytes& file, Manifest& manifest);

}  // namespace speculators::detail
