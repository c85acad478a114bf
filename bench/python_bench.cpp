// Benchmarks of the Python bridge: listing a registry of 1,000 classes from Python, and a C++
// create() of a class written in Python against a C++ create() of a C++ class, in one run.
// The interpreter is embedded; the Python side runs exactly what a Python program would.
// bench/run runs this program and bench/report.py writes its section of docs/BENCHMARKS.md.
#include "../tests/python/shape.hpp"

#include <benchmark/benchmark.h>
#include <pybind11/embed.h>

#include <memory>
#include <string>
#include <string_view>

namespace py = pybind11;

SPECULATORS_REGISTER(testing_shapes::Shape, testing_shapes::Square, "cpp_square");

namespace {

using testing_shapes::PyShape;
using testing_shapes::Shape;

// 1,000 Python classes, the first of them "py_square"; and the registry by key.
constexpr const char* setup = R"(
import speculators_registry
import bench_shapes

class PySquare(bench_shapes.Shape):
    def __init__(self, side):
        super().__init__()
        self.side = side
    def area(self):
        return self.side * self.side

bench_shapes.Shape.register("py_square")(PySquare)
for i in range(998):
    bench_shapes.Shape.register(f"py_shape_{i}")(type(f"PyShape{i}", (PySquare,), {}))
registry = speculators_registry.Registry("testing.Shape")
assert len(registry.registered_classes()) == 1000
)";

void python_list_1000(benchmark::State& state) {
  py::gil_scoped_acquire gil;
  const py::object list = py::globals()["registry"].attr("registered_classes");
  for (auto _ : state) benchmark::DoNotOptimize(list().ptr());
}

// Called from a C++ thread that does not hold the GIL, as an engine's core would.
void cpp_create(benchmark::State& state, const char* name) {
  for (auto _ : state) {
    std::unique_ptr<Shape> shape = Shape::create(name, 3);
    benchmark::DoNotOptimize(shape.get());
  }
}

}  // namespace

PYBIND11_EMBEDDED_MODULE(bench_shapes, m) {
  speculators::python::bind_registry<Shape, PyShape>(m, "Shape").def("area", &Shape::area);
}

int main(int argc, char** argv) {
  py::scoped_interpreter interpreter;
  py::module_::import("sys").attr("path").attr("insert")(0, SPECULATORS_PYTHON_MODULE_DIR);
  py::exec(setup);
  benchmark::RegisterBenchmark("python/registered_classes:1000", python_list_1000);
  benchmark::RegisterBenchmark("python/create:python_class", cpp_create, "py_square");
  benchmark::RegisterBenchmark("python/create:cpp_class", cpp_create, "cpp_square");
  benchmark::Initialize(&argc, argv);
  {
    py::gil_scoped_release unlocked;  // the create() benchmarks take it as they need it
    benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::Shutdown();
  return 0;
}
