// Discovery of good plugins: the search path, packages and modules, first-call semantics,
// loading once under many threads, several registries per plugin, the package-scan cache.
// Each test runs in its own process, so "the first call" is the first of that test.
#include "fixture_bases.hpp"
#include "plugin_test_support.hpp"

#include <speculators/plugins.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <latch>
#include <thread>

namespace {

namespace fs = std::filesystem;
using Keys = std::vector<std::string>;

const fs::path good_package = fx::fixture_root("good") / "fx" / "good";

// POSIX-only: ':' between entries, /proc/self/exe and the lib/ default (windows_plugin_test.cpp
// has Windows' ';').
#if !defined(_WIN32)
TEST(PluginDiscovery, SearchPathOrder) {
  fx::set_plugin_path("/from/env/a:/from/env/b");
  speculators::add_plugin_directory("/from/code/c");
  const std::vector<speculators::SearchPathEntry> path = speculators::plugin_search_path();
  ASSERT_GE(path.size(), 4U);
  EXPECT_EQ(path[0].directory, "/from/env/a");
  EXPECT_EQ(path[0].source, "SPECULATORS_PLUGIN_PATH");
  EXPECT_FALSE(path[0].exists);
  EXPECT_EQ(path[1].directory, "/from/env/b");
  EXPECT_EQ(path[1].source, "SPECULATORS_PLUGIN_PATH");
  EXPECT_EQ(path[2].directory, "/from/code/c");
  EXPECT_EQ(path[2].source, "add_plugin_directory");
  // The program's own places: its directory's plugins/, and the library directory of the
  // prefix it would be installed in.
  const fs::path program_dir = fs::canonical("/proc/self/exe").parent_path();
  EXPECT_EQ(path[3].directory, fx::text(program_dir / "plugins"));
  EXPECT_EQ(path[3].source, "program");
  EXPECT_EQ(path[4].directory, (program_dir.parent_path() / "lib" / "speculators" / "plugins").string());
  EXPECT_EQ(path[4].source, "program");
  // This test program and library run from the build tree: no install default, and the build
  // tree's plugins come last.
  EXPECT_EQ(path.back().source, "build tree");
  EXPECT_EQ(path.size(), 6U);
}

#endif

TEST(PluginDiscovery, AddPluginDirectoryRefusesRelativePaths) {
  EXPECT_THROW(speculators::add_plugin_directory("relative/plugins"), speculators::RegistryError);
}

TEST(PluginDiscovery, ModulesAreDottedPathsInSortedOrder) {
  speculators::add_plugin_directory(fx::fixture_root("good"));
  const std::vector<speculators::PluginModule> modules = speculators::find_package_modules("fx.good");
  EXPECT_EQ(fx::module_names(modules),
            (Keys{"fx.good.alpha", "fx.good.counted", "fx.good.skipped.gamma", "fx.good.sub.beta"}));
  for (const speculators::PluginModule& m : modules) {
    EXPECT_EQ(m.root, fx::text(fx::fixture_root("good")));
    EXPECT_FALSE(m.loaded) << m.name;
  }
  // speculators_add_plugin(... OUTPUT_ROOT ...) put the module at <root>/<package dirs>/<path>.so.
  EXPECT_EQ(modules.back().file, fx::text(good_package / "sub" / "beta" FX_PLUGIN_SUFFIX));
}

TEST(PluginDiscovery, LoadsThePackageSkippingIgnoredModules) {
  speculators::add_plugin_directory(fx::fixture_root("good"));
  EXPECT_EQ(fx::sorted_keys<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
  // Loaded in sorted order; fx.good.skipped is in the base's auto_ignore_modules.
  EXPECT_EQ(fx::Shape::auto_imported_modules(), (Keys{"fx.good.alpha", "fx.good.counted", "fx.good.sub.beta"}));
  EXPECT_EQ(fx::Shape::create("beta", 5)->sides(), 5);
  EXPECT_EQ(fx::Shape::find("alpha").origin(), fx::text(good_package / "alpha" FX_PLUGIN_SUFFIX));
  EXPECT_FALSE(fx::Shape::find("gamma"));
  for (const speculators::PluginModule& m : speculators::find_package_modules("fx.good")) {
    EXPECT_EQ(m.loaded, m.name != "fx.good.skipped.gamma") << m.name;
  }
}

// A dot in a file name reads as a directory: sub.beta.so and sub/beta.so are both module
// fx.good.sub.beta. Which one is meant cannot be told, so both are refused, each naming the
// other (one of them was dropped without a word), and the rest of the package loads.
TEST(PluginDiscovery, TwoFilesOfOneEntryNamingOneModuleAreBothRefused) {
  const fs::path root = fx::scratch_dir() / "root";
  fx::copy_tree(fx::fixture_root("good"), root);
  const fs::path package = root / "fx" / "good";
  fs::copy_file(package / "alpha" FX_PLUGIN_SUFFIX, package / "sub.beta" FX_PLUGIN_SUFFIX);
  speculators::add_plugin_directory(root);
  std::vector<speculators::PluginFailure> refused;
  const std::vector<speculators::PluginModule> modules = speculators::find_package_modules("fx.good", &refused);
  EXPECT_EQ(fx::module_names(modules), (Keys{"fx.good.alpha", "fx.good.counted", "fx.good.skipped.gamma"}));
  const std::string dotted = fx::text(package / "sub.beta" FX_PLUGIN_SUFFIX);
  const std::string nested = fx::text(package / "sub" / "beta" FX_PLUGIN_SUFFIX);
  ASSERT_EQ(refused.size(), 2U);
  std::sort(refused.begin(), refused.end(), [](const auto& a, const auto& b) { return a.file < b.file; });
  EXPECT_EQ(refused[0].file, dotted);
  EXPECT_EQ(refused[1].file, nested);
  for (const speculators::PluginFailure& f : refused) {
    EXPECT_EQ(f.module, "fx.good.sub.beta");
    fx::expect_contains(f.reason, "is module fx.good.sub.beta, and so is " + (f.file == dotted ? nested : dotted));
  }
  EXPECT_EQ(fx::thrown_failures([] { fx::Shape::registered_classes(); }).size(), 2U);
  EXPECT_EQ(fx::registered_keys_now<fx::Shape>(), (Keys{"alpha", "counted"}));
}

// Paths are UTF-8 in the API (and UTF-16 towards Windows): a plugin under a directory whose
// name is not ASCII loads, and its origin names that directory.
TEST(PluginDiscovery, APluginUnderANonAsciiDirectoryLoads) {
  const fs::path root = fs::path(SPECULATORS_TEST_PLUGIN_ROOT) / fs::path(u8"good-\u00fc");
  ASSERT_TRUE(fs::is_directory(root)) << fx::text(root);
  speculators::add_plugin_directory(root);
  ASSERT_EQ(fx::Shape::create("alpha", 3)->sides(), 3);
  EXPECT_EQ(fx::Shape::find("alpha").origin(), fx::text(root / "fx" / "good" / "alpha" FX_PLUGIN_SUFFIX));
  fx::expect_contains(std::string(fx::Shape::find("alpha").origin()), "/good-\xc3\xbc/");
}

TEST(PluginDiscovery, EnvironmentEntriesComeBeforeCodeDirectories) {
  fx::set_plugin_path(fx::text(fx::fixture_root("second")));
  speculators::add_plugin_directory(fx::fixture_root("good"));
  // fx.good.alpha is in both roots: the first entry's wins and the other is not loaded.
  EXPECT_EQ(fx::sorted_keys<fx::Shape>(), (Keys{"alpha", "beta", "counted", "delta"}));
  EXPECT_EQ(fx::Shape::find("alpha").description(), "second alpha");
  EXPECT_TRUE(speculators::plugin_failures().empty());
}

TEST(PluginDiscovery, CodeDirectoriesKeepTheirOrder) {
  speculators::add_plugin_directory(fx::fixture_root("good"));
  speculators::add_plugin_directory(fx::fixture_root("second"));
  EXPECT_EQ(fx::sorted_keys<fx::Shape>(), (Keys{"alpha", "beta", "counted", "delta"}));
  EXPECT_EQ(fx::Shape::find("alpha").description(), "good alpha");
}

TEST(PluginDiscovery, AutoPopulateRegistryLoadsOnce) {
  speculators::add_plugin_directory(fx::fixture_root("good"));
  EXPECT_FALSE(fx::Shape::registry_populated());
  EXPECT_EQ(fx::Shape::registry(), nullptr);
  EXPECT_TRUE(fx::Shape::auto_populate_registry());
  EXPECT_TRUE(fx::Shape::registry_populated());
  EXPECT_EQ(fx::registered_keys_now<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
  EXPECT_FALSE(fx::Shape::auto_populate_registry());
  EXPECT_EQ(fx::Shape::registry()->size(), 3U);
}

TEST(PluginDiscovery, AutoImportPackageModulesReturnsThePackageModules) {
  speculators::add_plugin_directory(fx::fixture_root("good"));
  const Keys expected{"fx.good.alpha", "fx.good.counted", "fx.good.sub.beta"};
  EXPECT_EQ(fx::Shape::auto_import_package_modules(), expected);
  EXPECT_EQ(fx::Shape::auto_imported_modules(), expected);
  EXPECT_EQ(fx::registered_keys_now<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
  // A second call loads nothing new and returns the same modules.
  EXPECT_EQ(fx::Shape::auto_import_package_modules(), expected);
  EXPECT_EQ(fx::Shape::registry()->size(), 3U);
}

TEST(PluginDiscovery, WithoutAutoPackageDiscoveryThrows) {
  const auto expect_missing_package = [](const std::function<void()>& call) {
    try {
      call();
      ADD_FAILURE() << "no exception";
    } catch (const speculators::DiscoveryError& e) {
      EXPECT_NE(std::string(e.what()).find("auto_package must be set"), std::string::npos) << e.what();
      EXPECT_EQ(e.registry(), fx::NoPackage::registry_key());
    }
  };
  expect_missing_package([] { fx::NoPackage::auto_import_package_modules(); });
  expect_missing_package([] { fx::NoPackage::auto_populate_registry(); });
}

// Each lookup that populates the registry first, as the first call of a process.
struct FirstCall {
  const char* name;
  std::function<void()> call;
};

class PopulatesFirst : public ::testing::TestWithParam<FirstCall> {};

TEST_P(PopulatesFirst, LoadsThePackageBeforeAnswering) {
  speculators::add_plugin_directory(fx::fixture_root("good"));
  ASSERT_FALSE(fx::Shape::registry_populated());
  GetParam().call();
  EXPECT_TRUE(fx::Shape::registry_populated());
  EXPECT_EQ(fx::registered_keys_now<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
}

INSTANTIATE_TEST_SUITE_P(
    PluginDiscovery, PopulatesFirst,
    ::testing::Values(FirstCall{"registered_classes", [] { EXPECT_EQ(fx::Shape::registered_classes().size(), 3U); }},
                      FirstCall{"create", [] { EXPECT_EQ(fx::Shape::create("alpha", 3)->sides(), 3); }},
                      FirstCall{"find", [] { EXPECT_TRUE(fx::Shape::find("beta")); }}),
    [](const ::testing::TestParamInfo<FirstCall>& param) { return std::string(param.param.name); });

// The counters of fixture plugin counted.so, read from the copy this process loaded.
int counted_plugin_counter(const char* function) {
  return fx::plugin_counter(good_package / "counted" FX_PLUGIN_SUFFIX, function);
}

TEST(PluginDiscovery, ManyThreadsFirstCallLoadEachPluginOnce) {
  speculators::add_plugin_directory(fx::fixture_root("good"));
  constexpr int thread_count = 8;
  std::latch start(thread_count);
  std::vector<Keys> seen(thread_count);
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([t, &start, &seen] {
      start.arrive_and_wait();
      // Half the threads start with a lookup that does not throw, half with a listing.
      if (t % 2 == 0 && !fx::Shape::find("counted")) return;
      seen[t] = fx::sorted_keys<fx::Shape>();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Keys& keys : seen) EXPECT_EQ(keys, (Keys{"alpha", "beta", "counted"}));
  EXPECT_EQ(counted_plugin_counter("fx_counted_initializations"), 1);
  EXPECT_EQ(counted_plugin_counter("fx_counted_descriptor_reads"), 1);
  EXPECT_TRUE(speculators::plugin_failures().empty());
}

#if !defined(_WIN32)  // POSIX-only: fx.colors.shared_alpha is a symbolic link made by the build
TEST(PluginDiscovery, EachClassLandsInItsOwnBasesRegistry) {
  speculators::add_plugin_directory(fx::fixture_root("good"));
  EXPECT_EQ(fx::sorted_keys<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
  // alpha.so also registers a Color; Shape's discovery loaded it, Color's has not run.
  EXPECT_FALSE(fx::Color::registry_populated());
  EXPECT_EQ(fx::registered_keys_now<fx::Color>(), (Keys{"red"}));
  EXPECT_EQ(fx::Color::registry()->at("red").origin(), fx::text(good_package / "alpha" FX_PLUGIN_SUFFIX));
  // fx.colors holds blue.so and a link to fx/good/alpha.so: the same file, not loaded again.
  EXPECT_EQ(fx::sorted_keys<fx::Color>(), (Keys{"blue", "red"}));
  EXPECT_EQ(fx::Color::auto_imported_modules(), (Keys{"fx.colors.blue", "fx.colors.shared_alpha"}));
  EXPECT_TRUE(speculators::plugin_failures().empty());
}

TEST(PluginDiscovery, PluginSharedByTwoPackagesLoadsOnce) {
  speculators::add_plugin_directory(fx::fixture_root("good"));
  // Color's discovery loads alpha.so through its link; Shape's must not load it again.
  EXPECT_EQ(fx::sorted_keys<fx::Color>(), (Keys{"blue", "red"}));
  EXPECT_EQ(fx::registered_keys_now<fx::Shape>(), (Keys{"alpha"}));
  EXPECT_EQ(fx::sorted_keys<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
  EXPECT_TRUE(speculators::plugin_failures().empty());
}

#endif

TEST(PluginDiscovery, SecondBaseReusesThePackageScan) {
  const fs::path root = fx::scratch_dir() / "root";
  fx::copy_tree(fx::fixture_root("good"), root);
  speculators::add_plugin_directory(root);
  EXPECT_TRUE(fx::Shape::auto_populate_registry());
  // A module appears after fx.good was scanned; ShapeTwin's discovery of the same package
  // uses the scan already made, so it does not look at the directory again.
  fs::copy_file(fx::fixture_root("second") / "fx" / "good" / "delta" FX_PLUGIN_SUFFIX,
                root / "fx" / "good" / "late" FX_PLUGIN_SUFFIX);
  EXPECT_TRUE(fx::ShapeTwin::auto_populate_registry());
  EXPECT_EQ(fx::ShapeTwin::auto_imported_modules(),
            (Keys{"fx.good.alpha", "fx.good.counted", "fx.good.skipped.gamma", "fx.good.sub.beta"}));
  EXPECT_EQ(fx::registered_keys_now<fx::Shape>(), (Keys{"alpha", "beta", "counted", "gamma"}));
  // The module is there: a fresh scan (which discovery did not make) finds it.
  const Keys fresh = fx::module_names(speculators::find_package_modules("fx.good"));
  EXPECT_NE(std::find(fresh.begin(), fresh.end(), "fx.good.late"), fresh.end());
}

TEST(PluginDiscovery, TestPluginsStayOutOfTheBuildTreePluginDirectory) {
  // Fixtures are built with OUTPUT_ROOT under the test directory: without adding their root,
  // the default search path does not see them.
  EXPECT_TRUE(speculators::find_package_modules("fx.good").empty());
  EXPECT_TRUE(speculators::find_package_modules("fx").empty());
}

#if SPECULATORS_TEST_EXAMPLE_PLUGINS
TEST(PluginDiscovery, ExamplePluginsAreInTheBuildTreePluginDirectory) {
  const std::vector<speculators::SearchPathEntry> path = speculators::plugin_search_path();
  ASSERT_FALSE(path.empty());
  ASSERT_EQ(path.back().source, "build tree");
  const fs::path build_plugins = path.back().directory;
  const std::vector<speculators::PluginModule> modules = speculators::find_package_modules("speculators.proposals");
  EXPECT_EQ(fx::module_names(modules), (Keys{"speculators.proposals.greedy", "speculators.proposals.sampling"}));
  for (const speculators::PluginModule& m : modules) {
    EXPECT_EQ(m.root, fx::text(build_plugins));
    EXPECT_EQ(fs::path(m.file).parent_path(), build_plugins / "speculators" / "proposals");
  }
}
#endif

#if !defined(_WIN32)  // POSIX-only: open descriptors are counted in /proc/self/fd
// The number of descriptors this process has open.
std::size_t open_descriptors() {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator()));
}

// Discovery holds the directories it walks open while it checks their plugins, up to a
// bound; past it, plugins are looked up by path. An eager discovery closes them before it
// loads any plugin, so that no initializer finds them open, and nothing stays open after.
TEST(PluginDiscovery, ManyDirectoriesAreWalkedAndNoneStaysOpen) {
  const fs::path root = fx::scratch_dir() / "root";
  fx::copy_tree(fx::fixture_root("good"), root);
  for (int i = 0; i < 100; ++i) fs::create_directories(root / "fx" / "good" / "empty" / std::to_string(i));
  speculators::add_plugin_directory(root);
  const std::size_t before = open_descriptors();
  EXPECT_EQ(fx::sorted_keys<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
  EXPECT_EQ(open_descriptors(), before);
  EXPECT_EQ(fx::plugin_counter(root / "fx" / "good" / "counted" FX_PLUGIN_SUFFIX, "fx_counted_open_descriptors"),
            static_cast<int>(before));
}

#endif

// Two registries whose keys end alike, registered in the test (not at namespace scope, so
// that no other test of this binary has them).
struct WidgetA : speculators::ClassRegistryMixin<WidgetA> {
  static constexpr std::string_view registry_name = "resolve::a::Widget";
  virtual ~WidgetA() = default;
};
struct WidgetB : speculators::ClassRegistryMixin<WidgetB> {
  static constexpr std::string_view registry_name = "resolve::b::Widget";
  virtual ~WidgetB() = default;
};
struct PlainA : WidgetA {};
struct PlainB : WidgetB {};

TEST(PluginDiscovery, RegistryNamesResolveWithoutTheirNamespace) {
  speculators::add_plugin_directory(fx::fixture_root("good"));
  const Keys known = speculators::known_registry_keys();
  EXPECT_TRUE(std::is_sorted(known.begin(), known.end()));
  EXPECT_NE(std::find(known.begin(), known.end(), "fx::Shape"), known.end());
  // Named by the manifests of fx.good: found without loading anything.
  EXPECT_EQ(speculators::resolve_registry_key("Shape"), "fx::Shape");
  EXPECT_EQ(speculators::resolve_registry_key("fx::Shape"), "fx::Shape");
  EXPECT_EQ(speculators::resolve_registry_key("Color"), "fx::Color");
  for (const speculators::PluginModule& m : speculators::find_package_modules("fx.good")) {
    EXPECT_FALSE(m.loaded) << m.name;
  }
  // "hape" is not a whole component of "fx::Shape".
  EXPECT_THROW(speculators::resolve_registry_key("hape"), speculators::UnknownKeyError);
}

TEST(PluginDiscovery, AmbiguousOrUnknownRegistryNamesSuggestQualifiedKeys) {
  WidgetA::register_class<PlainA>("plain");
  WidgetB::register_class<PlainB>("plain");
  EXPECT_EQ(speculators::resolve_registry_key("a::Widget"), "resolve::a::Widget");
  EXPECT_EQ(speculators::resolve_registry_key("resolve::b::Widget"), "resolve::b::Widget");
  try {
    speculators::resolve_registry_key("Widget");
    ADD_FAILURE() << "an ambiguous name resolved";
  } catch (const speculators::UnknownKeyError& e) {
    EXPECT_EQ(e.registry(), "Widget");
    EXPECT_STREQ(e.what(),
                 "speculators: registry name \"Widget\" is ambiguous. Did you mean \"resolve::a::Widget\", "
                 "\"resolve::b::Widget\"? Name the registry with its namespace.");
  }
  try {
    speculators::resolve_registry_key("Widgte");
    ADD_FAILURE() << "an unknown name resolved";
  } catch (const speculators::UnknownKeyError& e) {
    const std::string what = e.what();
    EXPECT_TRUE(
        what.starts_with("speculators: no registry \"Widgte\" is known to this process or named by the "
                         "manifest of a plugin on the search path. Did you mean \"resolve::a::Widget\", "
                         "\"resolve::b::Widget\"? Known registries: "))
        << what;
  }
}

}  // namespace
