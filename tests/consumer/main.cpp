// Prints the library's version, then one line per registered voice:
// "<key> <origin file> <what it says>". Its plugin is found with no setup.
#include <speculators/registry.hpp>
#include <speculators/version.hpp>

#include <iostream>

#include "voice.hpp"

namespace consumer {
struct Plain : Voice {
  explicit Plain(std::string_view text) : text_(text) {}
  std::string say() const override { return text_; }
  std::string text_;
};
}  // namespace consumer

SPECULATORS_REGISTER(consumer::Voice, consumer::Plain, "plain");

int main() {
  try {
    std::cout << "speculators-registry " << speculators::version_string << '\n';
    for (const auto& voice : consumer::Voice::registered_classes()) {
      std::cout << voice.name() << ' ' << voice.origin() << ' ' << voice.create("hello")->say() << '\n';
    }
    return 0;
  } catch (const speculators::RegistryError& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
}
