// The dependency of missing_dep and lazy's broken plugin, which is nowhere they are looked for:
// linked under a name no file has (POSIX), or left where the loader does not look (Windows).
#include "fx_export.hpp"

extern "C" FX_EXPORT int fx_gone_function() { return 42; }
