// The trace of discovery's decisions: set_plugin_trace_handler() and SPECULATORS_DEBUG_PLUGINS.
#include "fixture_bases.hpp"
#include "plugin_test_support.hpp"

#include <speculators/plugins.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Events = std::vector<speculators::PluginTraceEvent>;

// The events of `events` whose path ends with `tail` and whose step is `step`.
Events events_of(const Events& events, const std::string& tail, const std::string& step) {
  Events found;
  std::copy_if(events.begin(), events.end(), std::back_inserter(found),
               [&](const auto& e) { return e.step == step && e.path.ends_with(tail); });
  return found;
}

// The one event of `events` for (`tail`, `step`); a test failure and an empty event otherwise.
speculators::PluginTraceEvent only_event(const Events& events, const std::string& tail, const std::string& step) {
  const Events found = events_of(events, tail, step);
  EXPECT_EQ(found.size(), 1U) << "step " << step << " of " << tail;
  return found.empty() ? speculators::PluginTraceEvent{} : found.front();
}

// Collects the trace of this process's discovery from here on.
Events& collected_trace() {
  static Events events;
  speculators::set_plugin_trace_handler([](const speculators::PluginTraceEvent& e) { events.push_back(e); });
  return events;
}

}  // namespace

TEST(PluginTrace, EagerDiscoverySaysWhereEachFileWasFoundAndWhatBecameOfIt) {
  Events& events = collected_trace();
  speculators::add_plugin_directory(fx::fixture_root("good"));
  speculators::add_plugin_directory(fx::fixture_root("second"));
  EXPECT_EQ(fx::sorted_keys<fx::Shape>(), (std::vector<std::string>{"alpha", "beta", "counted", "delta"}));

  const std::string good = fx::text(fx::fixture_root("good") / "fx" / "good");
  const auto searched = only_event(events, good, "search");
  fx::expect_contains(searched.outcome, "files named like plugins, in search-path entry " +
                                            fx::text(fx::fixture_root("good")) + " (add_plugin_directory)");
  fx::expect_contains(only_event(events, "/good/fx/good/alpha" FX_PLUGIN_SUFFIX, "found").outcome,
                      "module fx.good.alpha");
  // The first entry's alpha wins; the second's is skipped, and says why.
  fx::expect_contains(only_event(events, "/second/fx/good/alpha" FX_PLUGIN_SUFFIX, "skip").outcome,
                      "of the earlier search-path entry " + fx::text(fx::fixture_root("good")));
  fx::expect_contains(only_event(events, "/good/fx/good/skipped/gamma" FX_PLUGIN_SUFFIX, "skip").outcome,
                      "module fx.good.skipped.gamma is in the base's auto_ignore_modules");
  // Each stage of a loaded plugin, in order: checked, opened, its registrations read.
  const Events alpha_stages = [&] {
    Events stages;
    for (const auto& e : events) {
      if (e.path.ends_with("/good/fx/good/alpha" FX_PLUGIN_SUFFIX) && e.step != "found") stages.push_back(e);
    }
    return stages;
  }();
  ASSERT_EQ(alpha_stages.size(), 3U);
  EXPECT_EQ(alpha_stages[0].step, "check");
  fx::expect_contains(alpha_stages[0].outcome, "passed, none of its code run: its manifest lists 2 classes");
  EXPECT_EQ(alpha_stages[1].step, "open");
  EXPECT_EQ(alpha_stages[1].outcome, "loaded by the dynamic loader");
  EXPECT_GT(alpha_stages[1].took.count(), 0) << "a dlopen takes at least a microsecond";
  EXPECT_EQ(alpha_stages[2].step, "load");
  EXPECT_EQ(alpha_stages[2].outcome, "2 classes registered");
  EXPECT_TRUE(events_of(events, "/good/fx/good/skipped/gamma" FX_PLUGIN_SUFFIX, "open").empty())
      << "an ignored module is not loaded";
}

TEST(PluginTrace, LazyDiscoveryListsWithoutLoading) {
  Events& events = collected_trace();
  speculators::add_plugin_directory(fx::fixture_root("good"));
  EXPECT_FALSE(fx::Color::registered_classes().empty());
  fx::expect_contains(only_event(events, "/good/fx/colors/blue" FX_PLUGIN_SUFFIX, "list").outcome,
                      "1 class listed from the manifest, not loaded");
  EXPECT_TRUE(events_of(events, "/good/fx/colors/blue" FX_PLUGIN_SUFFIX, "open").empty());
}

TEST(PluginTrace, RefusedAndFailedFilesSayWhy) {
  Events& events = collected_trace();
  speculators::set_plugin_failure_handler([](const speculators::PluginFailure&) {});
  speculators::add_plugin_directory(fx::fixture_root("bad"));
  (void)fx::Bad::registered_classes();
  fx::expect_contains(only_event(events, "/bad/fx/bad/text" FX_PLUGIN_SUFFIX, "check").outcome, "failed: ");
  fx::expect_contains(only_event(events, "/bad/fx/bad/missing_dep" FX_PLUGIN_SUFFIX, "open").outcome,
                      "failed: could not be loaded by the dynamic loader");
  EXPECT_EQ(only_event(events, "/bad/fx/bad/zz_last" FX_PLUGIN_SUFFIX, "load").outcome, "1 class registered");
}

TEST(PluginTrace, NotHereSaysWhichEntryLacksThePackage) {
  Events& events = collected_trace();
  speculators::add_plugin_directory(fx::fixture_root("second"));
  speculators::add_plugin_directory(fx::fixture_root("good"));
  (void)fx::Color::registered_classes();
  fx::expect_contains(only_event(events, "/second/fx/colors", "search").outcome,
                      "not here: search-path entry " + fx::text(fx::fixture_root("second")) +
                          " (add_plugin_directory) has no directory for package fx.colors");
}

// Without a handler, SPECULATORS_DEBUG_PLUGINS=1 writes each decision to standard error as it
// is made (the variable is read once: this test sets it before the process's first discovery).
TEST(PluginTrace, TheEnvironmentVariableWritesTheTraceToStandardError) {
  fx::set_environment("SPECULATORS_DEBUG_PLUGINS", "1");
  speculators::add_plugin_directory(fx::fixture_root("good"));
  testing::internal::CaptureStderr();
  EXPECT_FALSE(fx::Color::registered_classes().empty());
  const std::string written = testing::internal::GetCapturedStderr();
  fx::expect_contains(written, "speculators: plugin trace: " +
                                   fx::text(fx::fixture_root("good") / "fx" / "colors" / "blue" FX_PLUGIN_SUFFIX) +
                                   ": check: passed, none of its code run: its manifest lists 1 class (");
  fx::expect_contains(written, " us)\n");
  fx::expect_contains(written, "/blue" FX_PLUGIN_SUFFIX ": list: 1 class listed from the manifest, not loaded (");
}
