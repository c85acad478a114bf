// The tutorial of <speculators/registry.hpp> as a program: a base, implementations
// registered statically and at run time, building by name, and constructor arguments.
#include <speculators/registry.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <string_view>

// A base gets its own registry by inheriting ClassRegistryMixin.
struct Algorithm : speculators::ClassRegistryMixin<Algorithm> {
  virtual ~Algorithm() = default;
  virtual int run() = 0;
};

struct Concrete : Algorithm {
  int run() override { return 1; }
};
struct Another : Algorithm {
  int run() override { return 2; }
};
SPECULATORS_REGISTER(Algorithm, Concrete);                // key "Concrete"
SPECULATORS_REGISTER(Algorithm, Another, "custom_name");  // key "custom_name"

// Registered at run time below.
struct Third : Algorithm {
  int run() override { return 3; }
};
struct Fourth : Algorithm {
  int run() override { return 4; }
};

// Constructor arguments are part of the base's type.
struct Proposal : speculators::ClassRegistryMixin<Proposal, int, std::string_view> {
  virtual ~Proposal() = default;
  virtual std::string describe() const = 0;
};
struct Greedy : Proposal {
  Greedy(int tokens, std::string_view text) : tokens_(tokens), text_(text) {}
  std::string describe() const override { return "Greedy(" + std::to_string(tokens_) + ", \"" + text_ + "\")"; }

 private:
  int tokens_;
  std::string text_;
};
SPECULATORS_REGISTER(Proposal, Greedy, "greedy", "picks the most likely token");

int main() {
  std::unique_ptr<Algorithm> a = Algorithm::create("custom_name");
  std::cout << "create(\"custom_name\")->run() = " << a->run() << '\n';

  Algorithm::register_class<Third>();           // key "Third"
  Algorithm::register_class<Fourth>("fourth");  // key "fourth"
  std::cout << "Algorithm registry:";
  for (auto cls : Algorithm::registered_classes()) std::cout << ' ' << cls.name() << '=' << cls.type_name();
  std::cout << '\n';

  auto p = Proposal::create("greedy", 5, "text");
  std::cout << "create(\"greedy\", 5, \"text\") = " << p->describe() << " (" << Proposal::find("greedy").description()
            << ")\n";

  // A name that is not registered: the error says which names come close.
  try {
    (void)Algorithm::create("forth");
  } catch (const speculators::UnknownKeyError& e) {
    std::cout << "unknown key \"" << e.key() << "\": " << e.what() << '\n';
  }
}
