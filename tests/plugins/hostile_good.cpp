// A well-formed plugin of package hx.plain, registering key HX_KEY: the good neighbour that
// must still be registered next to each hostile file.
#include "hostile_bases.hpp"

namespace {

struct Good : hx::Plain {};

}  // namespace

SPECULATORS_REGISTER(hx::Plain, Good, HX_KEY);
