// Loading N plugins with the usual plugin libraries, as extra modes of bench/discovery_probe:
// each library loads its own fleet of N plugins (bench/compare/*_plugin.cpp built with
// SPECULATORS_BENCH_FLEET_TEMPLATE, copied by tests/support/make_fleet.cpp) the way its
// documentation shows, and lists the classes they provide.
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

namespace bench::compare {

/// A library this build found (bench/CMakeLists.txt defines SPECULATORS_BENCH_WITH_<LIBRARY>).
struct Library {
  const char* mode;          ///< the discovery_probe mode, e.g. "poco"
  const char* package;       ///< the package holding its fleet, e.g. "bench.poco"
  const char* entry_symbol;  ///< what a bare dlopen of its files looks up; null: none
  /// Loads every file (never unloaded) and @returns how many classes the library then lists.
  /// @throws std::exception from the library on a failure
  std::size_t (*load)(const std::vector<std::filesystem::path>& files);
};

/// The libraries found by this build, in a fixed order; empty when none was.
std::vector<Library> libraries();

}  // namespace bench::compare
