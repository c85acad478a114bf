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
#include <utility>

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

/// One manifest record: the toolchain of the plugin's build and one registration. Made at
/// compile time from a SPECULATORS_REGISTER line (entry_record), read from a file by the host
/// (src/manifest_reader.hpp); its texts view the bytes read.
struct Record {
  std::uint32_t version = manifest::version;
  std::string_view abi_tag;
  std::string_view compiler;
  RegistrationRecord registration;

  friend bool operator==(const Record&, const Record&) = default;
};

/// The texts of `record` in the order of the layout above: the one list that the writer
/// (note_of) and the reader of the bytes follow. `R` is Record or const Record.
template <class R>
constexpr std::array<decltype(&std::declval<R&>().abi_tag), field_count> fields_in_order(R& record) noexcept {
  return {&record.abi_tag,
          &record.compiler,
          &record.registration.registry_key,
          &record.registration.name,
          &record.registration.type_name,
          &record.registration.signature,
          &record.registration.description};
}

template <std::size_t N>
struct NoteBytes {
  std::array<unsigned char, N> bytes;
};

/// The note holding `R`, or on Windows the record alone (see the layout above).
template <const Record& R>
struct note_of {
  static constexpr std::size_t record_size = [] {
    std::size_t n = header_size;
    for (const std::string_view* field : fields_in_order(R)) n += field->size() + 1;
    return n;
  }();
  static constexpr std::size_t size = note_header_size + (record_size + 3) / 4 * 4;
  static constexpr NoteBytes<size> value = [] {
    NoteBytes<size> r{};  // zero: the padding
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
    put_word(R.version);
    put_word(record_size);
    for (const std::string_view* field : fields_in_order(R)) {
      for (char c : *field) r.bytes[at++] = static_cast<unsigned char>(c);
      r.bytes[at++] = 0;
    }
    return r;
  }();
};

/// The record of Derived registered into Base with the words produced by `Text{}()`.
template <class Base, class Derived, class Text, class... CtorArgs>
struct entry_record {
  static constexpr RegistrationText text = Text{}();
  static constexpr Record record{version, SPECULATORS_ABI_TAG, SPECULATORS_COMPILER_TAG,
                                 registration_record<Base, Derived, CtorArgs...>(text.name, text.description)};
  static constexpr auto value = note_of<record>::value;
};

template <class Base, class Derived, class Text, class... CtorArgs>
constexpr auto record_for(const ClassInfo<Base, CtorArgs...>* /*tag*/) noexcept {
  return entry_record<Base, Derived, Text, CtorArgs...>::value;
}

}  // namespace speculators::detail::manifest
