// The operating system's side of the library, one implementation file per OS: os_posix.cpp
// (Linux/glibc) and os_windows.cpp. No other file of src/ or tools/ includes an OS header.
// Paths are UTF-8 std::string, with '/' between components on Windows too; a function that
// can fail fills an Error with the OS's own text.
//
// Deviations from the seam's contract (each needed to keep behaviour unchanged):
// - Cause has two more values, too_many_open_files and name_too_long: the message of a
//   directory the scan cannot read advises by cause (raise the limit of open files; move the
//   plugins to a shorter path).
// - File::open refuses what is not a regular file with Cause::not_a_file (a directory, a pipe
//   or a device get their own message), and File has size().
// - Directory::open_child opens a subdirectory in an open directory, by its name, never
//   following a link: the walk of a package so reaches directories whose path is longer than
//   the system allows, and reports the plugins in them as such (not the directory as
//   unreadable). Windows may open the joined path.
// - permissions_of(path) says who may change a file or directory (the scan's checks of the
//   directories above a plugin, and of the search path's program places); Windows answers that
//   nobody else may (the README says what applies there instead).
// - binary_named(address) gives the name the dynamic loader has for the binary holding
//   `address`, unresolved: the install default is found where the library's files are named,
//   and resolved only when needed (binary_holding()).
// - path_limit() gives the longest path the system opens, with the limit's name and the OS's
//   text, for the message of a plugin whose path is longer.
// - is_plain_path() and without_trailing_slash() are path text, not OS calls: path_text.hpp.
// - intern() is not here: it is the store's (store.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace speculators::detail::os {

/// Why a call failed, as far as the callers tell causes apart.
enum class Cause {
  none,
  not_found,            ///< nothing at the path (POSIX ENOENT)
  not_a_directory,      ///< a component that should be a directory is not (ENOTDIR)
  access_denied,        ///< EACCES, EPERM
  is_link,              ///< a link where the caller asked for none (ELOOP with O_NOFOLLOW)
  not_a_file,           ///< File::open of a directory, a pipe or a device
  too_many_open_files,  ///< EMFILE, ENFILE
  name_too_long,        ///< ENAMETOOLONG
  other,
};

/// A failure: its cause and the OS's message (strerror, FormatMessageW).
struct Error {
  Cause cause = Cause::none;
  std::string text;
  explicit operator bool() const noexcept { return cause != Cause::none; }
};

/// The identity of a file, to notice it being replaced between its check and its load.
struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t modified_ns = 0;
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

/// An open regular file, for reading. Move-only; closed with this object.
class File {
 public:
  File() noexcept = default;
  File(File&& other) noexcept
      : handle_(std::exchange(other.handle_, invalid)),
        identity_(other.identity_),
        writable_by_others_(other.writable_by_others_) {}
  File& operator=(File&& other) noexcept {
    if (this != &other) {
      close();
      handle_ = std::exchange(other.handle_, invalid);
      identity_ = other.identity_;
      writable_by_others_ = other.writable_by_others_;
    }
    return *this;
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File() { close(); }

  /// Opens the regular file at `path` (never waiting on a pipe; Windows shares it for reading
  /// only, so that it cannot be replaced while held). `follow_last_link` false:
  /// refused with Cause::is_link when the last component is a link. Empty, with `error`
  /// set, on failure.
  static File open(const std::string& path, Error& error, bool follow_last_link = true);

  /// Reads up to `into.size()` bytes at `offset`. @returns the count read: less only at the
  /// end of the file or on an error.
  std::size_t read_at(std::uint64_t offset, std::span<unsigned char> into);

  /// The file's size in bytes, as opened.
  [[nodiscard]] std::uint64_t size() const noexcept { return identity_.size; }
  /// The identity of the file held open.
  [[nodiscard]] FileIdentity identity() const noexcept { return identity_; }
  /// Whether its group or others may write it (POSIX S_IWGRP | S_IWOTH; Windows: false).
  [[nodiscard]] bool writable_by_others() const noexcept { return writable_by_others_; }
  explicit operator bool() const noexcept { return handle_ != invalid; }

 private:
  static constexpr std::intptr_t invalid = -1;
  // The OS's close of a descriptor or a HANDLE: all that differs between the two files.
  static void close_native(std::intptr_t handle) noexcept;
  void close() noexcept {
    if (handle_ != invalid) close_native(std::exchange(handle_, invalid));
  }
  std::intptr_t handle_ = invalid;  // a descriptor or a HANDLE
  FileIdentity identity_;
  bool writable_by_others_ = false;
};

/// The current identity of the file at `path`; all zero, with `error` set, when it cannot be read.
FileIdentity identity_of(const std::string& path, Error& error);

/// What a directory entry is, as the directory says (links are not followed).
enum class Kind { file, directory, link, other, unknown };

struct DirectoryEntry {
  std::string name;
  Kind kind = Kind::unknown;
};

/// The listing of one directory. Move-only; closed with this object.
class Directory {
 public:
  Directory() noexcept = default;
  Directory(Directory&& other) noexcept;
  Directory& operator=(Directory&& other) noexcept;
  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;
  ~Directory();

  /// Opens the directory at `path`. Empty, with `error` set, on failure.
  static Directory open(const std::string& path, Error& error);

  /// Opens the subdirectory `name` of this one, not following a link (Cause::is_link, or
  /// not_a_directory, then). Empty, with `error` set, on failure.
  Directory open_child(const std::string& name, Error& error) const;

  /// The next entry ("." and ".." are never returned); nothing at the end, or with `error`
  /// set when the directory cannot be read further.
  std::optional<DirectoryEntry> next(Error& error);

  explicit operator bool() const noexcept { return state_ != nullptr; }

 private:
  struct State;  // the OS's handle and what it has read of the listing
  explicit Directory(std::unique_ptr<State> state) noexcept;
  std::unique_ptr<State> state_;
};

/// Who may change the file or directory at `path`.
struct Permissions {
  bool group_or_others_may_write = false;  ///< POSIX S_IWGRP | S_IWOTH
  bool others_may_write = false;           ///< POSIX S_IWOTH
  bool owned_by_this_user_or_root = true;  ///< its owner is root or the effective user
};

/// The permissions of `path` (following links); nothing when it cannot be looked at.
std::optional<Permissions> permissions_of(const std::string& path);

/// A loaded library, never unloaded (plugins stay loaded for the life of the process).
class Library {
 public:
  Library() noexcept = default;

  /// Loads the library at `absolute_path`: its static initializers run here. Empty, with
  /// `error` set (the loader's text), on failure.
  static Library load(const std::string& absolute_path, Error& error);

  /// The address of `name` in the library, or null.
  [[nodiscard]] void* symbol(const char* name) const;
  explicit operator bool() const noexcept { return native_ != nullptr; }

 private:
  explicit Library(void* native) noexcept : native_(native) {}
  void* native_ = nullptr;
};

/// The canonical path of `path` (absolute, links resolved, no trailing separator). Empty,
/// with `error` set, when it cannot be resolved.
std::string canonical_path(const std::string& path, Error& error);

/// The name the dynamic loader has for the executable or library whose code holds
/// `address`, not resolved (it may go through links); for the main program, program_file().
std::string binary_named(const void* address);

/// The canonical path of the executable or library whose code holds `address`.
std::string binary_holding(const void* address);

/// The absolute path of the running program's file; empty when it cannot be told.
std::string program_file();

/// Whether `path` is a link (POSIX) or a reparse point (Windows) itself; false when it
/// cannot be looked at.
bool is_link_or_reparse_point(const std::string& path);

/// Whether `stream` (stdout, stderr) is a terminal.
bool is_terminal(std::FILE* stream);

/// The longest path the system opens: its length, the limit's name, and the OS's text for a
/// path longer than that.
struct PathLimit {
  std::size_t length;
  const char* name;
  std::string text;
};
PathLimit path_limit();

#ifdef _WIN32
inline constexpr char path_list_separator = ';';
inline constexpr std::string_view plugin_suffix = ".dll";
#else
inline constexpr char path_list_separator = ':';
inline constexpr std::string_view plugin_suffix = ".so";
#endif

}  // namespace speculators::detail::os
