// The control: a correct registration of each kind compiles with the flags of the other snippets.
#include <speculators/registry.hpp>

#include <string_view>

struct Base : speculators::ClassRegistryMixin<Base, int, std::string_view> {
  virtual ~Base() = default;
  virtual int run() = 0;
};
struct Impl : Base {
  Impl(int, std::string_view) {}
  int run() override { return 0; }
};
SPECULATORS_REGISTER(Base, Impl, "impl");

int main() {
  Base::register_class<Impl>("again");
  return Base::create("impl", 1, "text")->run();
}
