// The same registration line, compiled into an executable, a static library, a shared
// library linked normally and a plugin; each build names its key (FX_WHERE_KEY).
#include "fixture_bases.hpp"

namespace {

struct Here : fx::Where {};
SPECULATORS_REGISTER(fx::Where, Here, FX_WHERE_KEY);

}  // namespace
