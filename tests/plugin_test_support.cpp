#include "plugin_test_support.hpp"

#include <gtest/gtest.h>

#if defined(_WIN32)
#include <windows.h>
#else
#include <dlfcn.h>
#endif

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace fx {

namespace fs = std::filesystem;

fs::path fixture_root(const std::string& name) { return fs::path(SPECULATORS_TEST_PLUGIN_ROOT) / name; }

std::string program_file() {
#if defined(_WIN32)
  std::wstring file(MAX_PATH, L'\0');
  file.resize(::GetModuleFileNameW(nullptr, file.data(), static_cast<DWORD>(file.size())));
  return text(fs::path(file));
#else
  return fs::canonical("/proc/self/exe").string();
#endif
}

fs::path scratch_dir() {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(test->test_suite_name()) + "." + test->name();
  std::replace(name.begin(), name.end(), '/', '_');
  const fs::path dir = fs::path(SPECULATORS_TEST_BINARY_DIR) / "plugin-scratch" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                           fs::perms::others_exec);
  return dir;
}

void copy_tree(const fs::path& from, const fs::path& to) {
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  constexpr fs::perms writable_by_others = fs::perms::group_write | fs::perms::others_write;
  fs::permissions(to, writable_by_others, fs::perm_options::remove);
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(to)) {
    if (!entry.is_symlink()) fs::permissions(entry.path(), writable_by_others, fs::perm_options::remove);
  }
}

void add_permissions(const fs::path& path, fs::perms bits) { fs::permissions(path, bits, fs::perm_options::add); }

std::vector<std::string> module_names(const std::vector<speculators::PluginModule>& modules) {
  std::vector<std::string> names;
  for (const speculators::PluginModule& m : modules) names.push_back(m.name);
  return names;
}

namespace {

// The exported `function` of the plugin `file` as this process loaded it; null when it did not.
void* loaded_symbol(const fs::path& file, const char* function) {
#if defined(_WIN32)
  // Takes no reference: the loader's own keeps the plugin loaded.
  const HMODULE handle = ::GetModuleHandleW(fs::path(file).make_preferred().c_str());
  if (handle == nullptr) return nullptr;
  return reinterpret_cast<void*>(::GetProcAddress(handle, function));
#else
  void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (handle == nullptr) return nullptr;
  void* symbol = ::dlsym(handle, function);
  ::dlclose(handle);  // drops the reference taken above; the loader's own keeps the plugin loaded
  return symbol;
#endif
}

}  // namespace

int plugin_counter(const fs::path& file, const char* function) {
  const auto counter = reinterpret_cast<int (*)()>(loaded_symbol(file, function));
  return counter == nullptr ? -1 : counter();
}

std::string plugin_text(const fs::path& file, const char* function) {
  const auto text = reinterpret_cast<const char* (*)()>(loaded_symbol(file, function));
  return text == nullptr ? std::string() : std::string(text());
}

Watchdog::Watchdog(int seconds)
    : thread_([this, seconds] {
        std::unique_lock lock(mutex_);
        if (!done_.wait_for(lock, std::chrono::seconds(seconds), [this] { return finished_; })) {
          std::fprintf(stderr, "watchdog: the test did not end within %d s (a call waits forever?)\n", seconds);
          std::_Exit(1);
        }
      }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }
  done_.notify_one();
  thread_.join();
}

std::vector<speculators::PluginFailure> thrown_failures(const std::function<void()>& load) {
  try {
    load();
  } catch (const speculators::PluginLoadError& e) {
    for (const speculators::PluginFailure& f : e.failures()) expect_contains(e.what(), f.file);
    return e.failures();
  }
  return {};
}

speculators::PluginFailure only_failure(const std::function<void()>& load) {
  const std::vector<speculators::PluginFailure> failures = thrown_failures(load);
  EXPECT_EQ(failures.size(), 1U) << "(0: no PluginLoadError was thrown)";
  return failures.empty() ? speculators::PluginFailure{} : failures.front();
}

void expect_contains(const std::string& text, const std::string& phrase) {
  EXPECT_NE(text.find(phrase), std::string::npos) << "\"" << phrase << "\" not in: " << text;
}

void set_environment(const char* name, const std::string& value) {
#if defined(_WIN32)
  ::_putenv_s(name, value.c_str());
#else
  ::setenv(name, value.c_str(), 1);
#endif
}

void set_plugin_path(const std::string& value) { set_environment("SPECULATORS_PLUGIN_PATH", value); }

std::string text(const fs::path& path) {
  const std::u8string utf8 = path.generic_u8string();
  return {utf8.begin(), utf8.end()};
}

}  // namespace fx
