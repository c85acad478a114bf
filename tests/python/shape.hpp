// Shape: a base with discovery off, classes built from one int, and its pybind11 trampoline;
// bound by the pytest suite's module and by bench/python_bench.
#pragma once

#include <speculators/python.hpp>

#include <string_view>

namespace testing_shapes {

struct Shape : speculators::ClassRegistryMixin<Shape, int> {
  static constexpr std::string_view registry_name = "testing.Shape";
  virtual ~Shape() = default;
  virtual int area() const = 0;
};

struct Square : Shape {
  explicit Square(int side) : side_(side) {}
  int area() const override { return side_ * side_; }
  int side_;
};

struct PyShape : Shape {
  int area() const override { PYBIND11_OVERRIDE_PURE(int, Shape, area, ); }
};

}  // namespace testing_shapes
