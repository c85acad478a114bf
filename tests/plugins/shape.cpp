// One fixture plugin source, built several times: each build names a Shape key
// (FX_SHAPE_KEY) with a help text telling the copies apart (FX_SHAPE_HELP), a Color key
// (FX_COLOR_KEY), or both, making a plugin that registers into two registries.
#include "fixture_bases.hpp"

namespace {

#ifdef FX_SHAPE_KEY
struct FixtureShape : fx::Shape {
  explicit FixtureShape(int sides) : sides_(sides) {}
  int sides() const override { return sides_; }
  int sides_;
};
SPECULATORS_REGISTER(fx::Shape, FixtureShape, FX_SHAPE_KEY, FX_SHAPE_HELP);
#endif

#ifdef FX_COLOR_KEY
struct FixtureColor : fx::Color {};
SPECULATORS_REGISTER(fx::Color, FixtureColor, FX_COLOR_KEY);
#endif

}  // namespace
