// A Poco class library, as Poco's ClassLoader documentation builds one: a manifest of classes
// derived from one base, exported by name. Built twice by bench/CMakeLists.txt:
//   - the 64 classes polygon_0 ... polygon_63, for create-by-name;
//   - with SPECULATORS_BENCH_FLEET_TEMPLATE, one class named fleet_000000: the template of the
//     N plugins that the loading benchmark loads (see tests/support/make_fleet.cpp).
#include "plugin_classes.hpp"

#include <Poco/ClassLibrary.h>

POCO_BEGIN_MANIFEST(bench::compare::Shape)
#if defined(SPECULATORS_BENCH_FLEET_TEMPLATE)
POCO_EXPORT_CLASS(fleet_000000)
#else
#define SPECULATORS_BENCH_POCO_EXPORT(n) POCO_EXPORT_CLASS(polygon_##n)
SPECULATORS_BENCH_POLYGONS(SPECULATORS_BENCH_POCO_EXPORT)
#endif
POCO_END_MANIFEST
