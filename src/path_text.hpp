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

}  // namespace speculators::detail
