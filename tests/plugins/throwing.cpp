// A plugin whose own static initializer (not a registration) throws while it loads.
#include "fixture_bases.hpp"

#include <stdexcept>

namespace {

struct ThrowsOnLoad {
  ThrowsOnLoad() { throw std::runtime_error("fixture static initializer failed on purpose"); }
} throws_on_load;

struct Never : fx::Throws {};
SPECULATORS_REGISTER(fx::Throws, Never, "never");

}  // namespace
