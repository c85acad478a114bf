// speculators_registry_testing: C++ bases bound with bind_registry, for the pytest suite.
#include "shape.hpp"

#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

SPECULATORS_REGISTER(testing_shapes::Shape, testing_shapes::Square, "square", "a C++ square");

namespace {

using testing_shapes::PyShape;
using testing_shapes::Shape;

// A second registry, to show that registries do not share classes.
struct Animal : speculators::ClassRegistryMixin<Animal> {
  static constexpr std::string_view registry_name = "testing.Animal";
  virtual ~Animal() = default;
  virtual std::string sound() const = 0;
};
struct PyAnimal : Animal {
  std::string sound() const override { PYBIND11_OVERRIDE_PURE(std::string, Animal, sound, ); }
};

// Discovery on, of a package no directory holds: discovery finds nothing, and says so once.
struct Discovered : speculators::AutoClassRegistryMixin<Discovered> {
  static constexpr std::string_view registry_name = "testing.Discovered";
  static constexpr std::string_view auto_package = "speculators.testing_nothing_here";
  virtual ~Discovered() = default;
};
struct PyDiscovered : Discovered {};

// Objects C++ keeps after Python let go of them.
std::vector<std::unique_ptr<Shape>>& held() {
  static std::vector<std::unique_ptr<Shape>> shapes;
  return shapes;
}

}  // namespace

PYBIND11_MODULE(speculators_registry_testing, m) {
  namespace py = pybind11;
  speculators::python::bind_registry<Shape, PyShape>(m, "Shape").def("area", &Shape::area);
  speculators::python::bind_registry<Animal, PyAnimal>(m, "Animal").def("sound", &Animal::sound);
  speculators::python::bind_registry<Discovered, PyDiscovered>(m, "Discovered");

  m.def(
      "area_from_cpp", [](const std::string& name, int side) { return Shape::create(name, side)->area(); },
      "C++ builds the class registered under name and calls area()");
  m.def(
      "areas_from_threads",
      [](const std::string& name, int threads, int per_thread) {
        std::vector<int> areas(static_cast<std::size_t>(threads * per_thread));
        {
          py::gil_scoped_release unlocked;  // the threads take it for each Python call
          std::vector<std::thread> workers;
          for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&areas, &name, t, per_thread] {
              for (int i = 0; i < per_thread; ++i) {
                const int side = t * per_thread + i;
                areas[static_cast<std::size_t>(side)] = Shape::create(name, side)->area();
              }
            });
          }
          for (std::thread& w : workers) w.join();
        }
        return areas;
      },
      "C++ threads build name(side) for every side in [0, threads * per_thread) and call area()");
  m.def(
      "hold", [](const std::string& name, int side) { held().push_back(Shape::create(name, side)); },
      "C++ builds name(side) and keeps it");
  m.def("held_areas", [] {
    std::vector<int> areas;
    for (const auto& shape : held()) areas.push_back(shape->area());
    return areas;
  });
  m.def("drop_held", [] { held().clear(); });
  m.def("error_from_cpp", [](const std::string& name, int side) -> std::string {
    try {
      Shape::create(name, side);
    } catch (const speculators::python::PythonError& e) {
      return e.what();
    }
    return "";
  });
}
