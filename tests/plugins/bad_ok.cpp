// A well-formed plugin of package fx.bad, built several times with different keys
// (FX_BAD_KEY): the good neighbours of the broken plugins, and two plugins sharing a key.
#include "fixture_bases.hpp"

namespace {

struct Fine : fx::Bad {
  explicit Fine(int value) : value_(value) {}
  int value() const override { return value_; }
  int value_;
};
SPECULATORS_REGISTER(fx::Bad, Fine, FX_BAD_KEY);

}  // namespace
