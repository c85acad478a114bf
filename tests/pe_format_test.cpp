// The PE reader (src/formats/pe.cpp) on images made here, field by field: it runs on every
// platform, so that what the Windows loader is protected from is tested on the Linux host too.
#include "src/formats/pe.hpp"
#include "src/manifest_reader.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using speculators::detail::check_pe_image;
using speculators::detail::Manifest;

constexpr std::uint32_t read_only_data = 0x40000040;  // initialized data, readable
constexpr std::uint32_t writable_data = 0xC0000040;
constexpr std::uint32_t code = 0x60000020;

struct SectionSpec {
  std::string name;
  std::vector<unsigned char> content;
  std::uint32_t characteristics = read_only_data;
};

void put16(std::vector<unsigned char>& out, std::size_t at, std::uint32_t value) {
  out[at] = static_cast<unsigned char>(value & 0xFFU);
  out[at + 1] = static_cast<unsigned char>((value >> 8U) & 0xFFU);
}

void put32(std::vector<unsigned char>& out, std::size_t at, std::uint32_t value) {
  put16(out, at, value & 0xFFFFU);
  put16(out, at + 2, value >> 16U);
}

// A PE32+ DLL of the given sections, each one's raw data at a 512-byte step after the headers.
struct Image {
  std::uint16_t machine = 0x8664;
  std::uint16_t characteristics = 0x2022;  // a DLL, an executable image, large-address aware
  std::uint16_t optional_magic = 0x20b;
  std::vector<SectionSpec> sections;

  [[nodiscard]] std::vector<unsigned char> bytes() const {
    constexpr std::size_t pe_at = 0x80;
    constexpr std::size_t optional_size = 240;
    const std::size_t table_at = pe_at + 24 + optional_size;
    std::size_t raw_at = (table_at + sections.size() * 40 + 511) / 512 * 512;
    std::vector<unsigned char> out(raw_at);
    out[0] = 'M';
    out[1] = 'Z';
    put32(out, 0x3c, pe_at);
    std::memcpy(out.data() + pe_at, "PE\0\0", 4);
    put16(out, pe_at + 4, machine);
    put16(out, pe_at + 6, static_cast<std::uint32_t>(sections.size()));
    put16(out, pe_at + 20, optional_size);
    put16(out, pe_at + 22, characteristics);
    put16(out, pe_at + 24, optional_magic);
    put32(out, pe_at + 24 + 108, 16);  // NumberOfRvaAndSizes; every directory empty
    for (std::size_t i = 0; i < sections.size(); ++i) {
      const SectionSpec& s = sections[i];
      const std::size_t header = table_at + i * 40;
      std::memcpy(out.data() + header, s.name.data(), std::min<std::size_t>(s.name.size(), 8));
      const auto raw_size = static_cast<std::uint32_t>((s.content.size() + 511) / 512 * 512);
      put32(out, header + 8, static_cast<std::uint32_t>(s.content.size()));
      put32(out, header + 12, static_cast<std::uint32_t>(0x1000 * (i + 1)));
      put32(out, header + 16, raw_size);
      put32(out, header + 20, static_cast<std::uint32_t>(raw_at));
      put32(out, header + 36, s.characteristics);
      out.resize(raw_at + raw_size);
      std::memcpy(out.data() + raw_at, s.content.data(), s.content.size());
      raw_at += raw_size;
    }
    return out;
  }
};

// One manifest record as SPECULATORS_REGISTER leaves it in a Windows plugin's .spcreg.
std::vector<unsigned char> record(std::string_view key) {
  const std::vector<std::string> fields{SPECULATORS_ABI_TAG, "g++",        "ns::Base", std::string(key),
                                        "ns::Derived",       "ns::Base()", "help"};
  std::vector<unsigned char> out(16);
  std::memcpy(out.data(), "SPECMAN1", 8);
  for (const std::string& field : fields) {
    out.insert(out.end(), field.begin(), field.end());
    out.push_back(0);
  }
  while (out.size() % 4 != 0) out.push_back(0);
  put32(out, 8, 1);
  put32(out, 12, static_cast<std::uint32_t>(out.size()));
  return out;
}

Image plugin_with(std::vector<unsigned char> manifest) {
  Image image;
  image.sections = {{".text", std::vector<unsigned char>(100, 0xC3), code}, {".spcreg", std::move(manifest)}};
  return image;
}

std::string problem_of(const std::vector<unsigned char>& bytes, Manifest& manifest) {
  return check_pe_image(bytes, manifest, 0x8664);
}

std::string problem_of(const std::vector<unsigned char>& bytes) {
  Manifest manifest;
  return problem_of(bytes, manifest);
}

TEST(PeFormat, ReadsTheManifestRecordsOfTheManifestSection) {
  std::vector<unsigned char> records = record("alpha");
  records.resize(records.size() + 8);  // alignment padding between two records
  const std::vector<unsigned char> second = record("beta");
  records.insert(records.end(), second.begin(), second.end());
  Manifest manifest;
  ASSERT_EQ(problem_of(plugin_with(records).bytes(), manifest), "");
  EXPECT_TRUE(manifest.present);
  ASSERT_EQ(manifest.entries.size(), 2U);
  EXPECT_EQ(manifest.entries[0].registration.name, "alpha");
  EXPECT_EQ(manifest.entries[1].registration.name, "beta");
  EXPECT_EQ(manifest.entries[1].registration.registry_key, "ns::Base");
  EXPECT_EQ(manifest.entries[1].abi_tag, SPECULATORS_ABI_TAG);
}

TEST(PeFormat, RefusesWhatIsNotADll) {
  EXPECT_NE(problem_of({}).find("is empty"), std::string::npos);
  const std::string text = "This is a text file, not a DLL.\n";
  EXPECT_NE(problem_of({text.begin(), text.end()}).find("no MZ header"), std::string::npos);
  std::vector<unsigned char> dos = plugin_with(record("a")).bytes();
  dos[0x80] = 'N';  // the PE signature
  EXPECT_NE(problem_of(dos).find("without a PE signature"), std::string::npos);
  Image program = plugin_with(record("a"));
  program.characteristics = 0x0022;  // an executable image, not a DLL
  EXPECT_NE(problem_of(program.bytes()).find("not a DLL"), std::string::npos);
}

TEST(PeFormat, RefusesADllOfAnotherMachine) {
  Image other = plugin_with(record("a"));
  other.machine = 0x014c;
  other.optional_magic = 0x10b;
  const std::string problem = problem_of(other.bytes());
  EXPECT_NE(problem.find("is a DLL for i386 (PE machine 332), this process is x86-64"), std::string::npos) << problem;
  // The same bytes are what a 32-bit host loads.
  Manifest manifest;
  EXPECT_EQ(check_pe_image(other.bytes(), manifest, 0x014c), "");
  Image mixed = plugin_with(record("a"));
  mixed.optional_magic = 0x10b;  // PE32 headers on an x86-64 machine field
  EXPECT_NE(problem_of(mixed.bytes()).find("optional header of another format"), std::string::npos);
}

TEST(PeFormat, RefusesATruncatedDllAtEveryLength) {
  const std::vector<unsigned char> whole = plugin_with(record("a")).bytes();
  ASSERT_EQ(problem_of(whole), "");
  for (std::size_t length = 1; length < whole.size(); length += 37) {
    const std::vector<unsigned char> cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(length));
    EXPECT_NE(problem_of(cut), "") << "cut to " << length << " bytes";
  }
  const std::vector<unsigned char> last_byte_cut(whole.begin(), whole.end() - 1);
  EXPECT_NE(problem_of(last_byte_cut).find("is a truncated DLL"), std::string::npos) << problem_of(last_byte_cut);
}

TEST(PeFormat, RefusesAWritableOrExecutableManifestSection) {
  for (const std::uint32_t characteristics : {writable_data, code, std::uint32_t{0x00000040}}) {
    Image image = plugin_with(record("a"));
    image.sections[1].characteristics = characteristics;
    EXPECT_NE(problem_of(image.bytes()).find("writable or executable"), std::string::npos) << characteristics;
  }
  Image twice = plugin_with(record("a"));
  twice.sections.push_back(twice.sections[1]);
  EXPECT_NE(problem_of(twice.bytes()).find("two .spcreg sections"), std::string::npos);
}

TEST(PeFormat, RefusesADamagedManifest) {
  std::vector<unsigned char> damaged = record("a");
  put32(damaged, 12, 4000);  // a record size past the section
  EXPECT_NE(problem_of(plugin_with(damaged).bytes()).find("damaged manifest record"), std::string::npos);
}

TEST(PeFormat, RefusesADllWithNeitherManifestNorEntryPoint) {
  Image library;
  library.sections = {{".text", std::vector<unsigned char>(100, 0xC3), code}};
  EXPECT_NE(problem_of(library.bytes()).find("no entry point speculators_plugin_descriptor() and no manifest"),
            std::string::npos);
}

TEST(PeFormat, RefusesAnImpossibleSectionCount) {
  std::vector<unsigned char> bytes = plugin_with(record("a")).bytes();
  put16(bytes, 0x80 + 6, 0xFFFF);
  EXPECT_NE(problem_of(bytes).find("65535 sections"), std::string::npos);
}

}  // namespace
