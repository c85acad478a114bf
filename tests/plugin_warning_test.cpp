// The search path's entries that are ignored with a warning (relative or empty ones), and the
// warning handler: it may call the library, may throw without losing a warning or a plugin
// failure, and is entered by one thread at a time.
#include "fixture_bases.hpp"
#include "plugin_test_support.hpp"

#include <speculators/plugins.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Keys = std::vector<std::string>;

// What separates the entries of SPECULATORS_PLUGIN_PATH (a drive letter holds a ':' on Windows).
#if defined(_WIN32)
const std::string sep = ";";
#else
const std::string sep = ":";
#endif

TEST(PluginWarnings, RelativeAndEmptyPathEntriesAreIgnoredWithAWarning) {
  std::vector<std::string> warnings;
  speculators::set_warning_handler([&warnings](std::string_view w) { warnings.emplace_back(w); });
  const std::string good = fx::text(fx::fixture_root("good"));
  fx::set_plugin_path("relative/plugins" + sep + sep + good + sep + "./here");
  const std::vector<speculators::SearchPathEntry> path = speculators::plugin_search_path();
  ASSERT_FALSE(path.empty());
  EXPECT_EQ(path[0].directory, good);
  EXPECT_NE(path[1].source, "SPECULATORS_PLUGIN_PATH");
  EXPECT_EQ(fx::sorted_keys<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
  ASSERT_EQ(warnings.size(), 3U);
  EXPECT_NE(warnings[0].find("\"relative/plugins\" is ignored"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find("\"\" is ignored"), std::string::npos) << warnings[1];
  EXPECT_NE(warnings[2].find("\"./here\" is ignored"), std::string::npos) << warnings[2];
}

// The handler runs with no lock of the library held, so it may call the library (this one
// would wait for itself forever otherwise).
TEST(PluginWarnings, AWarningHandlerMayCallTheLibrary) {
  std::vector<std::string> warnings;
  speculators::set_warning_handler([&warnings](std::string_view w) {
    warnings.emplace_back(w);
    EXPECT_TRUE(speculators::plugin_failures().empty());
    EXPECT_FALSE(speculators::plugin_search_path().empty());
  });
  fx::set_plugin_path("relative" + sep + fx::text(fx::fixture_root("good")));
  const fx::Watchdog watchdog(10);  // a deadlock ends the test instead of hanging it
  EXPECT_EQ(speculators::find_package_modules("fx.good").size(), 4U);
  EXPECT_EQ(fx::sorted_keys<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
  ASSERT_EQ(warnings.size(), 2U);  // one per scan: the listing's, then discovery's
  fx::expect_contains(warnings[0], "\"relative\" is ignored");
}

// A warning handler may throw, to make warnings errors: the exception reaches the caller, and
// the plugin failures of the same discovery are not lost, but thrown by the registry's next
// call.
TEST(PluginWarnings, AWarningHandlerThatThrowsLosesNoPluginFailure) {
  const fs::path root = fx::scratch_dir() / "root";
  fx::copy_tree(fx::fixture_root("good"), root);
  std::ofstream(root / "fx" / "good" / "junk" FX_PLUGIN_SUFFIX) << "not a library";
  speculators::set_warning_handler([](std::string_view w) { throw std::runtime_error(std::string(w)); });
  fx::set_plugin_path("relative" + sep + fx::text(root));
  try {
    fx::Shape::registered_classes();
    ADD_FAILURE() << "the warning handler's exception did not reach the caller";
  } catch (const std::runtime_error& e) {
    fx::expect_contains(e.what(), "\"relative\" is ignored");
  }
  // The call did its work before the handler ran: the good plugins are registered.
  EXPECT_EQ(fx::registered_keys_now<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
  EXPECT_FALSE(fx::Shape::registry_populated());
  const speculators::PluginFailure failure = fx::only_failure([] { fx::Shape::registered_classes(); });
  EXPECT_EQ(failure.file, fx::text(root / "fx" / "good" / "junk" FX_PLUGIN_SUFFIX));
  EXPECT_TRUE(fx::Shape::registry_populated());
  EXPECT_EQ(fx::sorted_keys<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
}

// When the handler throws, the warnings after that one are not dropped: the same thread's
// next call delivers them, before its own.
TEST(PluginWarnings, WarningsAfterOneWhoseHandlerThrewComeWithTheNextCall) {
  std::vector<std::string> delivered;
  speculators::set_warning_handler([&delivered](std::string_view w) {
    delivered.emplace_back(w);
    if (delivered.size() == 1) throw std::runtime_error("first");
  });
  fx::set_plugin_path("first" + sep + "second" + sep + fx::text(fx::fixture_root("good")));
  EXPECT_THROW(speculators::find_package_modules("fx.good"), std::runtime_error);
  ASSERT_EQ(delivered.size(), 1U);
  EXPECT_EQ(speculators::find_package_modules("fx.good").size(), 4U);
  ASSERT_EQ(delivered.size(), 4U);  // the one left from the first call, then the second call's two
  fx::expect_contains(delivered[0], "\"first\" is ignored");
  fx::expect_contains(delivered[1], "\"second\" is ignored");
  fx::expect_contains(delivered[2], "\"first\" is ignored");
  fx::expect_contains(delivered[3], "\"second\" is ignored");
}

// Calls on several threads deliver their own warnings, one at a time in the process: the
// handler is never entered twice at once (it dawdles, to give an overlap every chance).
TEST(PluginWarnings, WarningsAreDeliveredOneAtATime) {
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> delivered{0};
  speculators::set_warning_handler([&](std::string_view) {
    if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    inside.fetch_sub(1);
    delivered.fetch_add(1);
  });
  fx::set_plugin_path("relative" + sep + fx::text(fx::fixture_root("good")));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([] {
      for (int i = 0; i < 5; ++i) speculators::find_package_modules("fx.good");
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(delivered.load(), 20);
  EXPECT_EQ(overlaps.load(), 0);
}

TEST(PluginWarnings, AnEmptyVariableMeansNoEntriesAndNoWarning) {
  std::vector<std::string> warnings;
  speculators::set_warning_handler([&warnings](std::string_view w) { warnings.emplace_back(w); });
  fx::set_plugin_path("");
  speculators::add_plugin_directory(fx::fixture_root("good"));
  EXPECT_EQ(speculators::plugin_search_path()[0].source, "add_plugin_directory");
  EXPECT_EQ(fx::sorted_keys<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
  EXPECT_TRUE(warnings.empty());
}

}  // namespace
