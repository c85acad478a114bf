// A Boost.DLL plugin, as its "factory method in plugin" tutorial builds one: a factory
// function exported under an alias (BOOST_DLL_ALIAS), which the host imports by name. Built
// twice by bench/CMakeLists.txt:
//   - 64 factories, aliases polygon_0 ... polygon_63, for create-by-name;
//   - with SPECULATORS_BENCH_FLEET_TEMPLATE, one factory under the alias create_plugin, making
//     a class named fleet_000000: the template of the N plugins of the loading benchmark (see
//     tests/support/make_fleet.cpp). Alias names are exported symbols, which a copy must not
//     rename, so every copy keeps the alias and only the class name differs.
#include "shape.hpp"

#include <boost/dll/alias.hpp>

#include <memory>

namespace bench::compare {

#if defined(SPECULATORS_BENCH_FLEET_TEMPLATE)
namespace {
struct fleet_000000 final : Shape {
  int sides() const override { return 0; }
};
}  // namespace

std::unique_ptr<Shape> create_plugin() { return std::make_unique<fleet_000000>(); }
#else
template <int N>
std::unique_ptr<Shape> create_polygon() {
  return std::make_unique<Polygon<N> >();
}
#endif

}  // namespace bench::compare

#if defined(SPECULATORS_BENCH_FLEET_TEMPLATE)
BOOST_DLL_ALIAS(bench::compare::create_plugin, create_plugin)
#else
#define SPECULATORS_BENCH_BOOST_ALIAS(n) BOOST_DLL_ALIAS(bench::compare::create_polygon<n>, polygon_##n)
SPECULATORS_BENCH_POLYGONS(SPECULATORS_BENCH_BOOST_ALIAS)
#endif
