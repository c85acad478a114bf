// The same SPECULATORS_REGISTER line (tests/plugins/where.cpp) compiled into this program, a
// static library linked whole, a plugin, and (in registry_tests) a shared library linked
// normally: every copy registers once, into the one registry of fx::Where. Built into
// registry_tests and into registry_static_host_tests, which holds a static copy of the
// registry library and hidden visibility everywhere.
#include "fixture_bases.hpp"
#include "plugin_test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace {

namespace fs = std::filesystem;

TEST(PluginWhere, SameRegistrationLineEverywhere) {
  speculators::add_plugin_directory(fx::fixture_root("where"));
  std::string keys;
  for (const std::string& key : fx::sorted_keys<fx::Where>()) keys += (keys.empty() ? "" : ",") + key;
  EXPECT_EQ(keys, FX_WHERE_EXPECTED);
  EXPECT_TRUE(speculators::plugin_failures().empty());

  const std::string self = fx::program_file();
  EXPECT_EQ(fx::Where::find("executable").origin(), self);
  EXPECT_EQ(fx::Where::find("static_library").origin(), self);
  EXPECT_EQ(fx::Where::find("plugin").origin(), (fx::fixture_root("where") / "fx" / "where" / "plugin.so").string());
#ifdef FX_WHERE_SHARED_FILE
  EXPECT_EQ(fs::path(fx::Where::find("shared_library").origin()).filename(), FX_WHERE_SHARED_FILE);
#endif
}

}  // namespace
