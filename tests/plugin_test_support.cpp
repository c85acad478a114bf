#include "plugin_test_support.hpp"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace fx {

namespace fs = std::filesystem;

fs::path fixture_root(const std::string& name) { return fs::path(SPECULATORS_TEST_PLUGIN_ROOT) / name; }

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
  void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (handle == nullptr) return nullptr;
  void* symbol = ::dlsym(handle, function);
  ::dlclose(handle);  // drops the reference taken above; the loader's own keeps the plugin loaded
  return symbol;
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

void set_plugin_path(const std::string& value) { ::setenv("SPECULATORS_PLUGIN_PATH", value.c_str(), 1); }

}  // namespace fx
