// The OS seam on Windows: the only file of the library that includes <windows.h>. Paths are
// UTF-8 in the API, with '/' or '\' between components, and UTF-16 towards Windows (the
// wide functions, never the ANSI code page); the paths it gives back use '/', as the rest of
// the library joins them.
#include "os.hpp"

#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <io.h>

#include <algorithm>
#include <string_view>
#include <utility>

namespace speculators::detail::os {

namespace {

// UTF-8 to UTF-16, with '/' made '\' (LoadLibraryExW's LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR takes
// only a fully qualified path with backslashes). Invalid UTF-8 gives an empty string.
std::wstring wide(std::string_view text) {
  if (text.empty()) return {};
  const int length =
      ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), static_cast<int>(text.size()), nullptr, 0);
  if (length <= 0) return {};
  std::wstring out(static_cast<std::size_t>(length), L'\0');
  ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), static_cast<int>(text.size()), out.data(), length);
  std::replace(out.begin(), out.end(), L'/', L'\\');
  return out;
}

// UTF-16 to UTF-8.
std::string narrow(std::wstring_view text) {
  if (text.empty()) return {};
  const int length =
      ::WideCharToMultiByte(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0, nullptr, nullptr);
  if (length <= 0) return {};
  std::string out(static_cast<std::size_t>(length), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), out.data(), length, nullptr, nullptr);
  return out;
}

// A path Windows gave, as the library writes paths: UTF-8, '/' between components, without
// the "\\?\" prefix of a final path name.
std::string path_text(std::wstring_view path) {
  if (path.starts_with(L"\\\\?\\UNC\\")) {
    path.remove_prefix(8);
    std::string out = "//" + narrow(path);
    std::replace(out.begin(), out.end(), '\\', '/');
    return out;
  }
  if (path.starts_with(L"\\\\?\\")) path.remove_prefix(4);
  std::string out = narrow(path);
  std::replace(out.begin(), out.end(), '\\', '/');
  return out;
}

// The system's message for `code`, in UTF-8, without its final line break.
std::string system_text(DWORD code) {
  wchar_t* buffer = nullptr;
  const DWORD length = ::FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr, code,
      MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), reinterpret_cast<wchar_t*>(&buffer), 0, nullptr);
  std::wstring_view text(buffer, length);
  while (!text.empty() && (text.back() == L'\n' || text.back() == L'\r' || text.back() == L' ')) text.remove_suffix(1);
  std::string out = text.empty() ? "Windows error " + std::to_string(code) : narrow(text);
  if (buffer != nullptr) ::LocalFree(buffer);
  return out + " (error " + std::to_string(code) + ")";
}

Cause cause_of(DWORD code) {
  switch (code) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_NETPATH:
      return Cause::not_found;
    case ERROR_DIRECTORY:
      return Cause::not_a_directory;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
      return Cause::access_denied;
    case ERROR_CANT_RESOLVE_FILENAME:
      return Cause::is_link;
    case ERROR_TOO_MANY_OPEN_FILES:
      return Cause::too_many_open_files;
    case ERROR_FILENAME_EXCED_RANGE:
      return Cause::name_too_long;
    default:
      return Cause::other;
  }
}

Error error_of(DWORD code) { return Error{cause_of(code), system_text(code)}; }

Error last_error() { return error_of(::GetLastError()); }

FileIdentity identity_from(const BY_HANDLE_FILE_INFORMATION& info) {
  const auto modified = static_cast<std::int64_t>(
      ULARGE_INTEGER{{info.ftLastWriteTime.dwLowDateTime, info.ftLastWriteTime.dwHighDateTime}}.QuadPart);
  return FileIdentity{info.dwVolumeSerialNumber, std::uint64_t{info.nFileIndexHigh} << 32U | info.nFileIndexLow,
                      std::uint64_t{info.nFileSizeHigh} << 32U | info.nFileSizeLow, modified * 100};
}

DWORD attributes_of(const std::string& path) { return ::GetFileAttributesW(wide(path).c_str()); }

// A handle on what `path` names, to look at it: its attributes only, following links and
// junctions, directories too (FILE_FLAG_BACKUP_SEMANTICS), in every sharing mode (looking must
// not stop another process from using the file). Closed with this object; empty, with `error`
// set, on failure.
class LookingHandle {
 public:
  LookingHandle(const std::string& path, Error& error)
      : handle_(::CreateFileW(wide(path).c_str(), FILE_READ_ATTRIBUTES,
                              FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                              FILE_FLAG_BACKUP_SEMANTICS, nullptr)) {
    error = handle_ == INVALID_HANDLE_VALUE ? last_error() : Error{};
  }
  LookingHandle(const LookingHandle&) = delete;
  LookingHandle& operator=(const LookingHandle&) = delete;
  ~LookingHandle() {
    if (handle_ != INVALID_HANDLE_VALUE) ::CloseHandle(handle_);
  }
  [[nodiscard]] HANDLE get() const noexcept { return handle_; }
  explicit operator bool() const noexcept { return handle_ != INVALID_HANDLE_VALUE; }

 private:
  HANDLE handle_;
};

// The code GCC's unwinder raises a C++ exception with ("CCG" under the user-defined bit). An
// exception thrown by a plugin's static initializer that reaches the loader ends the load, and
// the loader gives that code as its error (as wine 8 does).
constexpr DWORD gcc_exception_code = 0x20474343;

// What a plugin's loader error means for its user (the system's text says only what failed).
const char* meaning_of_load_error(DWORD code) {
  switch (code) {
    case ERROR_MOD_NOT_FOUND:
      return "a DLL this plugin needs is missing (or is not beside it)";
    case ERROR_BAD_EXE_FORMAT:
      return "not a valid DLL for this machine";
    case ERROR_DLL_INIT_FAILED:
      return "the plugin's initialization failed";
    case gcc_exception_code:
      return "a static initializer of the plugin threw an exception; fix the plugin: nothing may throw out of its "
             "initializers";
    default:
      return nullptr;
  }
}

}  // namespace

// --- File --------------------------------------------------------------------

void File::close_native(std::intptr_t handle) noexcept { ::CloseHandle(reinterpret_cast<HANDLE>(handle)); }

File File::open(const std::string& path, Error& error, bool follow_last_link) {
  error = {};
  // FILE_SHARE_READ alone: while this handle is open nobody may write, rename or delete the
  // file, so what is checked through it is what a load by its path maps.
  const HANDLE handle =
      ::CreateFileW(wide(path).c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING,
                    FILE_ATTRIBUTE_NORMAL | (follow_last_link ? 0 : FILE_FLAG_OPEN_REPARSE_POINT), nullptr);
  if (handle == INVALID_HANDLE_VALUE) {
    const DWORD code = ::GetLastError();
    const DWORD attributes = attributes_of(path);
    error = attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0
                ? Error{Cause::not_a_file, "a directory"}
                : error_of(code);
    return {};
  }
  File file;
  file.handle_ = reinterpret_cast<std::intptr_t>(handle);
  BY_HANDLE_FILE_INFORMATION info{};
  if (::GetFileType(handle) != FILE_TYPE_DISK || ::GetFileInformationByHandle(handle, &info) == 0 ||
      (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
    error = {Cause::not_a_file, "not a regular file"};
    return {};
  }
  if (!follow_last_link && (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
    error = {Cause::is_link, "a reparse point (a symbolic link or a junction)"};
    return {};
  }
  file.identity_ = identity_from(info);
  return file;
}

std::size_t File::read_at(std::uint64_t offset, std::span<unsigned char> into) {
  std::size_t got = 0;
  while (got < into.size()) {
    OVERLAPPED at{};
    const std::uint64_t position = offset + got;
    at.Offset = static_cast<DWORD>(position & 0xFFFFFFFFU);
    at.OffsetHigh = static_cast<DWORD>(position >> 32U);
    const auto chunk = static_cast<DWORD>(std::min<std::size_t>(into.size() - got, 1U << 30U));
    DWORD n = 0;
    if (::ReadFile(reinterpret_cast<HANDLE>(handle_), into.data() + got, chunk, &n, &at) == 0 || n == 0) break;
    got += n;
  }
  return got;
}

FileIdentity identity_of(const std::string& path, Error& error) {
  const LookingHandle file(path, error);
  if (!file) return {};
  BY_HANDLE_FILE_INFORMATION info{};
  if (::GetFileInformationByHandle(file.get(), &info) == 0) {
    error = last_error();
    return {};
  }
  return identity_from(info);
}

// --- Directory ---------------------------------------------------------------

struct Directory::State {
  std::string path;  // the directory's, for open_child
  HANDLE find = INVALID_HANDLE_VALUE;
  WIN32_FIND_DATAW pending{};  // the entry FindFirstFileExW read, not yet returned
  bool has_pending = false;
  ~State() {
    if (find != INVALID_HANDLE_VALUE) ::FindClose(find);
  }
};

Directory::Directory(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
Directory::Directory(Directory&& other) noexcept = default;
Directory& Directory::operator=(Directory&& other) noexcept = default;
Directory::~Directory() = default;

Directory Directory::open(const std::string& path, Error& error) {
  error = {};
  const DWORD attributes = attributes_of(path);
  if (attributes == INVALID_FILE_ATTRIBUTES) {
    error = last_error();
    return {};
  }
  if ((attributes & FILE_ATTRIBUTE_DIRECTORY) == 0) {
    error = error_of(ERROR_DIRECTORY);
    return {};
  }
  auto state = std::make_unique<State>();
  state->path = path;
  const std::wstring pattern = wide(path) + (path.ends_with('/') || path.ends_with('\\') ? L"*" : L"\\*");
  state->find = ::FindFirstFileExW(pattern.c_str(), FindExInfoBasic, &state->pending, FindExSearchNameMatch, nullptr,
                                   FIND_FIRST_EX_LARGE_FETCH);
  if (state->find == INVALID_HANDLE_VALUE) {
    if (const DWORD code = ::GetLastError(); code != ERROR_FILE_NOT_FOUND) {  // not found: no entries
      error = error_of(code);
      return {};
    }
  } else {
    state->has_pending = true;
  }
  return Directory(std::move(state));
}

Directory Directory::open_child(const std::string& name, Error& error) const {
  std::string child = state_->path;
  if (!child.ends_with('/') && !child.ends_with('\\')) child += '/';
  child += name;
  const DWORD attributes = attributes_of(child);
  if (attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
    error = {Cause::is_link, "a reparse point (a symbolic link or a junction)"};
    return {};
  }
  return open(child, error);
}

std::optional<DirectoryEntry> Directory::next(Error& error) {
  error = {};
  State& s = *state_;
  while (s.has_pending) {
    const WIN32_FIND_DATAW found = s.pending;
    s.has_pending = ::FindNextFileW(s.find, &s.pending) != 0;
    if (!s.has_pending) {
      if (const DWORD code = ::GetLastError(); code != ERROR_NO_MORE_FILES) error = error_of(code);
    }
    const std::wstring_view name = found.cFileName;
    if (name == L"." || name == L"..") continue;
    const DWORD attributes = found.dwFileAttributes;
    const Kind kind = (attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0 ? Kind::link
                      : (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0   ? Kind::directory
                      : (attributes & FILE_ATTRIBUTE_DEVICE) != 0      ? Kind::other
                                                                       : Kind::file;
    return DirectoryEntry{narrow(name), kind};
  }
  return std::nullopt;
}

// Windows has no group and other write bits: access control lists decide, and the README says
// what applies instead. Nothing here refuses what the POSIX rule would.
std::optional<Permissions> permissions_of(const std::string& path) {
  if (attributes_of(path) == INVALID_FILE_ATTRIBUTES) return std::nullopt;
  return Permissions{false, false, true};
}

// --- Library -----------------------------------------------------------------

Library Library::load(const std::string& absolute_path, Error& error) {
  error = {};
  // No dialog box for a missing DLL or a damaged file: the error comes back to the caller.
  DWORD previous_mode = 0;
  const bool mode_set = ::SetThreadErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX, &previous_mode) != 0;
  // The plugin's own dependencies are found beside it; the current directory and PATH never
  // are (LOAD_LIBRARY_SEARCH_DEFAULT_DIRS: the program's directory, System32 and the
  // directories added with AddDllDirectory).
  HMODULE module = ::LoadLibraryExW(wide(absolute_path).c_str(), nullptr,
                                    LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR | LOAD_LIBRARY_SEARCH_DEFAULT_DIRS);
  const DWORD code = module == nullptr ? ::GetLastError() : ERROR_SUCCESS;
  if (mode_set) ::SetThreadErrorMode(previous_mode, nullptr);
  if (module == nullptr) {
    error = error_of(code);
    error.cause = Cause::other;
    if (const char* meaning = meaning_of_load_error(code)) error.text += std::string(": ") + meaning;
  }
  return Library(module);
}

void* Library::symbol(const char* name) const {
  return reinterpret_cast<void*>(::GetProcAddress(static_cast<HMODULE>(native_), name));
}

// --- Paths -------------------------------------------------------------------

std::string canonical_path(const std::string& path, Error& error) {
  // Opened following links and junctions: the handle's final path is what they lead to.
  const LookingHandle file(path, error);
  if (!file) return {};
  std::wstring final_path(MAX_PATH, L'\0');
  DWORD length = 0;
  for (;;) {
    length = ::GetFinalPathNameByHandleW(file.get(), final_path.data(), static_cast<DWORD>(final_path.size()),
                                         FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
    if (length < final_path.size()) break;
    final_path.resize(length + 1);
  }
  if (length == 0) {
    error = last_error();
    return {};
  }
  final_path.resize(length);
  std::string out = path_text(final_path);
  while (out.size() > 3 && out.ends_with('/')) out.pop_back();  // "C:/" stays
  return out;
}

std::string binary_named(const void* address) {
  HMODULE module = nullptr;
  if (::GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                           static_cast<LPCWSTR>(address), &module) == 0) {
    return program_file();
  }
  std::wstring name(MAX_PATH, L'\0');
  for (;;) {
    const DWORD length = ::GetModuleFileNameW(module, name.data(), static_cast<DWORD>(name.size()));
    if (length == 0) return program_file();
    if (length < name.size()) {
      name.resize(length);
      return path_text(name);
    }
    name.resize(name.size() * 2);
  }
}

std::string program_file() {
  std::wstring name(MAX_PATH, L'\0');
  for (;;) {
    const DWORD length = ::GetModuleFileNameW(nullptr, name.data(), static_cast<DWORD>(name.size()));
    if (length == 0) return {};
    if (length < name.size()) {
      name.resize(length);
      return path_text(name);
    }
    name.resize(name.size() * 2);
  }
}

std::string binary_holding(const void* address) {
  std::string named = binary_named(address);
  Error error;
  std::string canonical = canonical_path(named, error);
  return error ? named : canonical;
}

bool is_link_or_reparse_point(const std::string& path) {
  const DWORD attributes = attributes_of(path);
  return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
}

bool is_terminal(std::FILE* stream) { return ::_isatty(::_fileno(stream)) != 0; }

PathLimit path_limit() { return {MAX_PATH - 1, "MAX_PATH", system_text(ERROR_FILENAME_EXCED_RANGE)}; }

}  // namespace speculators::detail::os
