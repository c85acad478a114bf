// POSIX dynamic loading (glibc's dlopen family).
#include "platform.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
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
  const int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
  if (fd < 0) {
    ec.assign(errno, std::generic_category());
    return {};
  }
  std::string resolved = canonical_path_of(fd);
  ::close(fd);
  if (!resolved.empty()) return resolved;
  return std::filesystem::canonical(path, ec).string();  // no /proc: one readlink per component
}

std::string binary_named(const void* address) {
  Dl_info info{};
  if (::dladdr(address, &info) != 0 && info.dli_fname != nullptr && info.dli_fname[0] == '/') return info.dli_fname;
  // The main program reports the name it was started by, which may be relative.
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("(this program)") : self.string();
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
