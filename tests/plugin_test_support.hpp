// Helpers shared by the plugin suites: fixture roots, scratch directories, key listings.
#pragma once

#include <speculators/plugins.hpp>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fx {

/// What the reason of a plugin whose dependency is nowhere says (fx_gone of tests/plugins.cmake):
/// the name that no file has (POSIX), or what error 126 means (Windows).
#if defined(_WIN32)
inline constexpr const char* missing_dependency = "a DLL this plugin needs is missing";
#else
inline constexpr const char* missing_dependency = "libfx_never_installed.so";
#endif

/// A fixture root built by tests/plugins.cmake ("good", "second", "bad", "where", "throws").
std::filesystem::path fixture_root(const std::string& name);

/// A path as the library writes it: UTF-8, with '/' between components (as it is on POSIX).
std::string text(const std::filesystem::path& path);

/// This test program's file, as the library names it (fx::text()).
std::string program_file();

/// An empty directory for the running test, under the test binary directory, mode 0755.
std::filesystem::path scratch_dir();

/// Copies the tree `from` into `to`, keeping symbolic links as links, with every file and
/// directory made not writable by group or others (so the copy passes the loader's checks
/// whatever the umask was).
void copy_tree(const std::filesystem::path& from, const std::filesystem::path& to);

/// Adds `bits` to the permissions of `path`.
void add_permissions(const std::filesystem::path& path, std::filesystem::perms bits);

/// The names of a base's registered classes, sorted; discovery runs first.
template <class Base>
std::vector<std::string> sorted_keys() {
  std::vector<std::string> keys;
  for (auto cls : Base::registered_classes()) keys.emplace_back(cls.name());
  std::sort(keys.begin(), keys.end());
  return keys;
}

/// The names of a registry's classes, sorted, without running discovery.
template <class Base>
std::vector<std::string> registered_keys_now() {
  std::vector<std::string> keys;
  if (const auto* view = Base::registry()) {
    for (auto cls : *view) keys.emplace_back(cls.name());
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

/// The module names of `modules`, in their order.
std::vector<std::string> module_names(const std::vector<speculators::PluginModule>& modules);

/// What the exported `int function()` of the plugin `file` returns, called in the copy this
/// process loaded; -1 when the process has not loaded the file (nothing is loaded here).
int plugin_counter(const std::filesystem::path& file, const char* function);

/// What the exported `const char* function()` of the plugin `file` returns, called in the copy
/// this process loaded; empty when the process has not loaded the file.
std::string plugin_text(const std::filesystem::path& file, const char* function);

/// Ends the test process, failed, when it is not destroyed within `seconds`: a call that
/// would wait forever fails the test instead of hanging it.
class Watchdog {
 public:
  explicit Watchdog(int seconds);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  Watchdog(Watchdog&&) = delete;
  Watchdog& operator=(Watchdog&&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  bool finished_ = false;
  std::thread thread_;
};

/// The failures of the PluginLoadError `load` throws, each checked to be named (its file) in
/// the error's message; empty when it throws none.
std::vector<speculators::PluginFailure> thrown_failures(const std::function<void()>& load);

/// The one failure `load` throws (thrown_failures()); a test failure (and an empty result)
/// when it throws none or several.
speculators::PluginFailure only_failure(const std::function<void()>& load);

/// A test failure unless `text` contains `phrase`, showing both.
void expect_contains(const std::string& text, const std::string& phrase);

/// Sets the environment variable `name` for the rest of the test process.
void set_environment(const char* name, const std::string& value);

/// Sets SPECULATORS_PLUGIN_PATH for the rest of the test process.
void set_plugin_path(const std::string& value);

}  // namespace fx
