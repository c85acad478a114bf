// The bases of the hostile-plugin fixtures (tests/hostile.cmake), shared by the fixture plugins
// and tests/plugin_hostile_test.cpp. Both load at discovery (registry_eager_load), so that a
// test which discovers a package runs the plugins it is meant to run.
#pragma once

#include <speculators/registry.hpp>

#include <string_view>

namespace hx {

/// The status hostile_ends.cpp's exit() gives, when built to call exit().
inline constexpr int ends_exit_code = 42;

/// Package hx.plain: a good plugin, and plugins whose static initializer ends the process.
struct Plain : speculators::AutoClassRegistryMixin<Plain> {
  static constexpr std::string_view auto_package = "hx.plain";
  static constexpr bool registry_eager_load = true;
  virtual ~Plain() = default;
};

/// Package hx.many: one plugin registering thousands of classes, each telling its index.
struct Many : speculators::AutoClassRegistryMixin<Many> {
  static constexpr std::string_view auto_package = "hx.many";
  static constexpr bool registry_eager_load = true;
  virtual ~Many() = default;
  virtual int index() const = 0;
};

}  // namespace hx
