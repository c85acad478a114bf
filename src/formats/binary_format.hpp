// The bytes of a library file as a format reader asks for them, bounds-checked: all in memory
// (the fuzz targets, the unit tests), or read from an open file on demand (the loader).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace speculators::detail {

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

 private:
  std::uint64_t size_;
};

/// A file held whole in memory.
class MemoryImageBytes final : public ImageBytes {
 public:
  explicit MemoryImageBytes(std::span<const unsigned char> image) noexcept : ImageBytes(image.size()), image_(image) {}
  std::span<const unsigned char> at(std::uint64_t offset, std::size_t length) override {
    if (length == 0 || offset > image_.size() || length > image_.size() - offset) return {};
    return image_.subspan(static_cast<std::size_t>(offset), length);
  }

 private:
  std::span<const unsigned char> image_;
};

}  // namespace speculators::detail
