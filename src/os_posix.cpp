// The OS seam on Linux (glibc): the only file of the library that includes POSIX headers.
#include "os.hpp"

#include "path_text.hpp"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>  // struct open_how: glibc 2.36 has no openat2() wrapper
#define SPECULATORS_HAVE_OPENAT2 1
#endif

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <utility>

namespace speculators::detail::os {

namespace {

Cause cause_of(int error) {
  switch (error) {
    case ENOENT:
      return Cause::not_found;
    case ENOTDIR:
      return Cause::not_a_directory;
    case EACCES:
    case EPERM:
      return Cause::access_denied;
    case ELOOP:
      return Cause::is_link;
    case EMFILE:
    case ENFILE:
      return Cause::too_many_open_files;
    case ENAMETOOLONG:
      return Cause::name_too_long;
    default:
      return Cause::other;
  }
}

Error error_of(int error) { return Error{cause_of(error), std::strerror(error)}; }

FileIdentity identity_from(const struct stat& st) {
  return FileIdentity{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                      static_cast<std::uint64_t>(st.st_size),
                      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

// Opens `path` with `flags` only if it is plain and no component of it is a link, so that it
// is its own canonical name: one system call, where realpath() reads each component's link.
// @returns the descriptor, or -1 with errno set: ENOENT or ENOTDIR when there is nothing
// there, anything else when it is not plain, goes through a link, or the kernel cannot tell
// (then resolve it the usual way).
int open_canonical(const std::string& path, int flags) {
  if (!is_plain_path(path)) {
    errno = EINVAL;
    return -1;
  }
#if defined(SPECULATORS_HAVE_OPENAT2) && defined(SYS_openat2)
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags);
  how.resolve = RESOLVE_NO_SYMLINKS;
  return static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how));
#else
  (void)flags;
  errno = ENOSYS;
  return -1;
#endif
}

// dlopen as a plain function pointer: the declaration says noexcept, so a call made directly
// may not let an exception through to the handler below, and whether it does depends on the
// code the compiler generates around the call. Through this pointer, it always does.
void* (*volatile open_function)(const char*, int) = &::dlopen;

// An exception thrown by a plugin's static initializer has unwound through the dynamic
// loader, which keeps its lock taken and the library half-initialized: the next dlopen on
// another thread would wait forever. Nothing can be recovered, so the process stops, saying
// which plugin did it.
[[noreturn]] void stop_after_throwing_initializer(const std::string& path) noexcept {
  std::string what = "an exception that is not a std::exception";
  try {
    throw;
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  std::fprintf(stderr,
               "speculators: fatal: plugin %s threw from a static initializer while it was loading (%s). The "
               "dynamic loader cannot recover from this, so the process stops. Fix the plugin: nothing may "
               "throw out of its initializers.\n",
               path.c_str(), what.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace

// --- File --------------------------------------------------------------------

void File::close_native(std::intptr_t handle) noexcept { ::close(static_cast<int>(handle)); }

File File::open(const std::string& path, Error& error, bool follow_last_link) {
  error = {};
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
  const int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (follow_last_link ? 0 : O_NOFOLLOW);
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) {
    error = error_of(errno);
    return {};
  }
  File file;
  file.handle_ = fd;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = {Cause::not_a_file, "not a regular file"};
    return {};
  }
  file.identity_ = identity_from(st);
  file.writable_by_others_ = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
  return file;
}

std::size_t File::read_at(std::uint64_t offset, std::span<unsigned char> into) {
  std::size_t got = 0;
  while (got < into.size()) {
    const ssize_t n =
        ::pread(static_cast<int>(handle_), into.data() + got, into.size() - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

FileIdentity identity_of(const std::string& path, Error& error) {
  error = {};
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    error = error_of(errno);
    return {};
  }
  return identity_from(st);
}

// --- Directory ---------------------------------------------------------------

// The entries are read with getdents64 into a buffer of the directory's own (readdir's DIR
// allocates 32 KiB and costs three more system calls a directory).
struct Directory::State {
  int fd = -1;
  // Aligned as the kernel writes the records (each dirent64 at a multiple of 8 from the start);
  // not zeroed: only what was read is looked at.
  alignas(dirent64) std::array<char, 2048> buffer;
  std::size_t length = 0;  // bytes of `buffer` read
  std::size_t at = 0;      // the next entry in `buffer`
  ~State() {
    if (fd >= 0) ::close(fd);
  }
};

Directory::Directory(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
Directory::Directory(Directory&& other) noexcept = default;
Directory& Directory::operator=(Directory&& other) noexcept = default;
Directory::~Directory() = default;

Directory Directory::open(const std::string& path, Error& error) {
  error = {};
  auto state = std::make_unique<State>();
  state->fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (state->fd < 0) {
    error = error_of(errno);
    return {};
  }
  return Directory(std::move(state));
}

Directory Directory::open_child(const std::string& name, Error& error) const {
  error = {};
  auto state = std::make_unique<State>();
  state->fd = ::openat(state_->fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (state->fd < 0) {
    error = error_of(errno);
    return {};
  }
  return Directory(std::move(state));
}

std::optional<DirectoryEntry> Directory::next(Error& error) {
  error = {};
  State& s = *state_;
  for (;;) {
    if (s.at >= s.length) {
      const ssize_t length = ::getdents64(s.fd, s.buffer.data(), s.buffer.size());
      if (length <= 0) {
        if (length < 0) error = error_of(errno);
        return std::nullopt;
      }
      s.length = static_cast<std::size_t>(length);
      s.at = 0;
    }
    const auto* entry = reinterpret_cast<const dirent64*>(s.buffer.data() + s.at);
    s.at += entry->d_reclen;
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    unsigned char type = entry->d_type;
    if (type == DT_UNKNOWN) {  // a file system that does not say: ask
      struct stat st {};
      if (::fstatat(s.fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return DirectoryEntry{std::string(name)};
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : S_ISREG(st.st_mode) ? DT_REG : DT_FIFO;
    }
    const Kind kind = type == DT_REG   ? Kind::file
                      : type == DT_DIR ? Kind::directory
                      : type == DT_LNK ? Kind::link
                                       : Kind::other;
    return DirectoryEntry{std::string(name), kind};
  }
}

std::optional<Permissions> permissions_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return Permissions{(st.st_mode & (S_IWGRP | S_IWOTH)) != 0, (st.st_mode & S_IWOTH) != 0,
                     st.st_uid == 0 || st.st_uid == ::geteuid()};
}

// --- Library -----------------------------------------------------------------

Library Library::load(const std::string& absolute_path, Error& error) {
  error = {};
  // RTLD_LOCAL: a plugin's symbols never resolve another plugin's. RTLD_NOW: a missing symbol
  // is an error here, not a crash at the first call.
  void* handle = nullptr;
  try {
    handle = open_function(absolute_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  } catch (...) {
    stop_after_throwing_initializer(absolute_path);
  }
  if (handle == nullptr) {
    const char* text = ::dlerror();
    error = {Cause::other, text != nullptr ? text : "dlopen failed"};
  }
  return Library(handle);
}

void* Library::symbol(const char* name) const { return ::dlsym(native_, name); }

// --- Paths -------------------------------------------------------------------

std::string canonical_path(const std::string& path, Error& error) {
  error = {};
  if (const int fd = open_canonical(path, O_PATH | O_CLOEXEC); fd >= 0) {
    ::close(fd);
    return without_trailing_slash(path);
  }
  if (errno == ENOENT || errno == ENOTDIR) {  // found before any link: realpath() would say the same
    error = error_of(errno);
    return {};
  }
  // realpath() reads each component's link, if any: no /proc, whose first use is slow.
  std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr), &std::free);
  if (resolved == nullptr) {
    error = error_of(errno);
    return {};
  }
  return resolved.get();
}

std::string binary_named(const void* address) {
  // The loaded object whose segments hold `address`. glibc 2.35 and later keep a sorted
  // table of the objects for unwinders, searched without a lock; before, the dynamic
  // loader's list is walked (dladdr would also look for the nearest symbol, a walk of the
  // object's whole symbol table).
#ifdef DLFO_STRUCT_HAS_EH_DBASE
  if (dl_find_object found{}; ::_dl_find_object(const_cast<void*>(address), &found) == 0 &&
                              found.dlfo_link_map != nullptr && found.dlfo_link_map->l_name[0] == '/') {
    return found.dlfo_link_map->l_name;
  }
#endif
  struct Search {
    std::uintptr_t address;
    const char* name;
  } search{reinterpret_cast<std::uintptr_t>(address), nullptr};
  ::dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        auto& s = *static_cast<Search*>(data);
        for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& segment = info->dlpi_phdr[i];
          const std::uintptr_t start = info->dlpi_addr + segment.p_vaddr;
          if (segment.p_type == PT_LOAD && s.address >= start && s.address - start < segment.p_memsz) {
            s.name = info->dlpi_name;
            return 1;
          }
        }
        return 0;
      },
      &search);
  if (search.name != nullptr && search.name[0] == '/') return search.name;
  // The main program has no name in that list.
  std::string program = program_file();
  return program.empty() ? std::string("(this program)") : program;
}

std::string program_file() {
  // The path the program was started by, when absolute: no system call, where the first read
  // through /proc of a process costs tens of microseconds (bench/: discovery at N = 1).
  // NOLINTNEXTLINE(performance-no-int-to-ptr): getauxval hands out addresses as integers
  if (const auto* started = reinterpret_cast<const char*>(::getauxval(AT_EXECFN));
      started != nullptr && started[0] == '/') {
    return started;
  }
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : self.string();
}

std::string binary_holding(const void* address) {
  std::string named = binary_named(address);
  if (named.front() != '/') return named;
  Error error;
  std::string canonical = canonical_path(named, error);
  return error ? named : canonical;
}

bool is_link_or_reparse_point(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

bool is_terminal(std::FILE* stream) { return ::isatty(::fileno(stream)) != 0; }

PathLimit path_limit() { return {PATH_MAX, "PATH_MAX", std::strerror(ENAMETOOLONG)}; }

}  // namespace speculators::detail::os
