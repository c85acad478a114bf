// Prints one line per registered voice: "<key> <origin-file-name> <what it says>".
#include <speculators/plugins.hpp>
#include <speculators/registry.hpp>

#include <filesystem>
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
    speculators::add_plugin_directory(CONSUMER_PLUGIN_ROOT);
    for (const auto& voice : consumer::Voice::registered_classes()) {
      std::cout << voice.name() << ' ' << std::filesystem::path(voice.origin()).filename().string() << ' '
                << voice.create("hello")->say() << '\n';
    }
    return 0;
  } catch (const speculators::RegistryError& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
}
