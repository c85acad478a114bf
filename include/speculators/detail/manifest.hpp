// The manifest record of a plugin registration, built at compile time.
//
// In a plugin, each SPECULATORS_REGISTER line also declares one constant record, as an ELF
// note in section `.note.speculators`. The linker gathers the notes of every translation
// unit, so the section lists what the plugin registers, produced by the same lines that
// register it: it cannot disagree with the code. The host reads it from the file, without
// loading the plugin, before it decides to run any of the plugin's code. Notes, because the
// linker places them in the file's first page and names them in the program headers
// (PT_NOTE): the host finds the manifest in the bytes it reads anyway to check the headers,
// with no further read (measured in bench/: discovery).
//
// On Windows (PE files have no notes) the records themselves, without the note header, are
// put in the read-only section `.spcreg` (a PE section name has at most 8 characters), which
// the host finds from the section table.
//
// Layout of one note (words little-endian; the note is 4-byte aligned and a multiple of 4):
//   [0, 4)    name size, 12        [4, 8)  descriptor size: the record's
//   [8, 12)   note type, 1         [12, 24) name "speculators" and its NUL
//   then the record, then zero bytes up to a multiple of 4. The record:
//   [0, 8)    magic "SPECMAN1"
//   [8, 12)   manifest version, little-endian
//   [12, 16)  record size in bytes, little-endian, this header included
//   then NUL-terminated: ABI tag, compiler, registry key, key, C++ type, signature, description
#pragma once

#include <speculators/plugin_abi.h>
#include <speculators/registry.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace speculators::detail::manifest {

/// The note's owner and type: what sets a manifest record apart from the other notes of a file.
inline constexpr std::string_view note_name{"speculators\0", 12};  // the NUL is part of the name
inline constexpr std::uint32_t note_type = 1;
#if defined(_WIN32)
inline constexpr bool records_are_notes = false;  // records in section .spcreg, one after another
#else
inline constexpr bool records_are_notes = true;
#endif
inline constexpr std::size_t note_header_size = records_are_notes ? 12 + note_name.size() : 0;

inline constexpr std::string_view magic = "SPECMAN1";
inline constexpr std::uint32_t version = 1;
inline constexpr std::size_t header_size = 16;
inline constexpr std::size_t field_count = 7;

/// The words of a SPECULATORS_REGISTER line after the two types: key and description.
struct RegistrationText {
  std::optional<std::string_view> name;  ///< none: the class name
  std::string_view description;
  constexpr RegistrationText(std::optional<std::string_view> n = std::nullopt, std::string_view d = {}) noexcept
      : name(n), description(d) {}
};

template <std::size_t N>
struct Record {
  std::array<unsigned char, N> bytes;
};

/// The note holding the record of `Fields`, or on Windows the record alone (see the layout above).
template <const auto& Fields>
struct record_of {
  static constexpr std::size_t record_size = [] {
    std::size_t n = header_size;
    for (std::string_view field : Fields) n += field.size() + 1;
    return n;
  }();
  static constexpr std::size_t size = note_header_size + (record_size + 3) / 4 * 4;
  static constexpr Record<size> value = [] {
    Record<size> r{};  // zero: the padding
    std::size_t at = 0;
    const auto put_word = [&r, &at](std::size_t word) {
      for (int shift = 0; shift < 32; shift += 8) r.bytes[at++] = static_cast<unsigned char>((word >> shift) & 0xFFU);
    };
    if constexpr (records_are_notes) {
      put_word(note_name.size());
      put_word(record_size);
      put_word(note_type);
      for (char c : note_name) r.bytes[at++] = static_cast<unsigned char>(c);
    }
    for (char c : magic) r.bytes[at++] = static_cast<unsigned char>(c);
    put_word(version);
    put_word(record_size);
    for (std::string_view field : Fields) {
      for (char c : field) r.bytes[at++] = static_cast<unsigned char>(c);
      r.bytes[at++] = 0;
    }
    return r;
  }();
};

/// The record of Derived registered into Base with the words produced by `Text{}()`.
template <class Base, class Derived, class Text, class... CtorArgs>
struct entry_record {
  static constexpr RegistrationText text = Text{}();
  static constexpr std::array<std::string_view, field_count> fields{
      SPECULATORS_ABI_TAG,
      SPECULATORS_COMPILER_TAG,
      registry_key_of<Base>(),
      text.name.value_or(short_type_name<Derived>()),
      type_name<Derived>(),
      signature_of<Base, CtorArgs...>::value,
      text.description.empty() ? type_name<Derived>() : text.description};
  static constexpr auto value = record_of<fields>::value;
};

template <class Base, class Derived, class Text, class... CtorArgs>
constexpr auto record_for(const ClassInfo<Base, CtorArgs...>* /*tag*/) noexcept {
  return entry_record<Base, Derived, Text, CtorArgs...>::value;
}

}  // namespace speculators::detail::manifest
