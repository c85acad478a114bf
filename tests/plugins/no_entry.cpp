// A shared library that is not a speculators plugin: it has no descriptor entry point.
#include "fx_export.hpp"

extern "C" FX_EXPORT int fx_not_a_plugin() { return 1; }
