// expect: speculators: the registry's base needs a virtual destructor
#include <speculators/registry.hpp>

struct Base : speculators::ClassRegistryMixin<Base> {};  // ~Base() is not virtual
struct Impl : Base {};
SPECULATORS_REGISTER(Base, Impl);
