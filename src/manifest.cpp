#include "manifest.hpp"

#include <speculators/detail/manifest.hpp>

#include <gelf.h>
#include <libelf.h>

#include <cstring>
#include <memory>
#include <string_view>

namespace speculators::detail {

namespace {

std::uint32_t little_endian_word(std::span<const unsigned char> bytes) {
  return static_cast<std::uint32_t>(bytes[0]) | static_cast<std::uint32_t>(bytes[1]) << 8U |
         static_cast<std::uint32_t>(bytes[2]) << 16U | static_cast<std::uint32_t>(bytes[3]) << 24U;
}

std::string libelf_problem(std::string_view what) { return std::string(what) + ": " + elf_errmsg(-1); }

struct ElfCloser {
  void operator()(Elf* elf) const noexcept { elf_end(elf); }
};
using ElfPtr = std::unique_ptr<Elf, ElfCloser>;

bool libelf_ready() {
  static const bool ready = elf_version(EV_CURRENT) != EV_NONE;
  return ready;
}

std::string manifest_in(Elf* elf, Manifest& out) {
  if (elf == nullptr) return libelf_problem("cannot be read as ELF");
  if (elf_kind(elf) != ELF_K_ELF) return "is not an ELF file";
  std::size_t names_index = 0;
  if (elf_getshdrstrndx(elf, &names_index) != 0) return libelf_problem("has no readable section names");
  for (Elf_Scn* section = elf_nextscn(elf, nullptr); section != nullptr; section = elf_nextscn(elf, section)) {
    GElf_Shdr header{};
    if (gelf_getshdr(section, &header) == nullptr) return libelf_problem("has a damaged section header");
    const char* name = elf_strptr(elf, names_index, header.sh_name);
    if (name == nullptr || std::strcmp(name, manifest_section) != 0) continue;
    out.present = true;
    if (header.sh_type == SHT_NOBITS) return "has an empty manifest section";
    Elf_Data* data = elf_getdata(section, nullptr);
    if (data == nullptr) return libelf_problem("has an unreadable manifest section");
    if (data->d_buf == nullptr) return "has an empty manifest section";
    return parse_manifest({static_cast<const unsigned char*>(data->d_buf), data->d_size}, out.entries);
  }
  return {};
}

}  // namespace

std::string parse_manifest(std::span<const unsigned char> section, std::vector<ManifestEntry>& out) {
  std::size_t at = 0;
  while (at < section.size()) {
    if (section[at] == 0) {  // padding the linker put between records
      ++at;
      continue;
    }
    // Built only for an error: this loop runs for every record of every plugin discovered.
    const auto where = [at] { return "manifest record at offset " + std::to_string(at); };
    const std::span<const unsigned char> rest = section.subspan(at);
    if (rest.size() < manifest::header_size ||
        std::memcmp(rest.data(), manifest::magic.data(), manifest::magic.size()) != 0) {
      return "has a damaged " + where() + " (no record header); rebuild the plugin";
    }
    ManifestEntry entry;
    entry.version = little_endian_word(rest.subspan(8, 4));
    const std::uint32_t size = little_endian_word(rest.subspan(12, 4));
    if (entry.version == 0 || entry.version > manifest::version) {
      return "has a " + where() + " of version " + std::to_string(entry.version) + ", this host reads versions 1 to " +
             std::to_string(manifest::version) + "; rebuild the plugin against this host's speculators-registry";
    }
    if (size < manifest::header_size || size > rest.size()) {
      return "has a damaged " + where() + " (size " + std::to_string(size) + "); rebuild the plugin";
    }
    std::string* fields[] = {&entry.abi_tag,   &entry.compiler,  &entry.registry_key, &entry.name,
                             &entry.type_name, &entry.signature, &entry.description};
    std::size_t field_at = manifest::header_size;
    for (std::string* field : fields) {
      const void* end = field_at < size ? std::memchr(rest.data() + field_at, 0, size - field_at) : nullptr;
      if (end == nullptr) return "has a damaged " + where() + " (a field is not terminated); rebuild the plugin";
      const auto length = static_cast<std::size_t>(static_cast<const unsigned char*>(end) - (rest.data() + field_at));
      field->assign(reinterpret_cast<const char*>(rest.data() + field_at), length);
      field_at += length + 1;
    }
    out.push_back(std::move(entry));
    at += size;
  }
  return {};
}

std::string read_manifest(std::span<unsigned char> image, Manifest& out) {
  if (!libelf_ready()) return libelf_problem("cannot be read: libelf is unusable");
  const ElfPtr elf(elf_memory(reinterpret_cast<char*>(image.data()), image.size()));
  return manifest_in(elf.get(), out);
}

std::string read_manifest(std::span<const unsigned char> image, Manifest& out) {
  // A copy, so that the caller's bytes stay untouched whatever libelf does with its buffer.
  std::vector<unsigned char> copy(image.begin(), image.end());
  return read_manifest(std::span<unsigned char>(copy), out);
}

std::string read_manifest(int fd, Manifest& out) {
  if (!libelf_ready()) return libelf_problem("cannot be read: libelf is unusable");
  // ELF_C_READ reads into memory rather than mapping: a file truncated meanwhile is a read
  // error, not a SIGBUS.
  const ElfPtr elf(elf_begin(fd, ELF_C_READ, nullptr));
  return manifest_in(elf.get(), out);
}

}  // namespace speculators::detail
