// The plugin layer on Windows, run under wine in CI: discovery and loading through
// LoadLibraryExW, the hostile corpus in its Windows form (every file refused with its reason,
// the good neighbours loaded), and a plugin under a directory whose name is not ASCII.
#include "fixture_bases.hpp"

#include <speculators/plugins.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Keys = std::vector<std::string>;

// A path from its UTF-8 text (the compile definitions are UTF-8).
fs::path utf8_path(const char* text) {
  const std::string bytes(text);
  return fs::path(std::u8string(bytes.begin(), bytes.end()));
}

// Every refused file of fx.bad and a phrase its reason must hold.
const std::map<std::string, std::string> expected_failures{
    {"fx.bad.dup_b", "key \"twin\" is already registered"},
    {"fx.bad.empty", "is empty, not a DLL"},
    {"fx.bad.i686", "is a DLL for i386 (PE machine 332), this process is x86-64"},
    {"fx.bad.missing_dep", "a DLL this plugin needs is missing"},
    {"fx.bad.text", "is not a DLL (no MZ header)"},
    {"fx.bad.truncated", "is a truncated DLL (1000 bytes)"},
    {"fx.bad.wrong_abi", "was built for standard library \"libfoo++0/not-this-host\""},
};

template <class Base>
Keys registered_keys_now() {
  Keys keys;
  if (const auto* view = Base::registry()) {
    for (auto cls : *view) keys.emplace_back(cls.name());
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

TEST(WindowsPlugins, TheHostileCorpusIsRefusedFileByFileAndTheGoodPluginsLoad) {
  speculators::add_plugin_directory(utf8_path(WX_BAD_ROOT));
  std::vector<speculators::PluginFailure> received;
  speculators::set_plugin_failure_handler([&received](const speculators::PluginFailure& f) { received.push_back(f); });
  EXPECT_EQ(fx::Bad::registered_classes().size(), 3U);
  std::map<std::string, std::string> reasons;
  for (const speculators::PluginFailure& f : received) {
    EXPECT_TRUE(reasons.emplace(f.module, f.reason).second) << "reported twice: " << f.module;
    EXPECT_TRUE(f.file.ends_with(f.module.substr(f.module.rfind('.') + 1) + ".dll")) << f.file;
  }
  for (const auto& [module, phrase] : expected_failures) {
    const auto it = reasons.find(module);
    if (it == reasons.end()) {
      ADD_FAILURE() << "not reported: " << module;
      continue;
    }
    EXPECT_NE(it->second.find(phrase), std::string::npos) << module << ": " << it->second;
  }
  EXPECT_EQ(reasons.size(), expected_failures.size());
  EXPECT_EQ(registered_keys_now<fx::Bad>(), (Keys{"ok_first", "ok_last", "twin"}));
  EXPECT_EQ(fx::Bad::create("ok_last", 7)->value(), 7);
  EXPECT_TRUE(fx::Bad::find("twin").origin().ends_with("dup_a.dll"));
  speculators::set_plugin_failure_handler({});
}

TEST(WindowsPlugins, APluginUnderANonAsciiDirectoryLoads) {
  const fs::path root = utf8_path(WX_GOOD_ROOT);
  ASSERT_TRUE(fs::is_directory(root)) << WX_GOOD_ROOT;
  speculators::add_plugin_directory(root);
  ASSERT_EQ(fx::Shape::create("alpha", 3)->sides(), 3);
  const std::string origin(fx::Shape::find("alpha").origin());
  EXPECT_NE(origin.find("good-\xc3\xbc"), std::string::npos) << origin;  // the UTF-8 of the directory's name
  EXPECT_TRUE(origin.ends_with("alpha.dll")) << origin;
}

TEST(WindowsPlugins, ThreadsRacingToTheFirstDiscoveryAllGetTheSamePlugin) {
  speculators::add_plugin_directory(utf8_path(WX_GOOD_ROOT));
  constexpr int thread_count = 4;
  std::vector<std::string> origins(thread_count);
  std::vector<int> sides(thread_count, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < thread_count; ++i) {
    threads.emplace_back([&origins, &sides, i] {
      sides[static_cast<std::size_t>(i)] = fx::Shape::create("alpha", i + 3)->sides();
      origins[static_cast<std::size_t>(i)] = std::string(fx::Shape::find("alpha").origin());
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < thread_count; ++i) {
    EXPECT_EQ(sides[static_cast<std::size_t>(i)], i + 3);
    EXPECT_EQ(origins[static_cast<std::size_t>(i)], origins[0]);
  }
  EXPECT_EQ(speculators::plugin_failures().size(), 0U);
}

TEST(WindowsPlugins, TheManifestIsReadFromTheDllWithoutLoadingIt) {
  const fs::path file = utf8_path(WX_GOOD_ROOT) / "fx" / "good" / "alpha.dll";
  const speculators::PluginInfo info = speculators::read_plugin_manifest(file);
  EXPECT_TRUE(info.has_manifest);
  EXPECT_EQ(info.abi_tag, SPECULATORS_ABI_TAG);
  ASSERT_EQ(info.entries.size(), 2U);  // a Shape and a Color
  EXPECT_FALSE(fx::Shape::registry_populated());
}

TEST(WindowsPlugins, TheSearchPathVariableIsSplitOnSemicolons) {
  const std::string both = std::string(WX_BAD_ROOT) + ";" + WX_GOOD_ROOT;
  ASSERT_EQ(_putenv_s("SPECULATORS_PLUGIN_PATH", both.c_str()), 0);
  const std::vector<speculators::SearchPathEntry> path = speculators::plugin_search_path();
  ASSERT_GE(path.size(), 2U);
  EXPECT_EQ(utf8_path(path[0].directory.c_str()).lexically_normal(), utf8_path(WX_BAD_ROOT).lexically_normal());
  EXPECT_EQ(utf8_path(path[1].directory.c_str()).lexically_normal(), utf8_path(WX_GOOD_ROOT).lexically_normal());
}

}  // namespace
