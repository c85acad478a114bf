// The manifest: read from the file without loading it, checked before any plugin code runs,
// and in agreement with what the plugin registers once loaded.
#include <speculators/detail/plugin_entry.hpp>
#include <speculators/plugins.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "fixture_bases.hpp"
#include "plugin_test_support.hpp"
#include "src/manifest_reader.hpp"

namespace {

namespace fs = std::filesystem;

using EntrySet = std::set<std::tuple<std::string, std::string, std::string, std::string, std::string>>;

EntrySet entry_set(const speculators::PluginInfo& info) {
  EntrySet out;
  for (const auto& e : info.entries) out.emplace(e.registry_key, e.name, e.type_name, e.signature, e.description);
  return out;
}

// Where the fixture plugins of fx.marked leave their marker when their code runs.
fs::path marker() {
  static const fs::path path = [] {
    fs::path p = fx::scratch_dir() / "ran";
    fx::set_environment("SPECULATORS_TEST_MARKER", fx::text(p));
    return p;
  }();
  return path;
}

struct HostMarked : fx::Marked {};

TEST(PluginManifest, ManifestAndRegistrationsAgreeEntryForEntry) {
  for (const char* file : {"fx/good/alpha" FX_PLUGIN_SUFFIX, "fx/good/sub/beta" FX_PLUGIN_SUFFIX,
                           "fx/colors/blue" FX_PLUGIN_SUFFIX, "fx/good/counted" FX_PLUGIN_SUFFIX}) {
    SCOPED_TRACE(file);
    const fs::path path = fx::fixture_root("good") / file;
    const speculators::PluginInfo declared = speculators::read_plugin_manifest(path);
    ASSERT_TRUE(declared.has_manifest);
    ASSERT_FALSE(declared.entries.empty());
    EXPECT_EQ(declared.abi_tag, SPECULATORS_ABI_TAG);
    const speculators::PluginInfo loaded = speculators::load_plugin(path);
    EXPECT_TRUE(loaded.has_manifest);
    EXPECT_EQ(entry_set(declared), entry_set(loaded));
  }
}

// A plugin whose code registers a class its manifest does not list is refused once loaded,
// before its classes can be used: what was checked is not what runs.
TEST(PluginManifest, CodeThatRegistersMoreThanItsManifestListsIsRefused) {
  const fs::path plugin = fx::fixture_root("unlisted") / "fx/marked/unlisted" FX_PLUGIN_SUFFIX;
  ASSERT_EQ(speculators::read_plugin_manifest(plugin).entries.size(), 1U);
  const speculators::PluginFailure failure = fx::only_failure([&plugin] { speculators::load_plugin(plugin); });
  fx::expect_contains(failure.reason, "registered 2 classes but its manifest lists 1 different ones");
}

// A refused plugin leaves no usable class, whether it was loaded by file or listed from its
// manifest and loaded on first use: create() of a class of its manifest throws its failure,
// and the class only its code registered is not registered (its descriptor's count differs
// from its manifest's, so no entry of the descriptor is read).
void expect_no_usable_class(const fs::path& plugin) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    const speculators::PluginFailure failure = fx::only_failure([] { fx::Marked::create("listed"); });
    EXPECT_EQ(failure.file, fx::text(plugin));
    fx::expect_contains(failure.reason, "registered 2 classes but its manifest lists 1");
  }
  EXPECT_FALSE(fx::Marked::find("listed").is_loaded());
  EXPECT_THROW(fx::Marked::create("unlisted"), speculators::UnknownKeyError);
}

TEST(PluginManifest, ARefusedPluginLoadedByFileLeavesNoUsableClass) {
  const fs::path plugin = fx::fixture_root("unlisted") / "fx/marked/unlisted" FX_PLUGIN_SUFFIX;
  EXPECT_THROW(speculators::load_plugin(plugin), speculators::PluginLoadError);
  expect_no_usable_class(plugin);
}

TEST(PluginManifest, ARefusedPluginLoadedOnFirstUseLeavesNoUsableClass) {
  const fs::path plugin = fx::fixture_root("unlisted") / "fx/marked/unlisted" FX_PLUGIN_SUFFIX;
  speculators::add_plugin_directory(fx::fixture_root("unlisted"));
  EXPECT_EQ(fx::sorted_keys<fx::Marked>(), std::vector<std::string>{"listed"});  // listed from its manifest
  expect_no_usable_class(plugin);
}

TEST(PluginManifest, ReadingItRunsNoPluginCode) {
  const fs::path plugin = fx::fixture_root("marked") / "fx/marked/ok" FX_PLUGIN_SUFFIX;
  const speculators::PluginInfo info = speculators::read_plugin_manifest(plugin);
  ASSERT_EQ(info.entries.size(), 1U);
  EXPECT_EQ(info.entries[0].name, "ok");
  EXPECT_EQ(info.entries[0].registry_key, "fx::Marked");
  EXPECT_FALSE(fs::exists(marker()));
  // Control: loading it does run its code, so the marker is a fair witness.
  speculators::load_plugin(plugin);
  EXPECT_TRUE(fs::exists(marker()));
}

TEST(PluginManifest, AForeignStandardLibraryIsRefusedBeforeThePluginRuns) {
  const fs::path m = marker();
  speculators::add_plugin_directory(fx::fixture_root("foreign"));
  const speculators::PluginFailure failure = fx::only_failure([] { fx::Marked::registered_classes(); });
  fx::expect_contains(failure.file, "foreign_tag" FX_PLUGIN_SUFFIX);
  fx::expect_contains(failure.reason, "\"libfoo++0/not-this-host\"");
  EXPECT_FALSE(fs::exists(m)) << "the refused plugin's static initializer ran";
}

TEST(PluginManifest, APluginThatWouldEndTheProcessIsNeverRunWhenItsManifestFails) {
  // Its static initializer calls _Exit(3): this test gets to its checks only if it never ran.
  speculators::add_plugin_directory(fx::fixture_root("foreign_exits"));
  const speculators::PluginFailure failure = fx::only_failure([] { fx::Marked::registered_classes(); });
  fx::expect_contains(failure.file, "exits" FX_PLUGIN_SUFFIX);
  fx::expect_contains(failure.reason, "standard library");
}

TEST(PluginManifest, ATakenKeyIsRefusedBeforeThePluginRuns) {
  const fs::path m = marker();
  fx::Marked::register_class<HostMarked>("ok");
  try {
    speculators::load_plugin(fx::fixture_root("marked") / "fx/marked/ok" FX_PLUGIN_SUFFIX);
    ADD_FAILURE() << "a plugin reusing a taken key was loaded";
  } catch (const speculators::PluginLoadError& e) {
    EXPECT_NE(std::string(e.what()).find("\"ok\" is already registered"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(m));
}

TEST(PluginManifest, APluginWithoutManifestStillLoadsWithAWarning) {
  std::vector<std::string> warnings;
  speculators::set_warning_handler([&warnings](std::string_view w) { warnings.emplace_back(w); });
  const fs::path plugin = fx::fixture_root("manual") / "fx/marked/manual" FX_PLUGIN_SUFFIX;
  EXPECT_FALSE(speculators::read_plugin_manifest(plugin).has_manifest);
  speculators::add_plugin_directory(fx::fixture_root("manual"));
  EXPECT_EQ(fx::sorted_keys<fx::Marked>(), std::vector<std::string>{"manual"});
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_NE(warnings[0].find("manual" FX_PLUGIN_SUFFIX " has no manifest"), std::string::npos) << warnings[0];
  speculators::set_warning_handler({});
}

// A manifest and a descriptor made up in memory, as a plugin of `count` classes "c<i>" would
// have them, so that the comparison of the two is tested in every order and at every size:
// the linker lays out a plugin's notes in an order of its own (with optimisation, often not
// the order of the SPECULATORS_REGISTER lines), which no real fixture can be relied on to show.
struct MadeUpPlugin {
  explicit MadeUpPlugin(std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) keys.push_back("c" + std::to_string(i));
    for (std::size_t i = 0; i < count; ++i) {
      manifest.entries.push_back({1, "abi", "compiler", {"fx::Shape", keys[i], "fx::C", "fx::Shape(int)", ""}});
      entries.push_back({"fx::Shape", keys[i].c_str(), "fx::C", "fx::Shape(int)", "", &no_factory, nullptr});
    }
  }
  /// The descriptor of the entries as they stand.
  SpeculatorsPluginDescriptor descriptor() const {
    return {SPECULATORS_PLUGIN_DESCRIPTOR_VERSION,
            sizeof(SpeculatorsPluginEntry),
            "abi",
            "compiler",
            entries.size(),
            entries.data()};
  }
  std::string disagreement() const { return speculators::detail::manifest_disagreement(manifest, descriptor()); }

  static void no_factory() {}
  std::vector<std::string> keys;
  speculators::detail::Manifest manifest;
  std::vector<SpeculatorsPluginEntry> entries;
};

TEST(ManifestComparison, TheSameClassesAgreeInAnyOrder) {
  for (const std::size_t count : {1U, 2U, 3U, 64U, 65U, 300U}) {
    MadeUpPlugin plugin(count);
    EXPECT_EQ(plugin.disagreement(), "") << count << " classes in the same order";
    std::reverse(plugin.entries.begin(), plugin.entries.end());
    EXPECT_EQ(plugin.disagreement(), "") << count << " classes, registered in reverse";
    std::rotate(plugin.entries.begin(), plugin.entries.begin() + static_cast<std::ptrdiff_t>(count / 2),
                plugin.entries.end());
    EXPECT_EQ(plugin.disagreement(), "") << count << " classes, shuffled";
  }
}

TEST(ManifestComparison, AClassOfTheManifestThatWasNotRegisteredIsADisagreement) {
  for (const std::size_t count : {2U, 64U, 65U}) {
    MadeUpPlugin plugin(count);
    plugin.entries.back().type_name = "fx::Other";
    EXPECT_EQ(plugin.disagreement(),
              "registered " + std::to_string(count) + " classes but its manifest lists " + std::to_string(count) +
                  " different ones; register classes only with SPECULATORS_REGISTER at namespace scope and rebuild")
        << count << " classes";
  }
}

TEST(ManifestComparison, OneClassRegisteredTwiceDoesNotStandForAnother) {
  // Registered: c0 twice; listed: c0 and c1. Each listed class is matched once.
  for (const std::size_t count : {2U, 65U}) {
    MadeUpPlugin plugin(count);
    plugin.entries[1] = plugin.entries[0];
    fx::expect_contains(plugin.disagreement(), "different ones");
  }
}

TEST(ManifestComparison, AnIncompleteOrAMissingEntryIsADisagreement) {
  MadeUpPlugin incomplete(2);
  incomplete.entries[1].factory = nullptr;
  fx::expect_contains(incomplete.disagreement(), "registered 1 classes but its manifest lists 2");
  MadeUpPlugin missing(3);
  missing.entries.pop_back();
  fx::expect_contains(missing.disagreement(), "registered 2 classes but its manifest lists 3");
}

}  // namespace

namespace {

// Known gap: a plugin loaded before the program uses a base sets that registry's signature.
// When it was wrong, the program's base cannot use the registry; the error names the plugin.
TEST(PluginSignature, AStaleSignatureSetFirstIsReportedWithThePluginFile) {
  speculators::load_plugin(fx::fixture_root("bad") / "fx/bad/wrong_signature" FX_PLUGIN_SUFFIX);
  try {
    fx::Bad::create("liar", 1);
    ADD_FAILURE() << "the program's base used a registry of another signature";
  } catch (const speculators::SignatureMismatchError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("wrong_signature" FX_PLUGIN_SUFFIX), std::string::npos) << what;
    EXPECT_NE(what.find("expected \"fx::Bad(int)\", found \"fx::Bad(double)\""), std::string::npos) << what;
  }
}

}  // namespace

namespace {

// A registration crosses two edges as bytes: the C entry of a descriptor, and a manifest
// record in a file. Each is written and read back here with every field set, and set apart
// from every other, so that a field lost, cut short or read into another is seen.
constexpr speculators::detail::manifest::Record every_field{
    speculators::detail::manifest::version,
    "abi tag",
    "compiler tag",
    {"fx::RoundTrip", "round trip key", "fx::RoundTripClass", "fx::RoundTrip(int, char)", "a described class"}};

void no_code() {}

TEST(RegistrationRecord, EveryFieldCrossesTheCEntryBothWays) {
  const speculators::RegistrationRecord& record = every_field.registration;
  const speculators::PluginEntryInfo owned = record.owned();
  EXPECT_EQ(owned.view(), record);
  const int extension = 0;
  const SpeculatorsPluginEntry entry = speculators::detail::plugin_entry_of(owned, &no_code, &extension);
  EXPECT_EQ(speculators::detail::record_of(entry), record);
  EXPECT_EQ(entry.factory, &no_code);
  EXPECT_EQ(entry.extension, &extension);
}

TEST(RegistrationRecord, AnEntryWithoutDescriptionIsDescribedByItsType) {
  speculators::PluginEntryInfo owned = every_field.registration.owned();
  owned.description.clear();
  SpeculatorsPluginEntry entry = speculators::detail::plugin_entry_of(owned, &no_code, nullptr);
  EXPECT_EQ(speculators::detail::record_of(entry).description, "fx::RoundTripClass");
  entry.description = nullptr;
  EXPECT_EQ(speculators::detail::record_of(entry).description, "fx::RoundTripClass");
}

TEST(RegistrationRecord, EveryFieldCrossesTheManifestBytesBothWays) {
  const auto& note = speculators::detail::manifest::note_of<every_field>::value;
  // The texts in the order of the layout that plugins already built have (a change of the
  // order would round-trip too, and misread every plugin built before it).
  using namespace std::string_literals;
  const std::string texts =
      "abi tag\0compiler tag\0fx::RoundTrip\0round trip key\0fx::RoundTripClass\0fx::RoundTrip(int, char)\0"
      "a described class\0"s;
  const std::size_t texts_at =
      speculators::detail::manifest::note_header_size + speculators::detail::manifest::header_size;
  ASSERT_GE(note.bytes.size(), texts_at + texts.size());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(note.bytes.data()) + texts_at, texts.size()), texts);
  if constexpr (speculators::detail::manifest::records_are_notes) {  // ELF: a note, at either alignment
    for (const std::uint64_t alignment : {4U, 8U}) {
      speculators::detail::Manifest manifest;
      ASSERT_EQ(speculators::detail::parse_manifest_notes(note.bytes, alignment, manifest), "");
      ASSERT_TRUE(manifest.present);
      ASSERT_EQ(manifest.entries.size(), 1U);
      EXPECT_EQ(manifest.entries[0], every_field) << "alignment " << alignment;
    }
  } else {  // PE: the record alone, in the manifest section
    std::vector<speculators::detail::manifest::Record> records;
    ASSERT_EQ(speculators::detail::parse_manifest(note.bytes, records), "");
    ASSERT_EQ(records.size(), 1U);
    EXPECT_EQ(records[0], every_field);
  }
}

// A registration call and the manifest line of the same class make the same record.
TEST(RegistrationRecord, TheRegistrationCallAndTheManifestAgree) {
  struct Text {
    constexpr speculators::detail::manifest::RegistrationText operator()() const { return {"agreed", "help"}; }
  };
  using Made = speculators::detail::manifest::entry_record<fx::Marked, HostMarked, Text>;
  EXPECT_EQ(Made::record.registration,
            (speculators::detail::registration_record<fx::Marked, HostMarked>("agreed", "help")));
  EXPECT_EQ(Made::record.registration.registry_key, fx::Marked::registry_key());
  EXPECT_EQ(Made::record.registration.description, "help");
}

}  // namespace
