// The discovery benchmark's host: one discovery per process, timed inside the process.
//
// Usage: discovery_probe ROOT MODE [PACKAGE]
//        discovery_probe --runs        prints the "MODE [PACKAGE]" pairs this build can run
//   ROOT  a search-path entry holding the fleets: package bench.probes (ROOT/bench/probes/*.so)
//         and one package per other library (bench.poco, bench.class_loader, bench.boost_dll)
//   MODE  eager     add_plugin_directory(ROOT), then bench::Probe::registered_classes(): the
//                   first call finds the package's files, checks them and loads every plugin
//         lazy      the same with bench::LazyProbe, which does not ask for eager loading: its
//                   first call lists the classes from the plugins' manifests
//         manifest  the package's files, found by a recursive walk of its directory, then
//                   read_plugin_manifest() on each one: nothing is loaded
//         read      the I/O of a listing that reads whole files: the same walk, then open,
//                   fstat, one read of the whole file and close for each one; nothing parsed
//         dlopen    the floor: the files of PACKAGE (default bench.probes), found by the same
//                   walk and loaded in sorted order with dlopen(RTLD_NOW | RTLD_LOCAL) and a
//                   dlsym of the library's entry point, with no check and no registration
//         poco, class_loader, boost_dll
//                   the files of that library's package, found by the same walk and loaded by
//                   that library (bench/compare/load_compare.cpp)
// Prints one JSON object: {"mode", "package", "plugins" (files handled), "classes" (classes
// listed, manifest entries read, or files loaded), "loaded" (eager and lazy: plugins of the
// package loaded once the call returns), "faults" (page faults during the operation), "ns"
// (steady_clock around the operation only)}.
// Exits 1 on any failure, or when the count is not the expected one.
#include "discovery_probe.hpp"
#include "compare/load_compare.hpp"

#include <speculators/plugin_abi.h>
#include <speculators/plugins.hpp>

#include <sys/resource.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr std::string_view probe_package = "bench.probes";

/// The package's plugin files under `root`, sorted, as discovery orders them.
std::vector<fs::path> plugin_files(const fs::path& root, std::string_view package) {
  std::string relative(package);
  std::replace(relative.begin(), relative.end(), '.', '/');
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root / relative)) {
    if (entry.is_regular_file() && entry.path().extension() == ".so") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// The files loaded and counted by one mode; `plugins` and `classes` as printed.
struct Outcome {
  std::size_t plugins = 0;
  std::size_t classes = 0;
};

/// `plugins` is left 0: main() counts the package's files once the timed call is over.
template <class Base>
Outcome run_registry(const fs::path& root) {
  speculators::add_plugin_directory(root);
  return {0, Base::registered_classes().size()};
}

Outcome run_dlopen(const fs::path& root, std::string_view package, const char* entry_symbol) {
  const std::vector<fs::path> files = plugin_files(root, package);
  for (const auto& file : files) {
    void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);  // never closed, like a plugin
    if (handle == nullptr || (entry_symbol != nullptr && dlsym(handle, entry_symbol) == nullptr)) {
      throw std::runtime_error(file.string() + ": " + dlerror());
    }
  }
  return {files.size(), files.size()};
}

Outcome run_manifest(const fs::path& root) {
  const std::vector<fs::path> files = plugin_files(root, probe_package);
  std::size_t entries = 0;
  for (const auto& file : files) entries += speculators::read_plugin_manifest(file).entries.size();
  return {files.size(), entries};
}

/// The I/O of a listing that reads whole files: open, fstat, one read of the whole file,
/// close; nothing parsed. `classes` counts the files read whole.
Outcome run_read(const fs::path& root) {
  const std::vector<fs::path> files = plugin_files(root, probe_package);
  std::vector<char> buffer;
  std::size_t read_whole = 0;
  for (const auto& file : files) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0) throw std::runtime_error(file.string() + ": cannot be read");
    buffer.resize(static_cast<std::size_t>(st.st_size));
    if (::pread(fd, buffer.data(), buffer.size(), 0) == static_cast<ssize_t>(buffer.size())) ++read_whole;
    ::close(fd);
  }
  return {files.size(), read_whole};
}

/// The page faults this process has taken so far that needed no disk read: each costs
/// microseconds, and a first discovery takes many of them (new code and data pages).
long minor_faults() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

/// How many plugins of bench.probes this process has loaded.
std::size_t loaded_probes() {
  const std::vector<speculators::PluginModule> modules = speculators::find_package_modules(probe_package);
  return static_cast<std::size_t>(
      std::count_if(modules.begin(), modules.end(), [](const auto& m) { return m.loaded; }));
}

/// The runs this build can make, one "MODE [PACKAGE]" a line, for bench/run.
void print_runs() {
  for (const char* mode : {"eager", "lazy", "manifest", "read", "dlopen"}) std::printf("%s\n", mode);
  for (const auto& library : bench::compare::libraries()) {
    std::printf("dlopen %s\n%s\n", library.package, library.mode);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--runs") {
    print_runs();
    return 0;
  }
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: discovery_probe ROOT MODE [PACKAGE] | --runs\n");
    return 2;
  }
  const fs::path root = fs::absolute(argv[1]);
  const std::string_view mode = argv[2];
  std::string_view package = argc == 4 ? argv[3] : probe_package;
  const char* entry_symbol = SPECULATORS_PLUGIN_ENTRY_POINT;
  std::optional<bench::compare::Library> library;
  for (const auto& candidate : bench::compare::libraries()) {
    if (mode == candidate.mode || (mode == "dlopen" && package == candidate.package)) library = candidate;
  }
  if (library) {
    entry_symbol = library->entry_symbol;
    if (mode != "dlopen") package = library->package;
  }
  try {
    const long faults_before = minor_faults();
    const auto start = std::chrono::steady_clock::now();
    Outcome outcome;
    if (mode == "eager") {
      outcome = run_registry<bench::Probe>(root);
    } else if (mode == "lazy") {
      outcome = run_registry<bench::LazyProbe>(root);
    } else if (mode == "manifest") {
      outcome = run_manifest(root);
    } else if (mode == "read") {
      outcome = run_read(root);
    } else if (mode == "dlopen") {
      outcome = run_dlopen(root, package, entry_symbol);
    } else if (library) {
      const std::vector<fs::path> files = plugin_files(root, package);
      outcome = {files.size(), library->load(files)};
    } else {
      std::fprintf(stderr, "discovery_probe: unknown mode '%s'\n", argv[2]);
      return 2;
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    const long faults = minor_faults() - faults_before;
    const bool registry = mode == "eager" || mode == "lazy";
    if (registry) outcome.plugins = speculators::find_package_modules(probe_package).size();
    // Every plugin of every fleet provides one class to each base (manifest: two entries).
    const std::size_t expected = outcome.plugins * (mode == "manifest" ? 2 : 1);
    if (outcome.plugins == 0 || outcome.classes != expected) {
      std::fprintf(stderr, "discovery_probe: %s on %s: %zu plugins, %zu classes, expected %zu\n", argv[2], root.c_str(),
                   outcome.plugins, outcome.classes, expected);
      return 1;
    }
    const std::string loaded = registry ? ", \"loaded\": " + std::to_string(loaded_probes()) : std::string();
    std::printf(
        "{\"mode\": \"%s\", \"package\": \"%.*s\", \"plugins\": %zu, \"classes\": %zu%s, \"faults\": %ld, \"ns\": "
        "%lld}\n",
        argv[2], static_cast<int>(package.size()), package.data(), outcome.plugins, outcome.classes, loaded.c_str(),
        faults, static_cast<long long>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "discovery_probe: %s\n", e.what());
    return 1;
  }
}
