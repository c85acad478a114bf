// Create-by-name with Poco, ROS class_loader and Boost.DLL. Each library loads its plugin of
// the 64 classes polygon_0 ... polygon_63 once, before the timed loop, and then builds
// polygon_37 by name on every iteration the way its documentation shows, with the name held
// in a std::string (what all three take). The object is destroyed in the loop, as in the
// registry's benchmarks.
#include "create_compare.hpp"

#include "../create_by_name.hpp"
#include "shape.hpp"

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#if SPECULATORS_BENCH_WITH_POCO
#include <Poco/ClassLoader.h>
#endif
#if SPECULATORS_BENCH_WITH_CLASS_LOADER
#include <class_loader/class_loader.hpp>
#include <class_loader/multi_library_class_loader.hpp>
#endif
#if SPECULATORS_BENCH_WITH_BOOST_DLL
#include <boost/dll/shared_library.hpp>
#endif

namespace bench::compare {

namespace {

[[maybe_unused]] void add(const char* name, void (*function)(benchmark::State&), double min_time_seconds) {
  benchmark::RegisterBenchmark(name, function)->MinTime(min_time_seconds);
}

#if SPECULATORS_BENCH_WITH_POCO
/// Poco::ClassLoader<Base>::create(name): a lock, a search of each loaded library's
/// Poco::Manifest (a std::map by class name), then `new` through the MetaObject.
void create_poco(benchmark::State& state) {
  static auto* loader = [] {
    auto* made = new Poco::ClassLoader<Shape>;  // never destroyed: plugins stay loaded
    made->loadLibrary(SPECULATORS_BENCH_POCO_SHAPES);
    return made;
  }();
  create_by_name<KeyForm::string>(state,
                                  [](const std::string& name) { return std::unique_ptr<Shape>(loader->create(name)); });
}
#endif

#if SPECULATORS_BENCH_WITH_CLASS_LOADER
/// class_loader::ClassLoader::createUniqueInstance<Base>(name) on the loader of the library
/// that holds the class: a global lock, the factory map of the base (by class name), the
/// owner check, and a deleter that counts the library's live objects.
void create_class_loader(benchmark::State& state) {
  static auto* loader = new class_loader::ClassLoader(SPECULATORS_BENCH_CLASS_LOADER_SHAPES);
  create_by_name<KeyForm::string>(state,
                                  [](const std::string& name) { return loader->createUniqueInstance<Shape>(name); });
}

/// class_loader::MultiLibraryClassLoader::createUniqueInstance<Base>(name): the same, after
/// finding which loaded library has the class (how a host that loads several libraries asks).
void create_class_loader_multi(benchmark::State& state) {
  static auto* loader = [] {
    auto* made = new class_loader::MultiLibraryClassLoader(false);
    made->loadLibrary(SPECULATORS_BENCH_CLASS_LOADER_SHAPES);
    return made;
  }();
  create_by_name<KeyForm::string>(state,
                                  [](const std::string& name) { return loader->createUniqueInstance<Shape>(name); });
}
#endif

#if SPECULATORS_BENCH_WITH_BOOST_DLL
/// boost::dll::shared_library::get_alias<Factory>(name)(): the alias is an exported symbol,
/// found by name with dlsym, then the factory it points to is called.
void create_boost_dll(benchmark::State& state) {
  static const auto* library = new boost::dll::shared_library(SPECULATORS_BENCH_BOOST_DLL_SHAPES);
  create_by_name<KeyForm::string>(
      state, [](const std::string& name) { return library->get_alias<std::unique_ptr<Shape>()>(name)(); });
}
#endif

}  // namespace

void register_create_benchmarks([[maybe_unused]] double min_time_seconds) {
#if SPECULATORS_BENCH_WITH_POCO
  add("create/poco/string", create_poco, min_time_seconds);
#endif
#if SPECULATORS_BENCH_WITH_CLASS_LOADER
  add("create/class_loader/string", create_class_loader, min_time_seconds);
  add("create/class_loader_multi/string", create_class_loader_multi, min_time_seconds);
#endif
#if SPECULATORS_BENCH_WITH_BOOST_DLL
  add("create/boost_dll/string", create_boost_dll, min_time_seconds);
#endif
}

}  // namespace bench::compare
