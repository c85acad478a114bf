// expect: speculators: the registered class cannot be built from the base's constructor arguments
#include <speculators/registry.hpp>

#include <string_view>

struct Base : speculators::ClassRegistryMixin<Base, int, std::string_view> {
  virtual ~Base() = default;
};
struct DefaultOnly : Base {};  // no constructor taking (int, std::string_view)

int main() { Base::register_class<DefaultOnly>("default_only"); }
