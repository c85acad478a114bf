// The bytes of a library file as a format reader asks for them, bounds-checked: all in memory
// (the fuzz targets, the unit tests), or read from an open file on demand (PluginFileBytes in
// plugin_check.cpp). Each format's reader (elf_check.hpp, formats/pe.hpp) reads through it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace speculators::detail {

/// No piece of a plugin a reader asks for (headers, a note segment, a manifest section) is
/// larger than this in any real plugin; a larger one is a damaged or hostile file, refused
/// rather than read into memory. (A small file can list thousands of pieces that each span
/// all of it.)
inline constexpr std::uint64_t max_piece = std::uint64_t{16} << 20;

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

/// A file held whole in memory.
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

}  // namespace speculators::detail
