// The only object of a static library: one registration, no symbol a program would use.
#include "link_whole.hpp"

namespace {

struct InArchive : fx::Linked {};
SPECULATORS_REGISTER(fx::Linked, InArchive, "in_static_library");

}  // namespace
