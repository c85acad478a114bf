// What the loader checks in a plugin file before it lets the dynamic loader near it.
//
// glibc's dlopen trusts the file: a truncated library whose segments reach past the end of
// the file is mapped anyway, and the process dies of SIGBUS inside dlopen; a library for
// another machine is reported as "No such file or directory". So the header and the program
// headers are checked here first, from the file's bytes, and the manifest notes are found
// from the program headers and parsed (manifest.hpp), all without loading anything.
//
// The file is read where these need it (the header, the program headers, the note segments,
// all usually in its first page), not whole and not through a general ELF library: discovery
// does this for every plugin it finds, and a plugin of tens of megabytes has a manifest of a
// few hundred bytes (measured in bench/: discovery).
#pragma once

#include "formats/binary_format.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace speculators::detail {

struct Manifest;

/// The first read: the header and, in a usual plugin, the program headers and the note
/// segments after them (the manifest of up to about eight classes; more take a second read).
inline constexpr std::size_t head_size = 2048;

/// The bytes of an ELF file, as the checks ask for them (formats/binary_format.hpp).
using ElfBytes = ImageBytes;
using MemoryElfBytes = MemoryImageBytes;

/// Why the ELF image starting with `head` (the first bytes of a file of `file_size` bytes) is
/// not a shared object this process can load; empty when it is. Reads nothing outside
/// `head`, so any bytes are safe to give it.
std::string shared_object_problem(std::span<const unsigned char> head, std::uint64_t file_size);

/// Checks `file` with shared_object_problem() and reads its manifest notes into `manifest`
/// (`manifest.present` stays false when it has none). @returns the problem, empty when the
/// file may be given to the dynamic loader.
std::string check_elf(ElfBytes& file, Manifest& manifest);

}  // namespace speculators::detail
