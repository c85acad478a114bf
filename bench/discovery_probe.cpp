// The discovery benchmark's host: one discovery per process, timed inside the process.
//
// Usage: discovery_probe ROOT MODE
//   ROOT  a search-path entry holding package bench.probes (ROOT/bench/probes/*.so)
//   MODE  registry  add_plugin_directory(ROOT), then Probe::registered_classes(): the first
//                   call discovers, checks and loads every plugin of the package
//         dlopen    the floor: the same files, found by a recursive walk of the package
//                   directory and loaded in sorted order with dlopen(RTLD_NOW | RTLD_LOCAL)
//                   and dlsym of the entry point, with no check and no registration
//         manifest  the same walk, then read_plugin_manifest() on each file: nothing loaded
// Prints one JSON object: {"mode", "plugins" (classes registered, files loaded or manifest
// entries read), "ns" (steady_clock around the operation only)}. Exits 1 on any failure.
#include "discovery_probe.hpp"

#include <speculators/plugin_abi.h>
#include <speculators/plugins.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;

/// The package's plugin files, sorted, as discovery orders them.
std::vector<fs::path> plugin_files(const fs::path& package_dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(package_dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".so") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::size_t run_registry(const fs::path& root) {
  speculators::add_plugin_directory(root);
  return bench::Probe::registered_classes().size();
}

std::size_t run_dlopen(const fs::path& root) {
  std::size_t loaded = 0;
  for (const auto& file : plugin_files(root / "bench" / "probes")) {
    void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr || dlsym(handle, SPECULATORS_PLUGIN_ENTRY_POINT) == nullptr) {
      std::fprintf(stderr, "discovery_probe: %s: %s\n", file.c_str(), dlerror());
      return 0;
    }
    ++loaded;  // never closed, like a plugin
  }
  return loaded;
}

std::size_t run_manifest(const fs::path& root) {
  std::size_t entries = 0;
  for (const auto& file : plugin_files(root / "bench" / "probes")) {
    entries += speculators::read_plugin_manifest(file).entries.size();
  }
  return entries;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: discovery_probe ROOT registry|dlopen|manifest\n");
    return 2;
  }
  const fs::path root = fs::absolute(argv[1]);
  const std::string_view mode = argv[2];
  auto* run = mode == "registry"   ? run_registry
              : mode == "dlopen"   ? run_dlopen
              : mode == "manifest" ? run_manifest
                                   : nullptr;
  if (run == nullptr) {
    std::fprintf(stderr, "discovery_probe: unknown mode '%s'\n", argv[2]);
    return 2;
  }
  try {
    const auto start = std::chrono::steady_clock::now();
    const std::size_t count = run(root);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (count == 0) return 1;
    std::printf("{\"mode\": \"%s\", \"plugins\": %zu, \"ns\": %lld}\n", argv[2], count,
                static_cast<long long>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "discovery_probe: %s\n", e.what());
    return 1;
  }
}
