// The operating system's side of the library: dynamic loading and file identity.
// One implementation per OS; this project builds for ELF platforms (platform_posix.cpp).
#pragma once

#include <string>

namespace speculators::detail {

/// A loaded library; never closed (plugins stay loaded for the life of the process).
struct LibraryHandle {
  void* native = nullptr;
};

/// dlopen(path, RTLD_NOW | RTLD_LOCAL). On failure returns an empty handle and sets `error`.
LibraryHandle open_library(const std::string& path, std::string& error);

/// The address of `symbol` in `library`, or null.
void* find_symbol(LibraryHandle library, const char* symbol);

/// Absolute path of the executable or shared library whose code holds `address`.
std::string binary_holding(const void* address);

/// A copy of `text` that lives as long as the process.
const char* intern(const std::string& text);

}  // namespace speculators::detail
