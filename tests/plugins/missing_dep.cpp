// A plugin needing a shared library that is nowhere on disk (see tests/plugins.cmake): the
// dynamic loader refuses it, and the host reports the missing library.
#include "fixture_bases.hpp"

extern "C" int fx_gone_function();

namespace {

struct NeedsGone : fx::Bad {
  explicit NeedsGone(int /*value*/) {}
  int value() const override { return fx_gone_function(); }
};
SPECULATORS_REGISTER(fx::Bad, NeedsGone, "needs_gone");

}  // namespace
