// What only Windows has of the plugin layer: the search-path variable is split on ';' (a
// drive letter holds a ':'), and a static initializer that throws ends only its plugin's load.
// The plugin suites themselves run on Windows as they are.
#include <speculators/plugins.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "fixture_bases.hpp"
#include "plugin_test_support.hpp"

namespace {

TEST(WindowsPlugins, TheSearchPathVariableIsSplitOnSemicolons) {
  const std::string bad = fx::text(fx::fixture_root("bad"));
  const std::string good = fx::text(fx::fixture_root("good"));
  fx::set_plugin_path(bad + ";" + good);
  const std::vector<speculators::SearchPathEntry> path = speculators::plugin_search_path();
  ASSERT_GE(path.size(), 2U);
  EXPECT_EQ(path[0].directory, bad);
  EXPECT_EQ(path[0].source, "SPECULATORS_PLUGIN_PATH");
  EXPECT_TRUE(path[0].exists);
  EXPECT_EQ(path[1].directory, good);
  EXPECT_EQ(path[1].source, "SPECULATORS_PLUGIN_PATH");
}

// The exception does not pass through Windows' loader as it does through the dynamic loader of
// POSIX, where the process stops (plugin_failure_test.cpp): the load fails, and the plugin is
// one failure like any other, its file named.
TEST(WindowsPlugins, AStaticInitializerThatThrowsFailsOnlyItsPlugin) {
  speculators::add_plugin_directory(fx::fixture_root("throws"));
  const speculators::PluginFailure failure = fx::only_failure([] { fx::Throws::registered_classes(); });
  EXPECT_EQ(failure.file, fx::text(fx::fixture_root("throws") / "fx" / "throws" / "throwing.dll"));
  fx::expect_contains(failure.reason, "a static initializer of the plugin threw an exception");
  EXPECT_FALSE(fx::Throws::find("never"));  // what its registration line would have registered
}

}  // namespace
