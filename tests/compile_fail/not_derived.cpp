// expect: speculators: the registered class must derive publicly from the registry's base
#include <speculators/registry.hpp>

struct Base : speculators::ClassRegistryMixin<Base> {
  virtual ~Base() = default;
};
struct Stranger {};

int main() { Base::register_class<Stranger>(); }
