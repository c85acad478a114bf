// A class_loader plugin library, as its documentation builds one: each class registered with
// CLASS_LOADER_REGISTER_CLASS under its own (unqualified) name. Built twice by
// bench/CMakeLists.txt: the 64 classes polygon_0 ... polygon_63 for create-by-name, and, with
// SPECULATORS_BENCH_FLEET_TEMPLATE, one class named fleet_000000, the template of the N
// plugins of the loading benchmark (see tests/support/make_fleet.cpp).
#include "plugin_classes.hpp"

#include <class_loader/register_macro.hpp>

#if defined(SPECULATORS_BENCH_FLEET_TEMPLATE)
CLASS_LOADER_REGISTER_CLASS(fleet_000000, bench::compare::Shape)
#else
#define SPECULATORS_BENCH_CLASS_LOADER_EXPORT(n) CLASS_LOADER_REGISTER_CLASS(polygon_##n, bench::compare::Shape)
SPECULATORS_BENCH_POLYGONS(SPECULATORS_BENCH_CLASS_LOADER_EXPORT)
#endif
