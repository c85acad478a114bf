// Build-time helper: writes a fleet of N distinct plugins from one template plugin.
//
// Usage: make_fleet TEMPLATE ROOT PACKAGE COUNT [PLACEHOLDER]
//   TEMPLATE     a plugin built by speculators_add_plugin() whose key (and, if wanted, class
//                name) holds PLACEHOLDER, "fleet_000000" unless given
//   ROOT         a search-path entry; the copies go to ROOT/<package dirs>/<name>.so
//   PACKAGE      the dotted package name, e.g. fx.fleet
//   COUNT        how many copies, named PLACEHOLDER with its trailing digits replaced by
//                0, 1, ... COUNT-1 written at the same width (fleet_000000, fleet_000001, ...)
//
// Copy i is the template with every occurrence of the placeholder's bytes replaced by the
// i-th name. The names have the placeholder's length, so no offset in the file moves: the
// descriptor's strings and the manifest records (notes, section .note.speculators) both carry the
// copy's own key, and each copy is a distinct, valid plugin. Compiling N plugins costs seconds
// each; copying costs microseconds.
//
// Refused (exit 1, with the reason): a template without the placeholder, a placeholder
// without trailing digits or too narrow for COUNT, and a placeholder inside a dynamic symbol
// name (.dynstr): the dynamic loader finds symbols through hash tables computed from those
// names, which a rewrite would leave stale. Keep the placeholder out of exported names (an
// anonymous namespace or hidden visibility, as speculators_add_plugin() builds).
//
// Copies left by an earlier, larger run (names of this placeholder numbered COUNT or more)
// are removed, so the package holds exactly COUNT of them. Each copy is written to a
// temporary file and renamed, with mode 0755 (discovery refuses plugins writable by others).
// The last copy is written last, so a build may use it as the output that stands for all.
#include <elf.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;

/// A placeholder split into its fixed text and its trailing digits.
struct Placeholder {
  std::string text;
  std::size_t prefix_size = 0;  ///< text before the trailing digits
  std::size_t width() const { return text.size() - prefix_size; }

  /// The i-th name: the prefix, then `i` zero-padded to the digits' width.
  std::string name(std::size_t index) const {
    std::string digits = std::to_string(index);
    return text.substr(0, prefix_size) + std::string(width() - digits.size(), '0') + digits;
  }

  /// The index a file stem stands for, or npos when it is not one of this placeholder's names.
  std::size_t index_of(std::string_view stem) const {
    if (stem.size() != text.size() || stem.substr(0, prefix_size) != std::string_view(text).substr(0, prefix_size)) {
      return std::string_view::npos;
    }
    std::size_t index = 0;
    const char* first = stem.data() + prefix_size;
    const char* last = stem.data() + stem.size();
    const auto [end, ec] = std::from_chars(first, last, index);
    return ec == std::errc() && end == last ? index : std::string_view::npos;
  }
};

Placeholder parse_placeholder(std::string text, std::size_t count) {
  const std::size_t last_non_digit = text.find_last_not_of("0123456789");
  const std::size_t prefix = last_non_digit == std::string::npos ? 0 : last_non_digit + 1;
  Placeholder placeholder{std::move(text), prefix};
  if (placeholder.width() == 0) {
    throw std::runtime_error("placeholder \"" + placeholder.text + "\" does not end in digits to number the copies");
  }
  if (count > 0 && placeholder.name(count - 1).size() != placeholder.text.size()) {
    throw std::runtime_error("placeholder \"" + placeholder.text + "\" has " + std::to_string(placeholder.width()) +
                             " digits, too few to number " + std::to_string(count) + " copies");
  }
  return placeholder;
}

std::vector<char> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Offsets of the occurrences of `needle` in `bytes`, left to right, none overlapping.
std::vector<std::size_t> occurrences(const std::vector<char>& bytes, std::string_view needle) {
  std::vector<std::size_t> found;
  const auto searcher = std::boyer_moore_horspool_searcher(needle.begin(), needle.end());
  for (auto it = bytes.begin();;) {
    it = std::search(it, bytes.end(), searcher);
    if (it == bytes.end()) break;
    found.push_back(static_cast<std::size_t>(it - bytes.begin()));
    it += static_cast<std::ptrdiff_t>(needle.size());
  }
  return found;
}

/// The [begin, end) byte range of section .dynstr, or an empty range when there is none.
/// @throws std::runtime_error when the file is not a 64-bit ELF file with readable section headers
std::pair<std::size_t, std::size_t> dynstr_range(const std::vector<char>& bytes, const fs::path& path) {
  const auto fail = [&path](const std::string& why) { return std::runtime_error(path.string() + ": " + why); };
  Elf64_Ehdr header{};
  if (bytes.size() < sizeof header) throw fail("too short for an ELF header");
  std::memcpy(&header, bytes.data(), sizeof header);
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64) {
    throw fail("is not a 64-bit ELF file");
  }
  if (header.e_shentsize != sizeof(Elf64_Shdr) || header.e_shoff > bytes.size() ||
      header.e_shnum > (bytes.size() - header.e_shoff) / sizeof(Elf64_Shdr) || header.e_shstrndx >= header.e_shnum) {
    throw fail("has a damaged section header table");
  }
  const auto section = [&](std::size_t i) {
    Elf64_Shdr s{};
    std::memcpy(&s, bytes.data() + header.e_shoff + i * sizeof s, sizeof s);
    return s;
  };
  const Elf64_Shdr names = section(header.e_shstrndx);
  for (std::size_t i = 0; i < header.e_shnum; ++i) {
    const Elf64_Shdr s = section(i);
    if (s.sh_type != SHT_STRTAB || names.sh_offset > bytes.size() || s.sh_name >= bytes.size() - names.sh_offset) {
      continue;
    }
    const char* name = bytes.data() + names.sh_offset + s.sh_name;
    const std::size_t room = bytes.size() - names.sh_offset - s.sh_name;
    if (std::string_view(name, strnlen(name, room)) == ".dynstr") return {s.sh_offset, s.sh_offset + s.sh_size};
  }
  return {0, 0};
}

/// Writes `bytes` to `target` through a temporary file, mode 0755.
void write_copy(const std::vector<char>& bytes, const fs::path& target) {
  fs::path temporary = target;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
  }
  fs::permissions(temporary, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                 fs::perms::others_read | fs::perms::others_exec);
  fs::rename(temporary, target);
}

void make_fleet(const fs::path& template_file, const fs::path& root, std::string package, std::size_t count,
                const Placeholder& placeholder) {
  std::vector<char> bytes = read_file(template_file);
  const std::vector<std::size_t> at = occurrences(bytes, placeholder.text);
  if (at.empty()) {
    throw std::runtime_error("placeholder \"" + placeholder.text + "\" not found in " + template_file.string() +
                             "; give the template's key that text");
  }
  const auto [dynstr_begin, dynstr_end] = dynstr_range(bytes, template_file);
  for (std::size_t offset : at) {
    if (offset + placeholder.text.size() > dynstr_begin && offset < dynstr_end) {
      throw std::runtime_error("placeholder \"" + placeholder.text + "\" is part of a dynamic symbol name in " +
                               template_file.string() +
                               "; rewriting it would leave the symbol hash tables stale. Keep it out of exported "
                               "names (anonymous namespace or hidden visibility)");
    }
  }

  std::replace(package.begin(), package.end(), '.', '/');
  const fs::path directory = root / package;
  fs::create_directories(directory);
  for (const auto& entry : fs::directory_iterator(directory)) {
    const std::size_t index = placeholder.index_of(entry.path().stem().string());
    if (entry.path().extension() == ".so" && index != std::string_view::npos && index >= count) {
      fs::remove(entry.path());
    }
  }
  for (std::size_t i = 0; i < count; ++i) {
    const std::string name = placeholder.name(i);
    for (std::size_t offset : at)
      std::copy(name.begin(), name.end(), bytes.begin() + static_cast<std::ptrdiff_t>(offset));
    write_copy(bytes, directory / (name + ".so"));
  }
  std::printf("make_fleet: %zu copies of %s in %s (%zu occurrences of \"%s\" each)\n", count,
              template_file.filename().c_str(), directory.c_str(), at.size(), placeholder.text.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) {
    std::fprintf(stderr, "usage: make_fleet TEMPLATE ROOT PACKAGE COUNT [PLACEHOLDER]\n");
    return 2;
  }
  try {
    std::size_t count = 0;
    const std::string_view count_text = argv[4];
    const auto [end, ec] = std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
    if (ec != std::errc() || end != count_text.data() + count_text.size()) {
      throw std::runtime_error("COUNT \"" + std::string(count_text) + "\" is not a number");
    }
    const Placeholder placeholder = parse_placeholder(argc == 6 ? argv[5] : "fleet_000000", count);
    make_fleet(argv[1], argv[2], argv[3], count, placeholder);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_fleet: %s\n", e.what());
    return 1;
  }
}
