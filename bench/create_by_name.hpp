// The loop of every create-by-name benchmark, shared by the registry's own (registry_bench.cpp)
// and the other libraries' (compare/create_compare.cpp), so that all of them time the same work.
#pragma once

#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

namespace bench {

/// Every create-by-name benchmark builds this class of the 64.
constexpr int created_shape = 37;

inline std::string shape_name(int n) { return "polygon_" + std::to_string(n); }

/// How the caller holds the name it creates by.
enum class KeyForm { string_view, c_string, string };

/// Creates the class named `name` (by default polygon_37) on each iteration, passing the name
/// in `Form`, and destroys the object (whatever owning pointer `create` returns).
template <KeyForm Form, class Create>
void create_by_name(benchmark::State& state, Create&& create, std::string name = shape_name(created_shape)) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(name);  // the name is not a constant the compiler can fold
    if constexpr (Form == KeyForm::string_view) {
      auto shape = create(std::string_view(name));
      benchmark::DoNotOptimize(shape.get());
    } else if constexpr (Form == KeyForm::c_string) {
      auto shape = create(name.c_str());
      benchmark::DoNotOptimize(shape.get());
    } else {
      auto shape = create(name);
      benchmark::DoNotOptimize(shape.get());
    }
  }
}

}  // namespace bench
