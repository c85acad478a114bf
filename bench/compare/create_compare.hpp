// Create-by-name with the usual plugin libraries, as extra columns of registry_bench's first
// figure: each library's own way of building a class named at run time, from a plugin of 64
// classes built with that library (bench/compare/*_plugin.cpp).
#pragma once

namespace bench::compare {

/// Registers the benchmarks create/<library>/string of every library this build found
/// (bench/CMakeLists.txt defines SPECULATORS_BENCH_WITH_<LIBRARY>); none when none was.
void register_create_benchmarks(double min_time_seconds);

}  // namespace bench::compare
