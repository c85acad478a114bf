// The check of a Windows DLL before LoadLibrary, and the reading of its manifest.
//
// The Windows loader maps what the headers say; a DLL for another machine fails with error
// 193 and a truncated one may map pages past the end of the file. So the headers are checked
// from the file's bytes first: "MZ", the PE signature, this process's machine, a DLL, every
// section's raw data inside the file; and the manifest section (manifest_section, where each
// SPECULATORS_REGISTER line of a plugin leaves its record) is found, checked read-only and not
// executable, and parsed. Built on every platform, so that it is unit-tested and fuzzed on the
// Linux host too; only the Windows build's loader calls it on plugin files.
#pragma once

#include "binary_format.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace speculators::detail {

struct Manifest;

namespace pe {

/// The section holding a plugin's manifest records (at most 8 characters: a PE section name
/// of more is a reference into the string table, which a DLL need not have).
inline constexpr std::string_view manifest_section = ".spcreg";

/// IMAGE_FILE_MACHINE_* of the machine this code is built for (0: one this reader does not know).
#if defined(__x86_64__) || defined(_M_X64)
inline constexpr std::uint16_t this_machine = 0x8664;
#elif defined(__i386__) || defined(_M_IX86)
inline constexpr std::uint16_t this_machine = 0x014c;
#elif defined(__aarch64__) || defined(_M_ARM64)
inline constexpr std::uint16_t this_machine = 0xaa64;
#else
inline constexpr std::uint16_t this_machine = 0;
#endif

}  // namespace pe

/// Why `file` is not a DLL for `machine` that may be given to LoadLibrary; empty when it is,
/// with its manifest records read into `manifest` (`manifest.present` stays false when it has
/// no manifest section). Reads nothing outside the file, whatever it holds.
std::string check_pe_image(ImageBytes& file, Manifest& manifest, std::uint16_t machine = pe::this_machine);

/// The same for a file held whole in memory.
std::string check_pe_image(std::span<const unsigned char> file, Manifest& manifest,
                           std::uint16_t machine = pe::this_machine);

}  // namespace speculators::detail
