// The search path's safety rules of POSIX: files and directories writable by group or others
// are refused unless allowed, and symbolic links leading out of their search-path entry are
// refused (the warnings for ignored entries: plugin_warning_test.cpp). Each test works on a
// copy of the good fixture root in its own scratch directory.
#include "fixture_bases.hpp"
#include "plugin_test_support.hpp"

#include <speculators/plugins.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace {

namespace fs = std::filesystem;
using Keys = std::vector<std::string>;

// A private copy of the good root, added to the search path.
fs::path add_good_copy() {
  const fs::path root = fx::scratch_dir() / "root";
  fx::copy_tree(fx::fixture_root("good"), root);
  speculators::add_plugin_directory(root);
  return root;
}

// The failures of Shape's discovery; the registry is populated either way.
std::vector<speculators::PluginFailure> shape_failures() {
  return fx::thrown_failures([] { fx::Shape::auto_populate_registry(); });
}

TEST(PluginSecurity, FileWritableByGroupIsRefused) {
  const fs::path root = add_good_copy();
  fx::add_permissions(root / "fx" / "good" / "alpha.so", fs::perms::group_write);
  const std::vector<speculators::PluginFailure> failures = shape_failures();
  ASSERT_EQ(failures.size(), 1U);
  EXPECT_EQ(failures[0].file, (root / "fx" / "good" / "alpha.so").string());
  EXPECT_EQ(failures[0].module, "fx.good.alpha");
  EXPECT_NE(failures[0].reason.find("is writable by group or others"), std::string::npos) << failures[0].reason;
  EXPECT_EQ(fx::registered_keys_now<fx::Shape>(), (Keys{"beta", "counted"}));
}

// The trace says why: the check of the file fails, before any of its code runs.
TEST(PluginSecurity, TheTraceSaysWhyAWritableFileIsRefused) {
  std::vector<speculators::PluginTraceEvent> events;
  speculators::set_plugin_trace_handler([&events](const speculators::PluginTraceEvent& e) { events.push_back(e); });
  const fs::path root = add_good_copy();
  const fs::path alpha = root / "fx" / "good" / "alpha.so";
  fx::add_permissions(alpha, fs::perms::group_write);
  EXPECT_EQ(shape_failures().size(), 1U);
  std::vector<std::string> alpha_steps;
  for (const auto& e : events) {
    if (e.path != alpha.string()) continue;
    alpha_steps.push_back(e.step);
    if (e.step == "check") fx::expect_contains(e.outcome, "failed: is writable by group or others");
  }
  EXPECT_EQ(alpha_steps, (Keys{"found", "check"})) << "refused at its check, never opened";
}

// A listing reads no plugin file, yet refuses what discovery would (the tool's list and
// doctor rely on it).
TEST(PluginSecurity, ListingRefusesAWritableFileAsDiscoveryDoes) {
  const fs::path root = add_good_copy();
  const fs::path alpha = root / "fx" / "good" / "alpha.so";
  fx::add_permissions(alpha, fs::perms::others_write);
  std::vector<speculators::PluginFailure> refused;
  std::vector<std::string> listed;
  for (const speculators::PluginModule& m : speculators::find_package_modules("fx.good", &refused)) {
    if (m.root == root.string()) listed.push_back(m.name);
  }
  EXPECT_EQ(listed, (Keys{"fx.good.counted", "fx.good.skipped.gamma", "fx.good.sub.beta"}));
  ASSERT_EQ(refused.size(), 1U);
  EXPECT_EQ(refused[0].file, alpha.string());
  EXPECT_EQ(refused[0].module, "fx.good.alpha");
  EXPECT_NE(refused[0].reason.find("is writable by group or others"), std::string::npos) << refused[0].reason;
}

TEST(PluginSecurity, DirectoryWritableByOthersIsRefused) {
  const fs::path root = add_good_copy();
  fx::add_permissions(root / "fx" / "good" / "sub", fs::perms::others_write);
  const std::vector<speculators::PluginFailure> failures = shape_failures();
  ASSERT_EQ(failures.size(), 1U);
  EXPECT_EQ(failures[0].module, "fx.good.sub.beta");
  EXPECT_NE(failures[0].reason.find("is in directory " + (root / "fx" / "good" / "sub").string() +
                                    ", which is writable by group or others"),
            std::string::npos)
      << failures[0].reason;
  EXPECT_EQ(fx::registered_keys_now<fx::Shape>(), (Keys{"alpha", "counted"}));
}

TEST(PluginSecurity, WritableRootIsRefused) {
  const fs::path root = add_good_copy();
  fx::add_permissions(root, fs::perms::group_write);
  EXPECT_EQ(shape_failures().size(), 3U);
  EXPECT_EQ(fx::Shape::registry(), nullptr);
}

TEST(PluginSecurity, AllowWritablePluginsAcceptsThem) {
  const fs::path root = add_good_copy();
  fx::add_permissions(root / "fx" / "good" / "alpha.so", fs::perms::group_write | fs::perms::others_write);
  fx::add_permissions(root / "fx" / "good" / "sub", fs::perms::group_write);
  speculators::allow_writable_plugins(true);
  EXPECT_TRUE(shape_failures().empty());
  EXPECT_EQ(fx::registered_keys_now<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
}

TEST(PluginSecurity, AllowWritablePluginsFromTheEnvironment) {
  const fs::path root = add_good_copy();
  fx::add_permissions(root / "fx" / "good" / "alpha.so", fs::perms::group_write);
  ::setenv("SPECULATORS_ALLOW_WRITABLE_PLUGINS", "1", 1);
  EXPECT_TRUE(shape_failures().empty());
  EXPECT_EQ(fx::registered_keys_now<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
}

TEST(PluginSecurity, SymbolicLinkOutOfTheRootIsRefused) {
  const fs::path root = add_good_copy();
  const fs::path link = root / "fx" / "good" / "outside.so";
  const fs::path target = fx::fixture_root("second") / "fx" / "good" / "delta.so";
  fs::create_symlink(target, link);
  const std::vector<speculators::PluginFailure> failures = shape_failures();
  ASSERT_EQ(failures.size(), 1U);
  EXPECT_EQ(failures[0].file, link.string());
  EXPECT_EQ(failures[0].module, "fx.good.outside");
  EXPECT_NE(failures[0].reason.find("is a symbolic link leading out of its plugin directory"), std::string::npos)
      << failures[0].reason;
  EXPECT_EQ(fx::registered_keys_now<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
}

TEST(PluginSecurity, DanglingSymbolicLinkIsReported) {
  const fs::path root = add_good_copy();
  const fs::path link = root / "fx" / "good" / "dangling.so";
  fs::create_symlink(root / "nowhere.so", link);
  const std::vector<speculators::PluginFailure> failures = shape_failures();
  ASSERT_EQ(failures.size(), 1U);
  EXPECT_EQ(failures[0].file, link.string());
  EXPECT_EQ(fx::registered_keys_now<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
}

TEST(PluginSecurity, SymbolicLinkLoopsAreReportedAndDoNotTrapTheScan) {
  const fs::path root = add_good_copy();
  const fs::path dir = root / "fx" / "good";
  fs::create_symlink(dir / "loop_b.so", dir / "loop_a.so");  // two files pointing at each other
  fs::create_symlink(dir / "loop_a.so", dir / "loop_b.so");
  fs::create_directory_symlink(dir, dir / "sub" / "again");  // a directory loop: not followed
  const std::vector<speculators::PluginFailure> failures = shape_failures();
  ASSERT_EQ(failures.size(), 2U);
  for (const auto& f : failures) {
    EXPECT_NE(f.reason.find("is a dangling or looping symbolic link"), std::string::npos) << f.reason;
  }
  EXPECT_EQ(failures[0].file, (dir / "loop_a.so").string());
  EXPECT_EQ(failures[1].file, (dir / "loop_b.so").string());
  EXPECT_EQ(fx::registered_keys_now<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
}

// The files' names as discovery reports them, in module order.
std::vector<std::string> module_files(std::string_view package) {
  std::vector<std::string> files;
  for (const auto& m : speculators::find_package_modules(package)) files.push_back(m.file);
  return files;
}

// A search-path entry may itself be a link (or a path with "." and ".."): the files below it
// are named by their canonical paths, so that a plugin reached two ways is one module.
TEST(PluginSecurity, EntryThroughALinkNamesFilesCanonically) {
  const fs::path scratch = fx::scratch_dir();
  const fs::path root = scratch / "root";
  fx::copy_tree(fx::fixture_root("good"), root);
  fs::create_directory_symlink(root, scratch / "linked");
  fx::set_plugin_path((scratch / "linked").string() + ":" + (root / "fx" / ".." / ".").string());
  const std::string real = fs::canonical(root / "fx" / "good").string();
  const std::vector<speculators::PluginModule> modules = speculators::find_package_modules("fx.good");
  ASSERT_EQ(fx::module_names(modules),
            (Keys{"fx.good.alpha", "fx.good.counted", "fx.good.skipped.gamma", "fx.good.sub.beta"}));
  EXPECT_EQ(modules[0].file, real + "/alpha.so");
  EXPECT_EQ(modules[3].file, real + "/sub/beta.so");
  EXPECT_EQ(modules[0].root, (scratch / "linked").string());
  EXPECT_EQ(fx::sorted_keys<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
}

TEST(PluginSecurity, PackageDirectoryLinkInsideTheRootIsFollowed) {
  const fs::path root = add_good_copy();
  fs::rename(root / "fx" / "good", root / "elsewhere");
  fs::create_directory_symlink(root / "elsewhere", root / "fx" / "good");
  const std::string real = fs::canonical(root / "elsewhere").string();
  EXPECT_EQ(module_files("fx.good"),
            (Keys{real + "/alpha.so", real + "/counted.so", real + "/skipped/gamma.so", real + "/sub/beta.so"}));
  EXPECT_TRUE(shape_failures().empty());
  EXPECT_EQ(fx::registered_keys_now<fx::Shape>(), (Keys{"alpha", "beta", "counted"}));
}

TEST(PluginSecurity, PackageDirectoryLinkOutOfTheRootIsRefused) {
  const fs::path root = add_good_copy();
  fs::remove_all(root / "fx" / "good");
  fs::create_directory_symlink(fx::fixture_root("good") / "fx" / "good", root / "fx" / "good");
  const std::vector<speculators::PluginFailure> failures = shape_failures();
  std::vector<std::string> refused;
  for (const auto& f : failures) {
    fx::expect_contains(f.reason, "is a symbolic link leading out of its plugin directory");
    refused.push_back(f.file);
  }
  std::sort(refused.begin(), refused.end());
  const fs::path package = root / "fx" / "good";  // the files are named where they were found
  EXPECT_EQ(refused, (Keys{(package / "alpha.so").string(), (package / "counted.so").string(),
                           (package / "sub" / "beta.so").string()}));
  EXPECT_TRUE(fx::registered_keys_now<fx::Shape>().empty());
}

}  // namespace

// A new release of a package moved into place (its directory renamed) while discovery loads
// it: a file checked in the old directory must not give way to an unchecked one of the new.
// The first plugin's initializer makes the swap; the new version of the second has a foreign
// standard-library tag, and would leave its key in the marker file if its code ran.
TEST(PluginSecurity, APackageDirectoryRenamedDuringDiscoveryIsNotLoadedUnchecked) {
  const fs::path scratch = fx::scratch_dir();
  const fs::path root = scratch / "root";
  fx::copy_tree(fx::fixture_root("swap"), root);
  const fs::path package = root / "fx" / "marked";
  fs::copy_file(fx::fixture_root("marked") / "fx" / "marked" / "ok.so", package / "ok.so");
  const fs::path release = root / "fx" / "marked.new";
  fs::create_directory(release);
  fs::copy_file(fx::fixture_root("foreign") / "fx" / "marked" / "foreign_tag.so", release / "ok.so");
  const fs::path marker = scratch / "ran";
  ::setenv("SPECULATORS_TEST_MARKER", marker.c_str(), 1);
  ::setenv("SPECULATORS_TEST_SWAP_AWAY", package.c_str(), 1);
  ::setenv("SPECULATORS_TEST_SWAP_IN", release.c_str(), 1);
  speculators::add_plugin_directory(root);
  const speculators::PluginFailure failure = fx::only_failure([] { fx::MarkedEager::auto_populate_registry(); });
  EXPECT_EQ(failure.file, (package / "ok.so").string());
  fx::expect_contains(failure.reason, "changed after its manifest was checked");
  EXPECT_FALSE(fs::exists(release)) << "the swap did not happen: the test shows nothing";
  std::ifstream ran(marker);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(ran), {}), "swapper\n");  // the foreign code never ran
  EXPECT_EQ(fx::Marked::registered_classes().size(), 1U);
}

// "/" as a search-path entry holds every absolute path: its plugins are not taken for links
// leading out of it, and the permission check walks up to "/" itself. The package sits under
// /tmp, whose path has no dot in it to clash with the package's dotted name.
TEST(PluginSecurity, TheRootDirectoryAsAnEntryHoldsItsPlugins) {
  std::string top_template = "/tmp/specreg_XXXXXX";
  ASSERT_NE(::mkdtemp(top_template.data()), nullptr);
  const fs::path top = top_template;
  fx::copy_tree(fx::fixture_root("good") / "fx" / "good", top / "fx");
  const std::string package = "tmp." + top.filename().string() + ".fx";
  fx::set_plugin_path("/");
  std::vector<speculators::PluginFailure> refused;
  const std::vector<speculators::PluginModule> checked = speculators::find_package_modules(package, &refused);
  speculators::allow_writable_plugins(true);  // /tmp is writable by everyone
  std::vector<speculators::PluginFailure> refused_when_allowed;
  const std::vector<speculators::PluginModule> allowed =
      speculators::find_package_modules(package, &refused_when_allowed);
  fs::remove_all(top);
  EXPECT_TRUE(refused_when_allowed.empty()) << refused_when_allowed.front().reason;
  EXPECT_EQ(fx::module_names(allowed),
            (Keys{package + ".alpha", package + ".counted", package + ".skipped.gamma", package + ".sub.beta"}));
  const bool tmp_writable = (fs::status("/tmp").permissions() & fs::perms::others_write) != fs::perms::none;
  ASSERT_EQ(refused.size(), tmp_writable ? 4U : 0U);
  for (const auto& f : refused) fx::expect_contains(f.reason, "is in directory /tmp, which is");
}

// Two entries, one inside the other: the outer one writable by others, its package directory
// a link into the inner entry's tree. Each entry's files are checked up to that entry, so the
// outer entry's plugin is refused although the directory it resolves to was accepted for the
// inner entry.
TEST(PluginSecurity, EachEntryChecksItsDirectoriesUpToItself) {
  const fs::path outer = fx::scratch_dir() / "root";
  const fs::path inner = outer / "inner";
  fs::create_directories(outer / "fx");
  fx::copy_tree(fx::fixture_root("good"), inner);
  fs::create_directory_symlink(inner / "fx" / "good" / "sub", outer / "fx" / "good");
  fs::permissions(outer, fs::perms::others_write, fs::perm_options::add);
  fx::set_plugin_path(inner.string() + ":" + outer.string());
  std::vector<speculators::PluginFailure> refused;
  const std::vector<speculators::PluginModule> modules = speculators::find_package_modules("fx.good", &refused);
  EXPECT_EQ(fx::module_names(modules),
            (Keys{"fx.good.alpha", "fx.good.counted", "fx.good.skipped.gamma", "fx.good.sub.beta"}));
  ASSERT_EQ(refused.size(), 1U);
  EXPECT_EQ(refused[0].module, "fx.good.beta");
  fx::expect_contains(refused[0].reason, "is in directory " + outer.string() + ", which is");
}
