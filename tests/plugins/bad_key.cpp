// A plugin registering under a key the host refuses (trailing space). In a plugin,
// SPECULATORS_REGISTER never throws while the library loads: the host finds the bad key when
// it reads the descriptor and reports it as a failure of this file.
#include "fixture_bases.hpp"

namespace {

struct Padded : fx::Bad {
  explicit Padded(int /*value*/) {}
  int value() const override { return 0; }
};
SPECULATORS_REGISTER(fx::Bad, Padded, "padded ");

}  // namespace
