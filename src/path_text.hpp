// Path text, read as POSIX spells it: not OS calls, so shared by the seam and its callers.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>

namespace speculators::detail {

/// The UTF-8 text of `path`, with '/' between components as the library writes paths on every
/// platform. (libstdc++ on Windows converts path::string() through the C locale, byte for
/// byte, not as UTF-8; and lexically_normal() there makes every separator '\\'.)
inline std::string utf8_of(const std::filesystem::path& path) {
#if defined(_WIN32)
  const std::u8string text = path.generic_u8string();
  return {text.begin(), text.end()};
#else
  return path.string();
#endif
}

/// The path whose UTF-8 text is `text`.
inline std::filesystem::path path_of_utf8(std::string_view text) {
#if defined(_WIN32)
  return std::filesystem::path(std::u8string(text.begin(), text.end()));
#else
  return std::filesystem::path(text);
#endif
}

/// Whether `path` is absolute: from the root on POSIX; with a drive ("C:/", "C:\\") or a
/// server ("//server/share") on Windows, where "/dir" depends on the current drive.
inline bool is_absolute_path(std::string_view path) {
#if defined(_WIN32)
  const auto separator = [](char c) { return c == '/' || c == '\\'; };
  const bool drive = path.size() >= 3 && ((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z')) &&
                     path[1] == ':' && separator(path[2]);
  return drive || (path.size() >= 2 && separator(path[0]) && separator(path[1]));
#else
  return path.starts_with('/');
#endif
}

/// The length of the root of the absolute `path`: 1 for "/"; on Windows 3 for "C:/" and 2 for
/// the "//" of a server's share.
inline std::size_t root_length(std::string_view path) {
#if defined(_WIN32)
  if (path.size() >= 3 && path[1] == ':') return 3;
  return 2;
#else
  (void)path;
  return 1;
#endif
}

/// Whether the absolute `path` has no empty, "." or ".." component: when none of its
/// components is a symbolic link either, it is its own canonical name (less a final '/').
inline bool is_plain_path(std::string_view path) {
  if (!path.starts_with('/')) return false;
  for (std::size_t start = 1; start < path.size();) {
    const std::size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view component = path.substr(start, slash - start);
    if (component.empty() || component == "." || component == "..") return false;
    start = slash + 1;
  }
  return true;
}

/// `path` without the '/' that may end it (the root stays "/").
inline std::string without_trailing_slash(std::string path) {
  while (path.size() > 1 && path.ends_with('/')) path.pop_back();
  return path;
}

/// `name` (relative) under `directory`, with one '/' between them (none added after a root
/// such as "/" or "C:/").
inline std::string joined_path(std::string_view directory, std::string_view name) {
  std::string path;
  path.reserve(directory.size() + 1 + name.size());
  path.append(directory);
  if (!path.ends_with('/')) path.push_back('/');
  path.append(name);
  return path;
}

/// Where the last component of `path` starts: after its last separator ('/', and '\\' on
/// Windows), or 0.
inline std::size_t file_name_start(std::string_view path) {
#if defined(_WIN32)
  const std::size_t separator = path.find_last_of("/\\");
#else
  const std::size_t separator = path.rfind('/');
#endif
  return separator == std::string_view::npos ? 0 : separator + 1;
}

/// The directory holding `path`, as text: what precedes its last separator (the root stays
/// the root); empty when `path` has no separator.
inline std::string parent_of(std::string_view path) {
  const std::size_t start = file_name_start(path);
#if defined(_WIN32)
  const bool root = start <= 1 || path[start - 2] == ':';  // "C:\\", as "/"
#else
  const bool root = start <= 1;
#endif
  return std::string(path.substr(0, root ? start : start - 1));
}

/// The lexically normal form of the absolute `path`, without a final '/'. A plain path (no
/// ".", ".." or empty component) is already one: std::filesystem is asked only otherwise, as
/// its normal form costs tens of thousands of instructions, the first discovery of a process
/// does several, and at one plugin that was a third of what it adds to a bare dlopen (bench/).
inline std::string normal_path(std::string path) {
  if (!is_plain_path(path)) path = utf8_of(path_of_utf8(path).lexically_normal());
  return without_trailing_slash(std::move(path));
}

}  // namespace speculators::detail
