// expect: speculators: the registered class is abstract
#include <speculators/registry.hpp>

struct Base : speculators::ClassRegistryMixin<Base> {
  virtual ~Base() = default;
  virtual int run() = 0;
};
struct Unfinished : Base {};  // run() is not implemented
SPECULATORS_REGISTER(Base, Unfinished);
