// Bad plugins: each kind is reported with its file and reason, never crashes the host, and
// never costs the good plugins of the same package. Descriptor checks come before any cast.
#include "fixture_bases.hpp"
#include "plugin_test_support.hpp"

#include <speculators/plugins.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace {

namespace fs = std::filesystem;
using Keys = std::vector<std::string>;

const fs::path bad_package = fx::fixture_root("bad") / "fx" / "bad";

// Every broken module of fx.bad and a phrase its reason must hold. aa_first, dup_a and
// zz_last are good (dup_a takes key "twin" first, so dup_b is the duplicate). The files that
// are not plugins (empty, text, truncated, other_arch) are read as the platform's format.
const std::map<std::string, std::string> expected_failures {
  {"fx.bad.bad_key", "cannot register key \"padded \""}, {"fx.bad.dup_b", "key \"twin\" is already registered"},
#if defined(_WIN32)
      {"fx.bad.empty", "is empty, not a DLL"},
      {"fx.bad.other_arch", "is a DLL for i386 (PE machine 332), this process is x86-64"},
      {"fx.bad.text", "is not a DLL (no MZ header)"}, {"fx.bad.truncated", "is a truncated DLL (1000 bytes)"},
#else
      {"fx.bad.empty", "is empty, not a shared library"},
      {"fx.bad.other_arch", "is built for another architecture (ELF machine 183"},
      {"fx.bad.text", "is not an ELF file"}, {"fx.bad.truncated", "is a truncated ELF file (1000 bytes)"},
#endif
      {"fx.bad.missing_dep", fx::missing_dependency},
      {"fx.bad.newer", "has descriptor version 99, this host reads versions 1 to 1"},
      {"fx.bad.no_entry", "has no entry point speculators_plugin_descriptor"},
      {"fx.bad.null_descriptor", "returned no descriptor"},
      {"fx.bad.null_entries", "declares 1 entries but gives none"}, {"fx.bad.null_field", "entry 0 is incomplete"},
      {"fx.bad.wrong_abi", "was built for standard library \"libfoo++0/made-up\""},
      {"fx.bad.wrong_signature", "expected \"fx::Bad(int)\", found \"fx::Bad(double)\""},
};

// Checks that `failures` are exactly the expected ones, each naming its file and reason.
void expect_every_bad_plugin(const std::vector<speculators::PluginFailure>& failures) {
  std::map<std::string, std::string> reasons;
  for (const speculators::PluginFailure& f : failures) {
    EXPECT_TRUE(reasons.emplace(f.module, f.reason).second) << "reported twice: " << f.module;
    const std::string file_name = f.module.substr(f.module.rfind('.') + 1) + FX_PLUGIN_SUFFIX;
    EXPECT_EQ(f.file, fx::text(bad_package / file_name)) << f.module;
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
}

void expect_good_neighbours_registered() {
  EXPECT_EQ(fx::registered_keys_now<fx::Bad>(), (Keys{"ok_first", "ok_last", "twin"}));
  EXPECT_EQ(fx::Bad::create("ok_last", 7)->value(), 7);
  EXPECT_EQ(fx::Bad::find("twin").origin(), fx::text(bad_package / "dup_a" FX_PLUGIN_SUFFIX));
  EXPECT_EQ(fx::Bad::auto_imported_modules(), (Keys{"fx.bad.aa_first", "fx.bad.dup_a", "fx.bad.zz_last"}));
}

TEST(PluginFailures, DefaultPolicyLoadsAllThenThrowsOneErrorListingEveryFailure) {
  speculators::add_plugin_directory(fx::fixture_root("bad"));
  try {
    fx::Bad::registered_classes();
    FAIL() << "no PluginLoadError";
  } catch (const speculators::PluginLoadError& e) {
    expect_every_bad_plugin(e.failures());
    EXPECT_EQ(e.registry(), fx::Bad::registry_key());
    const std::string what = e.what();
    for (const speculators::PluginFailure& f : e.failures()) EXPECT_NE(what.find(f.file), std::string::npos) << f.file;
  }
  expect_good_neighbours_registered();
  // Reported once: the next call lists the registry.
  EXPECT_EQ(fx::Bad::registered_classes().size(), 3U);
  expect_every_bad_plugin(speculators::plugin_failures());
}

TEST(PluginFailures, HandlerReceivesFailuresInsteadOfAnException) {
  speculators::add_plugin_directory(fx::fixture_root("bad"));
  std::vector<speculators::PluginFailure> received;
  speculators::set_plugin_failure_handler([&received](const speculators::PluginFailure& f) { received.push_back(f); });
  EXPECT_EQ(fx::Bad::registered_classes().size(), 3U);
  expect_every_bad_plugin(received);
  expect_good_neighbours_registered();
}

TEST(PluginFailures, AHandlerThatThrowsLosesNoFailure) {
  speculators::add_plugin_directory(fx::fixture_root("bad"));
  std::vector<speculators::PluginFailure> received;
  speculators::set_plugin_failure_handler([&received](const speculators::PluginFailure& f) {
    received.push_back(f);
    if (received.size() == 1) throw std::runtime_error("handler failed on purpose");
  });
  EXPECT_THROW(fx::Bad::registered_classes(), std::runtime_error);
  ASSERT_EQ(received.size(), 1U);
  // The registry's next call hands the handler the failures after the one it threw on.
  EXPECT_EQ(fx::Bad::registered_classes().size(), 3U);
  expect_every_bad_plugin(received);
  EXPECT_EQ(fx::Bad::registered_classes().size(), 3U);
  EXPECT_EQ(received.size(), expected_failures.size());  // each delivered once
  speculators::set_plugin_failure_handler({});
}

TEST(PluginFailures, FindKeepsTheFailuresForTheNextThrowingCall) {
  speculators::add_plugin_directory(fx::fixture_root("bad"));
  EXPECT_TRUE(fx::Bad::find("ok_first"));
  EXPECT_TRUE(fx::Bad::find("ok_last"));  // a second find() does not throw either
  try {
    fx::Bad::create("ok_first", 1);
    FAIL() << "no PluginLoadError";
  } catch (const speculators::PluginLoadError& e) {
    expect_every_bad_plugin(e.failures());
  }
  EXPECT_TRUE(fx::Bad::registry_populated());
  EXPECT_EQ(fx::Bad::create("ok_first", 1)->value(), 1);
}

// load_plugin() on each lying descriptor: the error names the file, what the host expected
// and what it found.
struct Lie {
  const char* module;
  std::vector<std::string> phrases;
};

class DescriptorCheck : public ::testing::TestWithParam<Lie> {};

TEST_P(DescriptorCheck, RefusesWithFileExpectedAndFound) {
  ASSERT_EQ(fx::Bad::registry(), nullptr);  // makes the host's registry, with its signature
  const std::string file = fx::text(bad_package / (std::string(GetParam().module) + FX_PLUGIN_SUFFIX));
  try {
    speculators::load_plugin(file);
    FAIL() << "loaded " << file;
  } catch (const speculators::PluginLoadError& e) {
    ASSERT_EQ(e.failures().size(), 1U);
    EXPECT_EQ(e.failures()[0].file, file);
    const std::string what = e.what();
    // Named by the call it was given to, not by a registry: none asked for it.
    fx::expect_contains(what, "load_plugin(): plugin file " + file + ": ");
    EXPECT_EQ(what.find("registry \"\""), std::string::npos) << what;
    EXPECT_EQ(e.registry(), "");
    for (const std::string& phrase : GetParam().phrases) EXPECT_NE(what.find(phrase), std::string::npos) << what;
  }
  EXPECT_EQ(fx::Bad::registry(), nullptr);
  // A second attempt reports the same failure without loading again.
  EXPECT_THROW(speculators::load_plugin(file), speculators::PluginLoadError);
  EXPECT_EQ(speculators::plugin_failures().size(), 1U);
}

INSTANTIATE_TEST_SUITE_P(
    PluginFailures, DescriptorCheck,
    ::testing::Values(Lie{"newer", {"descriptor version 99", "versions 1 to 1"}},
                      Lie{"wrong_abi", {"\"libfoo++0/made-up\"", "\"" SPECULATORS_ABI_TAG "\""}},
                      Lie{"wrong_signature", {"expected \"fx::Bad(int)\"", "found \"fx::Bad(double)\"", "\"liar\""}},
                      Lie{"null_entries", {"declares 1 entries but gives none"}},
                      Lie{"null_field", {"entry 0 is incomplete"}}, Lie{"null_descriptor", {"returned no descriptor"}},
                      Lie{"no_entry", {"has no entry point"}}),
    [](const ::testing::TestParamInfo<Lie>& param) { return std::string(param.param.module); });

// A count is compared and bounded before any entry is read: walking the claimed entries of
// these would read far past the one they give.
TEST(PluginFailures, ADescriptorThatLiesAboutItsCountIsRefusedBeforeAnEntryIsRead) {
  const fs::path lies = fx::fixture_root("lies") / "fx" / "bad";
  const std::pair<const char*, const char*> cases[] = {
      {"count" FX_PLUGIN_SUFFIX, "declares 1000000 entries, more than the 65536 a plugin may have"},
      {"count_listed" FX_PLUGIN_SUFFIX, "registered 1000000 classes but its manifest lists 1 different ones"}};
  for (const auto& [file, phrase] : cases) {
    SCOPED_TRACE(file);
    const fs::path plugin = lies / file;
    const speculators::PluginFailure failure = fx::only_failure([&plugin] { speculators::load_plugin(plugin); });
    EXPECT_EQ(failure.file, fx::text(plugin));
    fx::expect_contains(failure.reason, phrase);
  }
  // The class its manifest lists is known, and not usable: create() names the plugin.
  const speculators::PluginFailure failure = fx::only_failure([] { fx::Bad::create("liar", 1); });
  EXPECT_EQ(failure.file, fx::text(lies / "count_listed" FX_PLUGIN_SUFFIX));
}

TEST(PluginFailures, LoadPluginReturnsTheCheckedDescriptor) {
  const std::string file = fx::text(bad_package / "aa_first" FX_PLUGIN_SUFFIX);
  const speculators::PluginInfo info = speculators::load_plugin(file);
  EXPECT_EQ(info.file, file);
  EXPECT_EQ(info.descriptor_version, SPECULATORS_PLUGIN_DESCRIPTOR_VERSION);
  EXPECT_EQ(info.abi_tag, SPECULATORS_ABI_TAG);
  ASSERT_EQ(info.entries.size(), 1U);
  EXPECT_EQ(info.entries[0].registry_key, fx::Bad::registry_key());
  EXPECT_EQ(info.entries[0].name, "ok_first");
  EXPECT_EQ(info.entries[0].signature, "fx::Bad(int)");
  // Loaded once: a second call returns the same descriptor and registers nothing twice.
  EXPECT_EQ(speculators::load_plugin(file).entries.size(), 1U);
  EXPECT_EQ(fx::registered_keys_now<fx::Bad>(), (Keys{"ok_first"}));
}

// A plugin whose static initializer calls every public function of the plugin machinery and
// of its registries (tests/plugins/reentrant.cpp): each call either works or throws an error
// naming the plugin; none waits for the load it is part of. A call that did would hang the
// test, so a watchdog ends it, failed.
const fs::path reentrant = fx::fixture_root("reentry") / "fx" / "reentry" / "reentrant" FX_PLUGIN_SUFFIX;

void expect_every_call_ended(const std::vector<std::string>& working) {
  const std::string outcomes = "\n" + fx::plugin_text(reentrant, "fx_reentry_outcomes");
  const std::vector<std::string> calls{"plugin_failures()",
                                       "plugin_search_path()",
                                       "find_package_modules()",
                                       "load_plugin()",
                                       "read_plugin_manifest()",
                                       "add_plugin_directory()",
                                       "set_warning_handler()",
                                       "set_plugin_failure_handler()",
                                       "allow_writable_plugins()",
                                       "Reentry::registry()",
                                       "Reentry::registry_populated()",
                                       "Reentry::find()",
                                       "Reentry::create()",
                                       "Reentry::registered_classes()",
                                       "Reentry::auto_populate_registry()",
                                       "Reentry::auto_import_package_modules()",
                                       "Reentry::auto_imported_modules()",
                                       "ReentryEager::registry()",
                                       "ReentryEager::registry_populated()",
                                       "ReentryEager::find()",
                                       "ReentryEager::create()",
                                       "ReentryEager::registered_classes()",
                                       "ReentryEager::auto_populate_registry()",
                                       "ReentryEager::auto_import_package_modules()",
                                       "ReentryEager::auto_imported_modules()",
                                       "Reentry::register_class()"};
  std::size_t lines = 0;
  for (const std::string& call : calls) {
    SCOPED_TRACE(call);
    const std::size_t at = outcomes.find("\n" + call + ": ");
    ASSERT_NE(at, std::string::npos) << outcomes;
    const std::size_t start = at + 1 + call.size() + 2;
    const std::string outcome = outcomes.substr(start, outcomes.find('\n', start) - start);
    ++lines;
    if (std::find(working.begin(), working.end(), call) != working.end()) {
      EXPECT_EQ(outcome, "ok");
    } else if (outcome != "ok") {
      fx::expect_contains(outcome,
                          "was called from a static initializer of plugin " + fx::text(reentrant) + " while it loads");
    }
  }
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), '\n'), static_cast<std::ptrdiff_t>(lines + 1)) << outcomes;
}

// Whatever holds no lock of a load works from an initializer; the plugin machinery's own
// calls, which do, refuse.
const std::vector<std::string> always_working{"read_plugin_manifest()",        "Reentry::registry()",
                                              "Reentry::registry_populated()", "Reentry::find()",
                                              "ReentryEager::find()",          "Reentry::register_class()"};

TEST(PluginReentry, EveryCallFromTheInitializerOfAPluginLoadedByFileEnds) {
  const fx::Watchdog watchdog(30);
  speculators::load_plugin(reentrant);
  expect_every_call_ended(always_working);
  EXPECT_TRUE(fx::Reentry::find("by_code").is_loaded());  // what the initializer registered is there
}

TEST(PluginReentry, EveryCallFromTheInitializerOfAPluginLoadedByEagerDiscoveryEnds) {
  const fx::Watchdog watchdog(30);
  speculators::add_plugin_directory(fx::fixture_root("reentry"));
  EXPECT_TRUE(fx::ReentryEager::auto_populate_registry());  // holds its registry's lock while it loads
  expect_every_call_ended(always_working);
  EXPECT_NE(fx::Reentry::create("reentrant"), nullptr);
}

TEST(PluginReentry, EveryCallFromTheInitializerOfAPluginLoadedOnFirstCreateEnds) {
  const fx::Watchdog watchdog(30);
  speculators::add_plugin_directory(fx::fixture_root("reentry"));
  EXPECT_NE(fx::Reentry::create("reentrant"), nullptr);
  expect_every_call_ended(always_working);
}

#if !defined(_WIN32)  // POSIX-only: on Windows the loader survives it (windows_plugin_test.cpp)
// A plugin's own static initializer that throws cannot be survived: the exception unwinds
// through the dynamic loader, which keeps its lock taken (the next dlopen on another thread
// would hang) and the library half-initialized. The loader stops the process with a message
// naming the plugin. What the library guarantees is that its own registrations never throw
// while a plugin loads (bad_key.cpp above is reported as a failure, like any bad plugin).
TEST(PluginFailuresDeathTest, ThrowingStaticInitializerStopsTheProcessNamingThePlugin) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  speculators::add_plugin_directory(fx::fixture_root("throws"));
  EXPECT_DEATH(fx::Throws::registered_classes(), "plugin .*/fx/throws/throwing" FX_PLUGIN_SUFFIX
                                                 " threw from a static initializer while it was loading "
                                                 "\\(fixture static initializer failed on purpose\\)");
}

#endif

}  // namespace
