// The operating system's side of the library: dynamic loading and file identity.
// One implementation per OS; this project builds for ELF platforms (platform_posix.cpp).
#pragma once

#include <string>
#include <string_view>
#include <system_error>

namespace speculators::detail {

/// A loaded library; never closed (plugins stay loaded for the life of the process).
struct LibraryHandle {
  void* native = nullptr;
};

/// dlopen(path, RTLD_NOW | RTLD_LOCAL). On failure returns an empty handle and sets `error`.
LibraryHandle open_library(const std::string& path, std::string& error);

/// The address of `symbol` in `library`, or null.
void* find_symbol(LibraryHandle library, const char* symbol);

/// The canonical path (absolute, symbolic links resolved) of the file or directory open as
/// `fd`; empty when it cannot be told.
std::string canonical_path_of(int fd);

/// The canonical path of `path`, as std::filesystem::canonical() gives it. @returns empty,
/// with `ec` set, when `path` cannot be resolved.
std::string canonical_path(const std::string& path, std::error_code& ec);

/// Whether the absolute `path` has no empty, "." or ".." component: when none of its
/// components is a symbolic link either, it is its own canonical name (less a final '/').
bool is_plain_path(std::string_view path);

/// `path` without the '/' that may end it (the root stays "/").
std::string without_trailing_slash(std::string path);

/// Opens `path` with `flags` only if it is plain and no component of it is a symbolic link,
/// so that it is its own canonical name: one system call, where a readlink through /proc
/// (whose first use in a process costs tens of microseconds) or a readlink per component
/// would name it. @returns the descriptor, or -1 with errno set: ENOENT or ENOTDIR when
/// there is nothing there, anything else when it is not plain, goes through a link, or the
/// kernel cannot tell (then resolve it the usual way).
int open_canonical(const std::string& path, int flags);

/// The path of the executable or shared library whose code holds `address`, as the dynamic
/// loader names it (not resolved: it may go through symbolic links); for the main program,
/// where /proc/self/exe leads.
std::string binary_named(const void* address);

/// The absolute path of the running program's file (the path it was started by, which may go
/// through symbolic links, or else the canonical one); empty when it cannot be told.
std::string program_file();

/// The canonical path of the executable or shared library whose code holds `address`.
std::string binary_holding(const void* address);

/// A copy of `text` that lives as long as the process.
const char* intern(const std::string& text);

}  // namespace speculators::detail
