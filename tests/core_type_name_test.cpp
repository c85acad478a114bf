// Compile-time type names: the default keys and registry keys, without RTTI. The checks are
// static_asserts, so they hold at compile time; the test bodies make them show in the report.
#include <speculators/type_name.hpp>

#include <gtest/gtest.h>

#include <string_view>

namespace ns {

struct Greedy {};
template <class T, int N>
struct Box {};
struct Outer {
  struct Inner {};
  template <class T>
  struct Slot {};
};

}  // namespace ns

namespace {
struct Unnamed {};
}  // namespace

using speculators::short_type_name;
using speculators::type_name;

TEST(CoreTypeName, QualifiedNames) {
  static_assert(type_name<ns::Greedy>() == "ns::Greedy");
  static_assert(type_name<ns::Box<int, 3>>() == "ns::Box<int, 3>");
  static_assert(type_name<ns::Box<ns::Greedy, -2>>() == "ns::Box<ns::Greedy, -2>");
  static_assert(type_name<ns::Outer::Inner>() == "ns::Outer::Inner");
  static_assert(type_name<int>() == "int");
  static_assert(type_name<const ns::Greedy&>() == "const ns::Greedy&");
  EXPECT_EQ((type_name<ns::Box<ns::Outer::Inner, 0>>()), "ns::Box<ns::Outer::Inner, 0>");
}

TEST(CoreTypeName, ShortNamesAreTheDefaultKeys) {
  static_assert(short_type_name<ns::Greedy>() == "Greedy");
  static_assert(short_type_name<ns::Box<int, 3>>() == "Box<int, 3>");
  static_assert(short_type_name<ns::Box<ns::Greedy, 3>>() == "Box<ns::Greedy, 3>");
  static_assert(short_type_name<ns::Outer::Inner>() == "Inner");
  static_assert(short_type_name<ns::Outer::Slot<ns::Outer::Inner>>() == "Slot<ns::Outer::Inner>");
  static_assert(short_type_name<Unnamed>() == "Unnamed");  // g++ and clang++ spell the namespace differently
  static_assert(short_type_name<int>() == "int");
  EXPECT_EQ((short_type_name<ns::Box<ns::Box<int, 1>, 2>>()), "Box<ns::Box<int, 1>, 2>");
}
