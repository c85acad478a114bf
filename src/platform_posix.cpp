// POSIX dynamic loading (glibc's dlopen family).
#include "platform.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <mutex>
#include <set>

namespace speculators::detail {

LibraryHandle open_library(const std::string& path, std::string& error) {
  // RTLD_LOCAL: a plugin's symbols never resolve another plugin's. RTLD_NOW: a missing symbol
  // is an error here, not a crash at the first call.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* text = ::dlerror();
    error = text != nullptr ? text : "dlopen failed";
  }
  return LibraryHandle{handle};
}

void* find_symbol(LibraryHandle library, const char* symbol) { return ::dlsym(library.native, symbol); }

std::string binary_holding(const void* address) {
  Dl_info info{};
  if (::dladdr(address, &info) != 0 && info.dli_fname != nullptr && info.dli_fname[0] == '/') {
    std::error_code ec;
    auto canonical = std::filesystem::canonical(info.dli_fname, ec);
    return ec ? std::string(info.dli_fname) : canonical.string();
  }
  // The main program reports the name it was started by, which may be relative.
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("(this program)") : self.string();
}

const char* intern(const std::string& text) {
  static std::mutex mutex;
  static auto* texts = new std::set<std::string, std::less<>>;  // never freed: pointers are handed out
  std::lock_guard lock(mutex);
  return texts->insert(text).first->c_str();
}

}  // namespace speculators::detail
