// A fixture plugin whose static initializer calls every public function of the plugin
// machinery and of the registries of its own package while it loads, catching what they
// throw: none may wait for the load it runs in (that load holds the loader's lock, and in an
// eager discovery the registry's). fx_reentry_outcomes() tells what each call did, a line
// each: "<call>: ok" or "<call>: threw <message>".
#include "fixture_bases.hpp"

#include <speculators/plugins.hpp>

#if defined(_WIN32)
#include <windows.h>
#else
#include <dlfcn.h>
#endif

#include <algorithm>
#include <exception>
#include <functional>
#include <string>

extern "C" FX_EXPORT const char* fx_reentry_outcomes();

namespace {

std::string& outcomes() {
  static std::string text;
  return text;
}

void attempt(const char* call, const std::function<void()>& body) {
  std::string& out = outcomes();
  out += call;
  try {
    body();
    out += ": ok\n";
  } catch (const std::exception& e) {
    out += std::string(": threw ") + e.what() + "\n";
  }
}

struct ReentryImpl : fx::Reentry {};
struct ByCode : fx::Reentry {};

// Calls the registry functions of `Base`, one of the two bases of this package.
template <class Base>
void call_registry(const std::string& base) {
  attempt((base + "::registry()").c_str(), [] { (void)Base::registry(); });
  attempt((base + "::registry_populated()").c_str(), [] { (void)Base::registry_populated(); });
  attempt((base + "::find()").c_str(), [] { (void)Base::find("reentrant"); });
  attempt((base + "::create()").c_str(), [] { (void)Base::create("reentrant"); });
  attempt((base + "::registered_classes()").c_str(), [] { (void)Base::registered_classes(); });
  attempt((base + "::auto_populate_registry()").c_str(), [] { (void)Base::auto_populate_registry(); });
  attempt((base + "::auto_import_package_modules()").c_str(), [] { (void)Base::auto_import_package_modules(); });
  attempt((base + "::auto_imported_modules()").c_str(), [] { (void)Base::auto_imported_modules(); });
}

// The file of this plugin, as the dynamic loader has it (on Windows, with '/' between components).
std::string own_file() {
#if defined(_WIN32)
  HMODULE self = nullptr;
  ::GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                       reinterpret_cast<LPCWSTR>(&fx_reentry_outcomes), &self);
  wchar_t wide[MAX_PATH];
  const DWORD length = ::GetModuleFileNameW(self, wide, MAX_PATH);
  std::string file(static_cast<std::size_t>(
                       ::WideCharToMultiByte(CP_UTF8, 0, wide, static_cast<int>(length), nullptr, 0, nullptr, nullptr)),
                   '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, wide, static_cast<int>(length), file.data(), static_cast<int>(file.size()), nullptr,
                        nullptr);
  std::replace(file.begin(), file.end(), '\\', '/');
  return file;
#else
  Dl_info self{};
  ::dladdr(reinterpret_cast<void*>(&fx_reentry_outcomes), &self);
  return self.dli_fname != nullptr ? self.dli_fname : "";
#endif
}

// An absolute directory that does not exist.
#if defined(_WIN32)
constexpr const char* nonexistent_directory = "C:/nonexistent/fx-reentry";
#else
constexpr const char* nonexistent_directory = "/nonexistent/fx-reentry";
#endif

struct CallEverything {
  CallEverything() {
    const std::string file = own_file();
    attempt("plugin_failures()", [] { (void)speculators::plugin_failures(); });
    attempt("plugin_search_path()", [] { (void)speculators::plugin_search_path(); });
    attempt("find_package_modules()", [] { (void)speculators::find_package_modules("fx.reentry"); });
    attempt("load_plugin()", [&file] { (void)speculators::load_plugin(file); });
    attempt("read_plugin_manifest()", [&file] { (void)speculators::read_plugin_manifest(file); });
    attempt("add_plugin_directory()", [] { speculators::add_plugin_directory(nonexistent_directory); });
    attempt("set_warning_handler()", [] { speculators::set_warning_handler({}); });
    attempt("set_plugin_failure_handler()", [] { speculators::set_plugin_failure_handler({}); });
    attempt("allow_writable_plugins()", [] { speculators::allow_writable_plugins(false); });
    call_registry<fx::Reentry>("Reentry");
    call_registry<fx::ReentryEager>("ReentryEager");
    attempt("Reentry::register_class()", [] { fx::Reentry::register_class<ByCode>("by_code"); });
  }
} call_everything;

}  // namespace

SPECULATORS_REGISTER(fx::Reentry, ReentryImpl, "reentrant");

const char* fx_reentry_outcomes() { return outcomes().c_str(); }
