// The base of the speculators_link_whole() check: a static library registers into it from an
// object that nothing else in the program refers to.
#pragma once

#include <speculators/registry.hpp>

namespace fx {

struct Linked : speculators::ClassRegistryMixin<Linked> {
  virtual ~Linked() = default;
};

}  // namespace fx
