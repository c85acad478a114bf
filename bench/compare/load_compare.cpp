// Loading N plugins with Poco, ROS class_loader and Boost.DLL, each the way its documentation
// shows. The loaders are never destroyed, so that no plugin is unloaded (as with the registry).
#include "load_compare.hpp"

#include "shape.hpp"

#include <memory>
#include <stdexcept>
#include <string>

#if SPECULATORS_BENCH_WITH_POCO
#include <Poco/ClassLoader.h>
#endif
#if SPECULATORS_BENCH_WITH_CLASS_LOADER
#include <class_loader/multi_library_class_loader.hpp>
#endif
#if SPECULATORS_BENCH_WITH_BOOST_DLL
#include <boost/dll/shared_library.hpp>
#endif

namespace bench::compare {

namespace {

#if SPECULATORS_BENCH_WITH_POCO
/// Poco::ClassLoader<Base>::loadLibrary(path) for each file: dlopen, then the library's
/// pocoBuildManifest() fills a Poco::Manifest of its classes. Lists them from the manifests.
std::size_t load_poco(const std::vector<std::filesystem::path>& files) {
  auto* loader = new Poco::ClassLoader<Shape>;
  for (const auto& file : files) loader->loadLibrary(file.string());
  std::size_t classes = 0;
  for (auto it = loader->begin(); it != loader->end(); ++it) classes += it->second->size();
  return classes;
}
#endif

#if SPECULATORS_BENCH_WITH_CLASS_LOADER
/// class_loader::MultiLibraryClassLoader::loadLibrary(path) for each file (a ClassLoader per
/// library, which dlopens it; its static initializers register the classes), then
/// getAvailableClasses<Base>(), as pluginlib does.
std::size_t load_class_loader(const std::vector<std::filesystem::path>& files) {
  auto* loader = new class_loader::MultiLibraryClassLoader(false);
  for (const auto& file : files) loader->loadLibrary(file.string());
  return loader->getAvailableClasses<Shape>().size();
}
#endif

#if SPECULATORS_BENCH_WITH_BOOST_DLL
/// boost::dll::shared_library(path) for each file, then has() and get_alias() of its factory,
/// as the tutorial's search through several plugins does. Lists the factories found.
std::size_t load_boost_dll(const std::vector<std::filesystem::path>& files) {
  using Factory = std::unique_ptr<Shape>();
  auto* libraries = new std::vector<boost::dll::shared_library>;
  libraries->reserve(files.size());
  std::vector<Factory*> factories;
  for (const auto& file : files) {
    const auto& library = libraries->emplace_back(file.string());
    if (!library.has("create_plugin")) throw std::runtime_error(file.string() + ": no create_plugin alias");
    factories.push_back(&library.get_alias<Factory>("create_plugin"));
  }
  return factories.size();
}
#endif

}  // namespace

std::vector<Library> libraries() {
  std::vector<Library> found;
#if SPECULATORS_BENCH_WITH_POCO
  found.push_back({"poco", "bench.poco", "pocoBuildManifest", load_poco});
#endif
#if SPECULATORS_BENCH_WITH_CLASS_LOADER
  found.push_back({"class_loader", "bench.class_loader", nullptr, load_class_loader});
#endif
#if SPECULATORS_BENCH_WITH_BOOST_DLL
  found.push_back({"boost_dll", "bench.boost_dll", "create_plugin", load_boost_dll});
#endif
  return found;
}

}  // namespace bench::compare
