// Registers into core_static::Early at namespace scope; core_static_b.cpp looks it up.
#include "core_static.hpp"

namespace core_static {
namespace {

struct EarlyImpl : Early {
  int id() const override { return 7; }
};

}  // namespace
}  // namespace core_static

SPECULATORS_REGISTER(core_static::Early, core_static::EarlyImpl, "early");
