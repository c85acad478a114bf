// The part of the hostile-plugin corpus that both platforms share: the plugins whose static
// initializers end the process, refused before they run (built for another standard library,
// or registering a key the host has taken), beside a good neighbour that loads; and (POSIX only) a
// plugin of 2,000 registrations. (What ends the process, loops of links, unreadable files and the like:
// plugin_hostile_test.cpp, POSIX-only.)
#include "hostile_bases.hpp"
#include "plugin_test_support.hpp"

#include <speculators/plugins.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Keys = std::vector<std::string>;

fs::path plain_file(const std::string& root, const std::string& module) {
  return fx::fixture_root(root) / "hx" / "plain" / (module + FX_PLUGIN_SUFFIX);
}

struct HostPlain : hx::Plain {};

// --- 1. Static initializers that end the process, never run ----------------------------------
// The same plugins built for another standard library: the manifest check refuses them, so
// their initializers never run and this process gets to its checks.
TEST(PluginHostile, EndingPluginsForAForeignStandardLibraryAreRefusedWithoutRunning) {
  for (const char* module : {"exits", "aborts"}) {
    SCOPED_TRACE(module);
    const fs::path file = plain_file("hostile-refused", module);
    const speculators::PluginFailure failure = fx::only_failure([&file] { speculators::load_plugin(file); });
    EXPECT_EQ(failure.file, fx::text(file));
    fx::expect_contains(failure.reason, "was built for standard library \"libfoo++0/not-this-host\"");
    fx::expect_contains(failure.reason, "this host uses \"" SPECULATORS_ABI_TAG "\"");
    fx::expect_contains(failure.reason, "Rebuild the plugin with the host's toolchain");
  }
  EXPECT_EQ(hx::Plain::registry(), nullptr);
}

TEST(PluginHostile, DiscoveryRefusesTheEndingPluginsAndRegistersTheirGoodNeighbour) {
  speculators::add_plugin_directory(fx::fixture_root("hostile-refused"));
  const std::vector<speculators::PluginFailure> failures = fx::thrown_failures([] { hx::Plain::registered_classes(); });
  ASSERT_EQ(failures.size(), 2U);
  EXPECT_EQ(failures[0].file, fx::text(plain_file("hostile-refused", "aborts")));
  EXPECT_EQ(failures[0].module, "hx.plain.aborts");
  EXPECT_EQ(failures[1].file, fx::text(plain_file("hostile-refused", "exits")));
  EXPECT_EQ(failures[1].module, "hx.plain.exits");
  for (const speculators::PluginFailure& f : failures) fx::expect_contains(f.reason, "\"libfoo++0/not-this-host\"");
  EXPECT_EQ(fx::registered_keys_now<hx::Plain>(), (Keys{"good"}));
  EXPECT_NE(hx::Plain::create("good"), nullptr);
}

// Another check made before loading, on the very files that end the process when they run:
// a key the host has taken already.
TEST(PluginHostile, EndingPluginsWhoseKeyIsTakenAreRefusedWithoutRunning) {
  hx::Plain::register_class<HostPlain>("exits");
  hx::Plain::register_class<HostPlain>("aborts");
  for (const char* module : {"exits", "aborts"}) {
    SCOPED_TRACE(module);
    const fs::path file = plain_file("hostile-ends", module);
    const speculators::PluginFailure failure = fx::only_failure([&file] { speculators::load_plugin(file); });
    EXPECT_EQ(failure.file, fx::text(file));
    fx::expect_contains(failure.reason, "\"" + std::string(module) + "\" is already registered");
  }
  EXPECT_EQ(fx::registered_keys_now<hx::Plain>(), (Keys{"aborts", "exits"}));
}

// POSIX-only: mingw-w64's linker takes over 12 minutes on the fixture's 2,000 classes.
#if !defined(_WIN32)
// --- 2. Thousands of registrations ----------------------------------------------------------

using EntrySet = std::set<std::tuple<std::string, std::string, std::string, std::string, std::string>>;

EntrySet entry_set(const speculators::PluginInfo& info) {
  EntrySet out;
  for (const auto& e : info.entries) out.emplace(e.registry_key, e.name, e.type_name, e.signature, e.description);
  return out;
}

TEST(PluginHostile, ThousandsOfEntriesAreAllRegisteredAndAgreeWithTheManifest) {
  constexpr int first = 1000;
  constexpr int count = 2000;
  const fs::path file = fx::fixture_root("hostile-many") / "hx" / "many" / "many" FX_PLUGIN_SUFFIX;
  const speculators::PluginInfo declared = speculators::read_plugin_manifest(file);
  ASSERT_TRUE(declared.has_manifest);
  ASSERT_EQ(declared.entries.size(), std::size_t{count});
  const speculators::PluginInfo loaded = speculators::load_plugin(file);
  ASSERT_EQ(loaded.entries.size(), std::size_t{count});
  EXPECT_EQ(entry_set(declared), entry_set(loaded));  // entry for entry
  EXPECT_EQ(entry_set(declared).size(), std::size_t{count});

  Keys expected;
  for (int i = first; i < first + count; ++i) expected.push_back("many_" + std::to_string(i));
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(fx::registered_keys_now<hx::Many>(), expected);
  for (int i = first; i < first + count; ++i) {
    const std::string key = "many_" + std::to_string(i);
    const auto cls = hx::Many::find(key);
    ASSERT_TRUE(cls) << key;
    EXPECT_EQ(cls.type_name(), "hxm::Indexed<" + std::to_string(i) + ">");
    EXPECT_EQ(cls.origin(), fx::text(file));
    EXPECT_EQ(hx::Many::create(key)->index(), i);
  }
  EXPECT_FALSE(hx::Many::find("many_" + std::to_string(first - 1)));
  EXPECT_FALSE(hx::Many::find("many_" + std::to_string(first + count)));
}

#endif

}  // namespace
