// Lazy loading: discovery lists plugin classes from their manifests, and a plugin is loaded
// the first time one of its classes is created, once, whichever thread asks first.
#include <speculators/any_registry.hpp>
#include <speculators/plugins.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "fixture_bases.hpp"
#include "plugin_test_support.hpp"

namespace {

namespace fs = std::filesystem;
using Keys = std::vector<std::string>;

const fs::path lazy_package = fx::fixture_root("lazy") / "fx" / "lazy";

// How many times the code of fixture plugin `module` ran in this process; -1: never loaded.
int initializations(const fs::path& package, const char* module) {
  return fx::plugin_counter(package / (std::string(module) + FX_PLUGIN_SUFFIX), "fx_lazy_initializations");
}

TEST(PluginLazy, DiscoveryListsClassesFromManifestsWithoutRunningThem) {
  speculators::add_plugin_directory(fx::fixture_root("lazy"));
  EXPECT_EQ(fx::sorted_keys<fx::Lazy>(), (Keys{"broken", "one", "two"}));
  for (const auto cls : fx::Lazy::registered_classes()) {
    EXPECT_FALSE(cls.is_loaded()) << cls.name();
    EXPECT_EQ(cls.origin(), fx::text(lazy_package / (std::string(cls.name()) + FX_PLUGIN_SUFFIX)));
    EXPECT_EQ(cls.description(), "a lazily loaded fixture");
  }
  EXPECT_EQ(fx::Lazy::auto_imported_modules(), (Keys{"fx.lazy.broken", "fx.lazy.one", "fx.lazy.two"}));
  for (const speculators::PluginModule& m : speculators::find_package_modules("fx.lazy")) {
    EXPECT_FALSE(m.loaded) << m.name;
  }
  for (const char* module : {"one", "two", "broken"}) EXPECT_EQ(initializations(lazy_package, module), -1) << module;
  // The plugin that cannot load is not found out until its class is created.
  EXPECT_TRUE(speculators::plugin_failures().empty());
}

// What a tool or Python does: no code of the process names fx::Lazy until the end.
TEST(PluginLazy, ARegistryOnlyManifestsNameIsOpenedByKeyAndLoadsOnCreate) {
  speculators::add_plugin_directory(fx::fixture_root("lazy"));
  const std::string key(fx::Lazy::registry_key());
  const Keys before = speculators::registry_keys();
  EXPECT_EQ(std::count(before.begin(), before.end(), key), 0);
  const speculators::AnyRegistry lazy = speculators::AnyRegistry::open(key);
  EXPECT_TRUE(lazy.registry_auto_discovery());
  EXPECT_FALSE(lazy.registry_eager_load());
  EXPECT_EQ(lazy.auto_package(), Keys{"fx.lazy"});  // where its plugins sit
  EXPECT_EQ(lazy.size(), 0U);
  EXPECT_FALSE(lazy.registry_populated());
  std::vector<std::string> names;
  for (const speculators::AnyClassInfo& cls : lazy.registered_classes()) {
    names.emplace_back(cls.name());
    EXPECT_FALSE(cls.is_loaded()) << cls.name();
  }
  EXPECT_EQ(names, (Keys{"broken", "one", "two"}));
  EXPECT_EQ(lazy.auto_imported_modules(), (Keys{"fx.lazy.broken", "fx.lazy.one", "fx.lazy.two"}));
  for (const char* module : {"one", "two", "broken"}) EXPECT_EQ(initializations(lazy_package, module), -1) << module;
  lazy.find("one").load();
  EXPECT_TRUE(lazy.find("one").is_loaded());
  EXPECT_EQ(initializations(lazy_package, "one"), 1);
  EXPECT_EQ(initializations(lazy_package, "two"), -1);
  EXPECT_THROW(lazy.find("broken").load(), speculators::PluginLoadError);
  // The typed base, used now, finds the same classes and keeps its own settings.
  EXPECT_EQ(fx::Lazy::create("one", 7)->value(), 7);
  EXPECT_EQ(initializations(lazy_package, "one"), 1);
  EXPECT_EQ(lazy.auto_package(), Keys{"fx.lazy"});
  // Loading every class: the good plugins load, the bad one is reported once.
  try {
    lazy.load_classes();
    ADD_FAILURE() << "the broken plugin loaded";
  } catch (const speculators::PluginLoadError& e) {
    ASSERT_EQ(e.failures().size(), 1U);
    EXPECT_EQ(e.failures()[0].file, fx::text(lazy_package / "broken" FX_PLUGIN_SUFFIX));
  }
  EXPECT_EQ(initializations(lazy_package, "two"), 1);
}

TEST(PluginLazy, FirstCreateLoadsOnlyThatPluginAndOnlyOnce) {
  speculators::add_plugin_directory(fx::fixture_root("lazy"));
  EXPECT_EQ(fx::Lazy::create("one", 5)->value(), 5);
  EXPECT_TRUE(fx::Lazy::find("one").is_loaded());
  EXPECT_FALSE(fx::Lazy::find("two").is_loaded());
  EXPECT_EQ(initializations(lazy_package, "one"), 1);
  EXPECT_EQ(initializations(lazy_package, "two"), -1);
  EXPECT_EQ(fx::Lazy::find("one").create(6)->value(), 6);
  EXPECT_EQ(initializations(lazy_package, "one"), 1);
  for (const speculators::PluginModule& m : speculators::find_package_modules("fx.lazy")) {
    EXPECT_EQ(m.loaded, m.name == "fx.lazy.one") << m.name;
  }
}

TEST(PluginLazy, ConcurrentFirstCreatesLoadThePluginOnce) {
  speculators::add_plugin_directory(fx::fixture_root("lazy"));
  const fx::Lazy::class_info two = fx::Lazy::find("two");  // discovery done: only the load races
  ASSERT_TRUE(two);
  ASSERT_FALSE(two.is_loaded());
  constexpr int thread_count = 8;
  std::latch start(thread_count);
  std::vector<int> values(thread_count, -1);
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([t, &start, &values] {
      start.arrive_and_wait();
      // Half through the handle, half by name: both paths meet at the same listed entry.
      values[t] = (t % 2 == 0 ? fx::Lazy::find("two").create(t) : fx::Lazy::create("two", t))->value();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < thread_count; ++t) EXPECT_EQ(values[t], t);
  EXPECT_EQ(initializations(lazy_package, "two"), 1);
  EXPECT_TRUE(two.is_loaded());
}

TEST(PluginLazy, APluginThatCannotLoadFailsOnlyTheCreateOfItsClasses) {
  speculators::add_plugin_directory(fx::fixture_root("lazy"));
  ASSERT_EQ(fx::Lazy::registered_classes().size(), 3U);
  for (int attempt = 0; attempt < 2; ++attempt) {
    const speculators::PluginFailure failure = fx::only_failure([] { fx::Lazy::create("broken", 1); });
    EXPECT_EQ(failure.file, fx::text(lazy_package / "broken" FX_PLUGIN_SUFFIX));
    EXPECT_EQ(failure.module, "fx.lazy.broken");
    fx::expect_contains(failure.reason, "could not be loaded by the dynamic loader");
    fx::expect_contains(failure.reason, fx::missing_dependency);
  }
  try {
    fx::Lazy::create("broken", 1);
  } catch (const speculators::PluginLoadError& e) {  // that it throws is checked above
    EXPECT_EQ(e.registry(), fx::Lazy::registry_key());
    fx::expect_contains(e.what(), "fx::Lazy");
  }
  EXPECT_FALSE(fx::Lazy::find("broken").is_loaded());
  EXPECT_EQ(fx::Lazy::create("one", 2)->value(), 2);     // the good plugins keep working
  ASSERT_EQ(speculators::plugin_failures().size(), 1U);  // recorded once, however often it is asked for
}

TEST(PluginLazy, AFileReplacedAfterItsManifestWasCheckedIsNotLoaded) {
  const fs::path root = fx::scratch_dir() / "root";
  fx::copy_tree(fx::fixture_root("lazy"), root);
  const fs::path package = root / "fx" / "lazy";
  speculators::add_plugin_directory(root);
  ASSERT_EQ(fx::sorted_keys<fx::Lazy>(), (Keys{"broken", "one", "two"}));
  // Another plugin is renamed over one.so after discovery checked one.so's manifest.
  fs::copy_file(package / "two" FX_PLUGIN_SUFFIX, package / "incoming.tmp");
  fs::rename(package / "incoming.tmp", package / "one" FX_PLUGIN_SUFFIX);
  const speculators::PluginFailure failure = fx::only_failure([] { fx::Lazy::create("one", 1); });
  EXPECT_EQ(failure.file, fx::text(package / "one" FX_PLUGIN_SUFFIX));
  fx::expect_contains(failure.reason, "changed after its manifest was checked");
  EXPECT_EQ(initializations(package, "one"), -1);
  EXPECT_EQ(fx::Lazy::create("two", 3)->value(), 3);
}

TEST(PluginLazy, LoadingAListedPluginByHandGivesItsClassesTheirCode) {
  speculators::add_plugin_directory(fx::fixture_root("lazy"));
  ASSERT_FALSE(fx::Lazy::find("one").is_loaded());
  const speculators::PluginInfo info = speculators::load_plugin(lazy_package / "one" FX_PLUGIN_SUFFIX);
  ASSERT_EQ(info.entries.size(), 1U);
  EXPECT_TRUE(fx::Lazy::find("one").is_loaded());
  EXPECT_EQ(fx::Lazy::registered_classes().size(), 3U);  // filled in, not registered twice
  EXPECT_EQ(fx::Lazy::create("one", 4)->value(), 4);
  EXPECT_EQ(initializations(lazy_package, "one"), 1);
}

}  // namespace
