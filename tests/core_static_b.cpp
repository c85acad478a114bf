// A static initializer that looks a registry up. core.cmake lists this file before
// core_static_a.cpp, so the linker orders its initializer first: the registration must still
// be visible (the guarantee "before any other static initializer that looks the registry up").
#include "core_static.hpp"

namespace core_static {
namespace {

// Also builds an instance, so the entry is checked whole, not only present.
const bool found_early = [] {
  const auto cls = Early::find("early");
  return cls && cls.create()->id() == 7;
}();

}  // namespace

bool found_during_static_init() { return found_early; }

}  // namespace core_static
