// A fixture plugin whose static initializer calls every public function of the plugin
// machinery and of the registries of its own package while it loads, catching what they
// throw: none may wait for the load it runs in (that load holds the loader's lock, and in an
// eager discovery the registry's). fx_reentry_outcomes() tells what each call did, a line
// each: "<call>: ok" or "<call>: threw <message>".
#include "fixture_bases.hpp"

#include <speculators/plugins.hpp>

#include <dlfcn.h>

#include <exception>
#include <functional>
#include <string>

extern "C" __attribute__((visibility("default"))) const char* fx_reentry_outcomes();

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

struct CallEverything {
  CallEverything() {
    Dl_info self{};
    ::dladdr(reinterpret_cast<void*>(&fx_reentry_outcomes), &self);
    const std::string file = self.dli_fname != nullptr ? self.dli_fname : "";
    attempt("plugin_failures()", [] { (void)speculators::plugin_failures(); });
    attempt("plugin_search_path()", [] { (void)speculators::plugin_search_path(); });
    attempt("find_package_modules()", [] { (void)speculators::find_package_modules("fx.reentry"); });
    attempt("load_plugin()", [&file] { (void)speculators::load_plugin(file); });
    attempt("read_plugin_manifest()", [&file] { (void)speculators::read_plugin_manifest(file); });
    attempt("add_plugin_directory()", [] { speculators::add_plugin_directory("/nonexistent/fx-reentry"); });
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
