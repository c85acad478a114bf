// expect: speculators: only a class can be registered
#include <speculators/registry.hpp>

struct Base : speculators::ClassRegistryMixin<Base> {
  virtual ~Base() = default;
};
SPECULATORS_REGISTER(Base, int);
