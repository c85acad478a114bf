// POSIX dynamic loading (glibc's dlopen family).
#include "platform.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>  // struct open_how: glibc 2.36 has no openat2() wrapper
#define SPECULATORS_HAVE_OPENAT2 1
#endif

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>

namespace speculators::detail {

namespace {

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

LibraryHandle open_library(const std::string& path, std::string& error) {
  // RTLD_LOCAL: a plugin's symbols never resolve another plugin's. RTLD_NOW: a missing symbol
  // is an error here, not a crash at the first call.
  void* handle = nullptr;
  try {
    handle = open_function(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  } catch (...) {
    stop_after_throwing_initializer(path);
  }
  if (handle == nullptr) {
    const char* text = ::dlerror();
    error = text != nullptr ? text : "dlopen failed";
  }
  return LibraryHandle{handle};
}

void* find_symbol(LibraryHandle library, const char* symbol) { return ::dlsym(library.native, symbol); }

std::string canonical_path_of(int fd) {
  // The kernel keeps the resolved name of every open file; /proc shows it.
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  char target[PATH_MAX];
  const ssize_t length = ::readlink(link.c_str(), target, sizeof target);
  if (length <= 0 || static_cast<std::size_t>(length) >= sizeof target || target[0] != '/') return {};
  std::string path(target, static_cast<std::size_t>(length));
  if (path.ends_with(" (deleted)")) return {};  // gone since it was opened: no name to give
  return path;
}

std::string canonical_path(const std::string& path, std::error_code& ec) {
  ec.clear();
  if (const int fd = open_canonical(path, O_PATH | O_CLOEXEC); fd >= 0) {
    ::close(fd);
    return without_trailing_slash(path);
  }
  // realpath() reads each component's link, if any: no /proc, whose first use is slow.
  std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr), &std::free);
  if (resolved == nullptr) {
    ec.assign(errno, std::generic_category());
    return {};
  }
  return resolved.get();
}

bool is_plain_path(std::string_view path) {
  if (!path.starts_with('/')) return false;
  for (std::size_t start = 1; start < path.size();) {
    const std::size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view component = path.substr(start, slash - start);
    if (component.empty() || component == "." || component == "..") return false;
    start = slash + 1;
  }
  return true;
}

std::string without_trailing_slash(std::string path) {
  while (path.size() > 1 && path.ends_with('/')) path.pop_back();
  return path;
}

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
  std::error_code ec;
  std::string canonical = canonical_path(named, ec);
  return ec ? named : canonical;
}

const char* intern(const std::string& text) {
  static std::mutex mutex;
  static auto* texts = new std::set<std::string, std::less<>>;  // never freed: pointers are handed out
  std::lock_guard lock(mutex);
  return texts->insert(text).first->c_str();
}

}  // namespace speculators::detail
