// The manifest in its ELF form: notes in the file's first page, the reader's steps over other
// notes, and damaged notes and records. POSIX-only (the Windows form is a PE section, whose
// reader has its own suite, pe_format_test.cpp).
#include <speculators/plugins.hpp>

#include <gtest/gtest.h>

#include <elf.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "plugin_test_support.hpp"

namespace {

namespace fs = std::filesystem;

// A copy of the good alpha plugin, with the bytes at `offset` from the start of its manifest
// note (its 12-byte header, then "speculators") replaced by `bytes`.
fs::path damaged_alpha(std::ptrdiff_t offset, const std::string& bytes) {
  std::ifstream in(fx::fixture_root("good") / "fx/good/alpha.so", std::ios::binary);
  std::string image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t name = image.find(std::string("speculators\0SPECMAN1", 20));
  EXPECT_NE(name, std::string::npos) << "no manifest note in alpha.so";
  if (name == std::string::npos) return {};
  image.replace(name - 12 + static_cast<std::size_t>(offset), bytes.size(), bytes);
  const fs::path copy = fx::scratch_dir() / "damaged.so";
  std::ofstream(copy, std::ios::binary | std::ios::trunc) << image;
  return copy;
}

std::string manifest_failure(const fs::path& plugin) {
  return fx::only_failure([&plugin] { speculators::read_plugin_manifest(plugin); }).reason;
}

// The records are ELF notes in the file's first page: the loader reads nothing else to get them.
TEST(PluginManifest, RecordsAreNotesInTheFirstPage) {
  std::ifstream in(fx::fixture_root("good") / "fx/good/alpha.so", std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  const std::size_t name = head.find(std::string("speculators\0SPECMAN1", 20));
  ASSERT_NE(name, std::string::npos);
  // The note header before the name: name size 12, then the record's size, then type 1.
  EXPECT_EQ(head.substr(name - 12, 4), std::string("\x0c\0\0\0", 4));
  EXPECT_EQ(head.substr(name - 4, 4), std::string("\x01\0\0\0", 4));
}

#if defined(__x86_64__)
// A plugin whose first note segment is 8-byte aligned (a GNU property note, before the
// manifest's segment): its notes are laid out at that alignment, and the reader steps over
// them to the manifest.
TEST(PluginManifest, ANoteSegmentAlignedTo8IsSteppedOver) {
  const fs::path plugin = fx::fixture_root("property") / "fx/marked/property.so";
  std::ifstream in(plugin, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  Elf64_Ehdr header{};
  std::memcpy(&header, head.data(), sizeof header);
  bool aligned_to_8 = false;
  for (std::size_t i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr segment{};
    std::memcpy(&segment, head.data() + header.e_phoff + i * sizeof segment, sizeof segment);
    aligned_to_8 = aligned_to_8 || (segment.p_type == PT_NOTE && segment.p_align == 8);
  }
  ASSERT_TRUE(aligned_to_8) << "the fixture has no 8-aligned note segment; the linker dropped the property";
  const speculators::PluginInfo info = speculators::read_plugin_manifest(plugin);
  ASSERT_TRUE(info.has_manifest);
  ASSERT_EQ(info.entries.size(), 1U);
  EXPECT_EQ(info.entries[0].name, "property");
}
#endif

TEST(PluginManifest, ADamagedRecordIsRefusedWithItsOffset) {
  const std::string reason = manifest_failure(damaged_alpha(24, "XPECMAN1"));
  fx::expect_contains(reason, "has a damaged manifest record at offset 0 (no record header)");
}

TEST(PluginManifest, ARecordOfANewerVersionIsRefused) {
  const std::string reason = manifest_failure(damaged_alpha(32, std::string("\x09\0\0\0", 4)));
  fx::expect_contains(reason, "of version 9, this host reads versions 1 to 1");
}

TEST(PluginManifest, ANoteReachingPastItsSegmentIsRefused) {
  const std::string reason = manifest_failure(damaged_alpha(4, std::string("\xff\xff\0\0", 4)));
  fx::expect_contains(reason, "has a damaged note at offset");
}

}  // namespace
