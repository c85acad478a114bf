// The hostile-plugin corpus of POSIX (its part that Windows shares:
// plugin_hostile_refused_test.cpp): plugins and files made to hurt the host. For each, what the host
// does, the error it gives (the file, what is wrong, what to do), and the good plugins next to
// it, which must still be registered wherever the host survives. Loading is driven with
// load_plugin() and read_plugin_manifest(), or by discovering bases that load eagerly.
#include "hostile_bases.hpp"
#include "plugin_test_support.hpp"

#include <speculators/plugins.hpp>

#include <gtest/gtest.h>

#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Keys = std::vector<std::string>;

fs::path plain_file(const std::string& root, const std::string& module) {
  return fx::fixture_root(root) / "hx" / "plain" / (module + ".so");
}

// --- 1. Static initializers that end the process -------------------------------------------

// The host cannot survive code it chose to run: exit() and abort() in a plugin's static
// initializer end the process inside load_plugin(). Each file first passes every check made
// before loading (its manifest is read without running it), so its own code is what ends it.
// Under ThreadSanitizer the status is the sanitizer's: exit() runs its end-of-process check
// while dlopen is still under way, with the synchronization it ignores during dlopen still
// ignored, and it says so ("main thread finished with ignores enabled") and exits with its
// own status, 66. The process ends inside load_plugin() all the same.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HX_THREAD_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(HX_THREAD_SANITIZER)
constexpr int exit_status_after_exit = 66;
#else
constexpr int exit_status_after_exit = hx::ends_exit_code;
#endif

TEST(PluginHostileDeathTest, ExitInAStaticInitializerEndsTheHost) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const fs::path file = plain_file("hostile-ends", "exits");
  ASSERT_EQ(speculators::read_plugin_manifest(file).entries.size(), 1U);
  EXPECT_EXIT(speculators::load_plugin(file), ::testing::ExitedWithCode(exit_status_after_exit),
              "hostile plugin exits: calling exit\\(\\) from a static initializer");
}

TEST(PluginHostileDeathTest, AbortInAStaticInitializerEndsTheHost) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const fs::path file = plain_file("hostile-ends", "aborts");
  ASSERT_EQ(speculators::read_plugin_manifest(file).entries.size(), 1U);
  EXPECT_EXIT(speculators::load_plugin(file), ::testing::KilledBySignal(SIGABRT),
              "hostile plugin aborts: calling abort\\(\\) from a static initializer");
}

// --- 3. Symbolic link loops -----------------------------------------------------------------

// A copy of hostile-good (good.so, sub/deeper.so) in a scratch directory; `arrange` adds
// what a test needs beside the plugins of package hx.plain before the copy's root is added
// to the search path.
struct ScratchPackage {
  fs::path root = fx::scratch_dir() / "root";
  fs::path dir = root / "hx" / "plain";
  explicit ScratchPackage(const std::function<void(const fs::path& package)>& arrange) {
    fx::copy_tree(fx::fixture_root("hostile-good"), root);
    arrange(dir);
    speculators::add_plugin_directory(root);
  }
};

// Every kind of loop inside the package.
struct LoopedPackage : ScratchPackage {
  LoopedPackage()
      : ScratchPackage([](const fs::path& package) {
          fs::create_symlink("b.so", package / "a.so");  // two files pointing at each other
          fs::create_symlink("a.so", package / "b.so");
          fs::create_symlink("self.so", package / "self.so");
          fs::create_directory_symlink(".", package / "loop");         // a directory link to its own directory
          fs::create_directory_symlink("..", package / "sub" / "up");  // and to its parent
          fs::create_directory_symlink(".", package / "dir_loop.so");  // the same, named like a plugin
        }) {}
};

TEST(PluginHostile, LinkLoopsInAPackageAreRefusedAndTheScanFindsTheGoodPlugins) {
  const LoopedPackage package;
  std::vector<speculators::PluginFailure> refused;
  const std::vector<speculators::PluginModule> modules = speculators::find_package_modules("hx.plain", &refused);
  // Directory links are not followed: no module is found twice through "loop" or "up".
  EXPECT_EQ(fx::module_names(modules), (Keys{"hx.plain.good", "hx.plain.sub.deeper"}));
  std::vector<std::string> refused_files;
  for (const speculators::PluginFailure& f : refused) {
    refused_files.push_back(f.file);
    // A link that cannot be followed says why; one that leads to a directory says that.
    fx::expect_contains(f.reason, f.file.ends_with("dir_loop.so")
                                      ? "is a symbolic link to a directory"
                                      : "is a dangling or looping symbolic link (Too many levels");
    fx::expect_contains(f.reason, "remove the link");
  }
  std::sort(refused_files.begin(), refused_files.end());
  EXPECT_EQ(refused_files, (Keys{(package.dir / "a.so").string(), (package.dir / "b.so").string(),
                                 (package.dir / "dir_loop.so").string(), (package.dir / "self.so").string()}));

  // Discovery reports the same four files and registers both good plugins.
  std::vector<std::string> discovered;
  for (const speculators::PluginFailure& f : fx::thrown_failures([] { hx::Plain::registered_classes(); })) {
    discovered.push_back(f.file);
  }
  std::sort(discovered.begin(), discovered.end());
  EXPECT_EQ(discovered, refused_files);
  EXPECT_EQ(fx::registered_keys_now<hx::Plain>(), (Keys{"deeper", "good"}));
}

TEST(PluginHostile, ALoopingLinkGivenByNameIsRefusedWithTheSystemsReason) {
  const LoopedPackage package;
  for (const char* name : {"a.so", "self.so"}) {
    SCOPED_TRACE(name);
    const fs::path file = package.dir / name;
    for (const auto& load : std::vector<std::function<void()>>{[&file] { speculators::load_plugin(file); },
                                                               [&file] { speculators::read_plugin_manifest(file); }}) {
      const speculators::PluginFailure failure = fx::only_failure(load);
      EXPECT_EQ(failure.file, file.string());
      fx::expect_contains(failure.reason, "cannot be resolved: Too many levels of symbolic links");
    }
  }
  EXPECT_NO_THROW(speculators::load_plugin(package.dir / "good.so"));
  EXPECT_EQ(fx::registered_keys_now<hx::Plain>(), (Keys{"good"}));
}

// --- 4. An unreadable file ------------------------------------------------------------------

// Runs `body` in this (death-test child) process after giving up root: as user and group
// nobody (65534), so that file permissions apply. Ends the process: 0 when `body` returns true.
[[noreturn]] void run_unprivileged(const std::function<bool()>& body) {
  constexpr unsigned nobody = 65534;
  if (::geteuid() == 0 && (::setgroups(0, nullptr) != 0 || ::setgid(nobody) != 0 || ::setuid(nobody) != 0)) {
    std::perror("giving up root");
    std::_Exit(2);
  }
  std::_Exit(body() ? 0 : 1);
}

// Prints what failed, for the death test's report, and returns `ok`.
bool check(bool ok, const std::string& what) {
  if (!ok) std::fprintf(stderr, "check failed: %s\n", what.c_str());
  return ok;
}

// What the first discovery of hx.plain throws, also printed for the parent of a death test
// to match.
std::string discovery_error() {
  try {
    hx::Plain::registered_classes();
  } catch (const speculators::PluginLoadError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return e.what();
  }
  return {};
}

TEST(PluginHostileDeathTest, AnUnreadablePluginIsRefusedNamingItAndItsNeighbourLoads) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const ScratchPackage package([](const fs::path& dir) { fs::permissions(dir / "good.so", fs::perms::none); });
  const fs::path file = package.dir / "good.so";
  EXPECT_EXIT(run_unprivileged([&file] {
                if (!check(::access(file.c_str(), R_OK) != 0, "the file is still readable") ||
                    !check(::access(file.parent_path().c_str(), R_OK | X_OK) == 0,
                           "the build directory must be readable by user nobody (65534)")) {
                  return false;
                }
                const std::string discovered = discovery_error();
                bool ok = check(discovered.find(file.string() + " (module hx.plain.good): cannot be opened: "
                                                                "Permission denied") != std::string::npos,
                                "discovery reports the file");
                ok = check(fx::registered_keys_now<hx::Plain>() == Keys{"deeper"}, "its neighbour is registered") && ok;
                try {
                  speculators::load_plugin(file);
                  ok = check(false, "load_plugin refuses the file");
                } catch (const speculators::PluginLoadError& e) {
                  ok = check(std::string(e.what()).find(file.string()) != std::string::npos, "load_plugin names it") &&
                       ok;
                }
                return ok;
              }),
              ::testing::ExitedWithCode(0), "good.so \\(module hx.plain.good\\): cannot be opened: Permission denied");
}

TEST(PluginHostileDeathTest, AnUnreadableSubdirectoryIsReportedAndTheRestIsFound) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const ScratchPackage package([](const fs::path& dir) { fs::permissions(dir / "sub", fs::perms::owner_all); });
  const fs::path sub = package.dir / "sub";  // holds deeper.so
  EXPECT_EXIT(run_unprivileged([&sub] {
                if (!check(::access(sub.c_str(), R_OK) != 0, "the subdirectory is still readable")) return false;
                const std::string discovered = discovery_error();
                const bool ok =
                    check(discovered.find(sub.string() + " (module hx.plain): cannot be read: Permission denied; "
                                                         "plugins in it are not found") != std::string::npos,
                          "discovery reports the subdirectory");
                return check(fx::registered_keys_now<hx::Plain>() == Keys{"good"}, "the rest is registered") && ok;
              }),
              ::testing::ExitedWithCode(0), "sub \\(module hx.plain\\): cannot be read: Permission denied");
}

// --- 5. Files that are not files ------------------------------------------------------------

// A FIFO and a directory named like plugins next to good.so.
struct OddFiles : ScratchPackage {
  OddFiles()
      : ScratchPackage([](const fs::path& package) {
          if (::mkfifo((package / "fifo.so").c_str(), 0644) != 0) ADD_FAILURE() << "mkfifo: " << std::strerror(errno);
          fs::create_directory(package / "folder.so");
        }) {}
};

TEST(PluginHostile, AFifoAndADirectoryNamedLikePluginsAreSkippedByTheScan) {
  const OddFiles package;
  std::vector<speculators::PluginFailure> refused;
  const std::vector<speculators::PluginModule> modules = speculators::find_package_modules("hx.plain", &refused);
  EXPECT_EQ(fx::module_names(modules), (Keys{"hx.plain.good", "hx.plain.sub.deeper"}));
  EXPECT_TRUE(refused.empty()) << refused.front().file << ": " << refused.front().reason;
  EXPECT_EQ(fx::sorted_keys<hx::Plain>(), (Keys{"deeper", "good"}));
}

TEST(PluginHostile, ADirectoryNamedLikeAPluginIsRefusedWhenGivenByName) {
  const OddFiles package;
  const fs::path folder = package.dir / "folder.so";
  for (const auto& load : std::vector<std::function<void()>>{
           [&folder] { speculators::load_plugin(folder); }, [&folder] { speculators::read_plugin_manifest(folder); }}) {
    const speculators::PluginFailure failure = fx::only_failure(load);
    EXPECT_EQ(failure.file, folder.string());
    fx::expect_contains(failure.reason, "is not a regular file");
  }
}

// A FIFO given by name is refused without waiting for a writer (opening one for reading
// would block; the loader opens without blocking and then sees the type). The alarm turns a
// regression into a failure instead of a hang.
TEST(PluginHostile, AFifoGivenByNameIsRefusedWithoutBlocking) {
  const OddFiles package;
  const fs::path fifo = package.dir / "fifo.so";
  ::alarm(5);
  for (const auto& load : std::vector<std::function<void()>>{[&fifo] { speculators::load_plugin(fifo); },
                                                             [&fifo] { speculators::read_plugin_manifest(fifo); }}) {
    const speculators::PluginFailure failure = fx::only_failure(load);
    EXPECT_EQ(failure.file, fifo.string());
    fx::expect_contains(failure.reason, "is not a regular file");
  }
  ::alarm(0);
  EXPECT_EQ(fx::sorted_keys<hx::Plain>(), (Keys{"deeper", "good"}));  // the loader is free
}

// A small file whose program headers list hundreds of note segments, each spanning the whole
// file: read one by one, they would take hundreds of times the file's size in memory (a
// 1 MiB file of 18,000 such headers asks for 18 GiB). The notes are refused past 16 MiB in
// all, before they are read, and the good plugins beside the file are registered.
TEST(PluginHostile, NoteSegmentsThatAddUpToMoreThanAnyPluginHasAreRefused) {
  const fs::path root = fx::scratch_dir() / "root";
  fx::copy_tree(fx::fixture_root("hostile-good"), root);
  const fs::path bomb = root / "hx" / "plain" / "notes.so";
  constexpr std::size_t file_size = 64 * 1024;
  constexpr std::uint16_t segments = 300;  // 300 x 64 KiB: past 16 MiB
  std::vector<char> image(file_size);
  {
    std::ifstream good(plain_file("hostile-good", "good"), std::ios::binary);
    good.read(image.data(), sizeof(Elf64_Ehdr));  // this machine's ELF header, made over below
  }
  Elf64_Ehdr header{};
  std::memcpy(&header, image.data(), sizeof header);
  header.e_phoff = sizeof header;
  header.e_phentsize = sizeof(Elf64_Phdr);
  header.e_phnum = segments;
  header.e_shoff = 0;
  header.e_shnum = 0;
  header.e_shstrndx = 0;
  std::memcpy(image.data(), &header, sizeof header);
  for (std::uint16_t i = 0; i < segments; ++i) {
    Elf64_Phdr note{};
    note.p_type = PT_NOTE;
    note.p_filesz = file_size;
    note.p_align = 4;
    std::memcpy(image.data() + sizeof header + i * sizeof note, &note, sizeof note);
  }
  std::ofstream(bomb, std::ios::binary).write(image.data(), static_cast<std::streamsize>(image.size()));
  const speculators::PluginFailure named = fx::only_failure([&bomb] { speculators::read_plugin_manifest(bomb); });
  fx::expect_contains(named.reason, "has note segments of more than 16777216 bytes in all");
  speculators::add_plugin_directory(root);
  const speculators::PluginFailure found = fx::only_failure([] { hx::Plain::registered_classes(); });
  EXPECT_EQ(found.file, bomb.string());
  fx::expect_contains(found.reason, "has note segments of more than 16777216 bytes in all");
  EXPECT_EQ(fx::registered_keys_now<hx::Plain>(), (Keys{"deeper", "good"}));
}

// --- 7. Deep and long trees ------------------------------------------------------------------

// A chain of `levels` directories named `name` below `base`, made and removed without any
// path longer than a level or two: the whole chain may be longer than PATH_MAX, which neither
// std::filesystem nor the test's scratch directory could then create or remove. `file`, when
// given, is copied into the deepest directory as `file_name`.
class DirectoryChain {
 public:
  DirectoryChain(fs::path base, std::string name, int levels, const fs::path& file = {},
                 const std::string& file_name = {})
      : base_(std::move(base)), name_(std::move(name)) {
    remove();  // what an earlier run may have left
    int fd = ::open(base_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (int i = 0; i < levels && fd >= 0; ++i) {
      if (::mkdirat(fd, name_.c_str(), 0755) != 0 || ::fchmodat(fd, name_.c_str(), 0755, 0) != 0) {
        ADD_FAILURE() << "mkdirat at level " << i << ": " << std::strerror(errno);
      }
      const int next = ::openat(fd, name_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ::close(fd);
      fd = next;
    }
    if (fd < 0) ADD_FAILURE() << "cannot open the chain: " << std::strerror(errno);
    if (fd >= 0 && !file.empty()) {
      std::ifstream in(file, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const int out = ::openat(fd, file_name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (out < 0 || ::fchmod(out, 0644) != 0 ||
          ::write(out, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
        ADD_FAILURE() << "cannot write " << file_name << ": " << std::strerror(errno);
      }
      if (out >= 0) ::close(out);
    }
    if (fd >= 0) ::close(fd);
  }
  DirectoryChain(const DirectoryChain&) = delete;
  DirectoryChain& operator=(const DirectoryChain&) = delete;
  ~DirectoryChain() { remove(); }

  /// The path of the directory `depth` levels down (1: the first).
  [[nodiscard]] fs::path at(int depth) const {
    fs::path p = base_;
    for (int i = 0; i < depth; ++i) p /= name_;
    return p;
  }

 private:
  // Goes down to the deepest level, then removes one level at a time on the way back up
  // through "..", with the files in it.
  void remove() const {
    int fd = ::open(base_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int depth = 0;
    for (int next;
         fd >= 0 && (next = ::openat(fd, name_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0;
         ++depth) {
      ::close(fd);
      fd = next;
    }
    for (; fd >= 0 && depth > 0; --depth) {
      if (DIR* listing = ::fdopendir(::dup(fd))) {  // the files of this level
        std::vector<std::string> files;
        while (const dirent* entry = ::readdir(listing)) {
          if (entry->d_type != DT_DIR) files.emplace_back(entry->d_name);
        }
        ::closedir(listing);
        for (const std::string& file : files) ::unlinkat(fd, file.c_str(), 0);
      }
      const int parent = ::openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ::close(fd);
      fd = parent;
      if (fd >= 0 && ::unlinkat(fd, name_.c_str(), AT_REMOVEDIR) != 0) {
        ADD_FAILURE() << "cannot remove a level of the chain: " << std::strerror(errno);
      }
    }
    if (fd >= 0) ::close(fd);
  }

  fs::path base_;
  std::string name_;
};

TEST(PluginHostile, APackageDeeperThanTheDepthLimitIsWalkedDownToItAndReportedThere) {
  const ScratchPackage package([](const fs::path&) {});
  const DirectoryChain chain(package.dir, "d", 40);
  fs::copy_file(plain_file("hostile-good", "good"), chain.at(32) / "at32.so");
  fs::copy_file(plain_file("hostile-good", "good"), chain.at(33) / "at33.so");
  std::vector<speculators::PluginFailure> refused;
  const std::vector<speculators::PluginModule> modules = speculators::find_package_modules("hx.plain", &refused);
  std::string at32 = "hx.plain.";
  for (int i = 0; i < 32; ++i) at32 += "d.";
  at32 += "at32";
  EXPECT_EQ(fx::module_names(modules), (Keys{at32, "hx.plain.good", "hx.plain.sub.deeper"}));
  ASSERT_EQ(refused.size(), 1U);
  EXPECT_EQ(refused[0].file, chain.at(33).string());
  fx::expect_contains(refused[0].reason,
                      "is more than 32 directories below its package directory, where the scan stops; plugins in "
                      "it are not found");
}

// A thousand levels, longer than PATH_MAX in all: the walk neither recurses nor holds a
// descriptor per level past the limit (it recursed without a limit: a tree 5,000 levels deep
// overflowed the stack, and deeper ones ran out of descriptors; 1,000 levels are enough to
// show the limit, and cost seconds less to make and remove).
TEST(PluginHostile, ATreeAThousandLevelsDeepIsWalkedDownToTheLimitOnly) {
  const ScratchPackage package([](const fs::path&) {});
  const DirectoryChain chain(package.dir, "level", 1000);
  ASSERT_GT(chain.at(1000).string().size(), std::size_t{PATH_MAX});
  std::vector<speculators::PluginFailure> refused;
  const std::vector<speculators::PluginModule> modules = speculators::find_package_modules("hx.plain", &refused);
  EXPECT_EQ(fx::module_names(modules), (Keys{"hx.plain.good", "hx.plain.sub.deeper"}));
  ASSERT_EQ(refused.size(), 1U);
  EXPECT_EQ(refused[0].file, chain.at(33).string());
  fx::expect_contains(refused[0].reason, "is more than 32 directories below its package directory");
  EXPECT_EQ(fx::only_failure([] { hx::Plain::registered_classes(); }).file, chain.at(33).string());
  EXPECT_EQ(fx::registered_keys_now<hx::Plain>(), (Keys{"deeper", "good"}));
}

// A plugin whose path is longer than PATH_MAX cannot be loaded by the dynamic loader, and
// the scan says so when it finds it, before any check of the file.
TEST(PluginHostile, APluginWhosePathIsLongerThanTheSystemAllowsIsReportedAsSuch) {
  const ScratchPackage package([](const fs::path& dir) { fs::remove_all(dir / "sub"); });
  const DirectoryChain chain(package.dir, std::string(200, 'x'), 22, plain_file("hostile-good", "sub/deeper"),
                             "deeper.so");
  ASSERT_GT(chain.at(22).string().size(), std::size_t{PATH_MAX});
  const speculators::PluginFailure failure = fx::only_failure([] { hx::Plain::registered_classes(); });
  EXPECT_EQ(failure.file, (chain.at(22) / "deeper.so").string());
  fx::expect_contains(failure.reason,
                      "longer than the system allows (PATH_MAX, 4096), so it cannot be loaded: File "
                      "name too long. Move the plugin to a shorter path");
  EXPECT_EQ(fx::registered_keys_now<hx::Plain>(), (Keys{"good"}));
}

// Scans hx.plain with a limit of open files a few above the number open now. Ends the
// process: 0 when a directory is reported for running out of them, and none for permissions.
[[noreturn]] void scan_with_few_descriptors() {
  rlim_t open_now = 0;
  for ([[maybe_unused]] const fs::directory_entry& fd : fs::directory_iterator("/proc/self/fd")) ++open_now;
  const rlimit limit{open_now + 4, open_now + 4};
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) std::_Exit(2);
  std::vector<speculators::PluginFailure> refused;
  speculators::find_package_modules("hx.plain", &refused);
  bool reported = false;
  for (const speculators::PluginFailure& f : refused) {
    std::fprintf(stderr, "%s: %s\n", f.file.c_str(), f.reason.c_str());
    reported = reported || f.reason.find("Too many open files") != std::string::npos;
    if (f.reason.find("permissions") != std::string::npos) std::_Exit(1);
  }
  std::_Exit(reported ? 0 : 1);
}

// Out of descriptors (a limit lowered in this death-test child): the directories the walk
// cannot open are reported with the system's reason and what to do about it, not as a
// matter of permissions.
TEST(PluginHostileDeathTest, RunningOutOfDescriptorsIsReportedAsSuch) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const ScratchPackage package([](const fs::path&) {});
  const DirectoryChain chain(package.dir, "d", 20);
  EXPECT_EXIT(scan_with_few_descriptors(), ::testing::ExitedWithCode(0),
              "cannot be read: Too many open files; plugins in it are not found. The process has too many files open; "
              "raise its limit of open files \\(ulimit -n\\) or open fewer");
}

}  // namespace
