// What every fuzz target shares: a property that does not hold stops the run, so that
// libFuzzer reports the input (abort is what it catches, in every build mode).
#pragma once

#include <cstdlib>

namespace fuzz_support {

inline void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace fuzz_support
