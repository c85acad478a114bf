// The classes of a comparison plugin whose library exports classes by name (Poco's and
// class_loader's): one class named fleet_000000 in the fleet template
// (SPECULATORS_BENCH_FLEET_TEMPLATE), else polygon_0 ... polygon_63. Included by one plugin
// source each, so the names are local to it.
#pragma once

#include "shape.hpp"

namespace {

#if defined(SPECULATORS_BENCH_FLEET_TEMPLATE)
struct fleet_000000 final : bench::compare::Shape {
  int sides() const override { return 0; }
};
#else
#define SPECULATORS_BENCH_POLYGON_ALIAS(n) using polygon_##n = bench::compare::Polygon<n>;
SPECULATORS_BENCH_POLYGONS(SPECULATORS_BENCH_POLYGON_ALIAS)
#endif

}  // namespace
