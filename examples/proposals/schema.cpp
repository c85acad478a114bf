// speculators_example_schema: prints the JSON Schema of the token proposal configs, built
// from the config classes of the plugins found on the search path. The tests validate
// examples/configs/*.json against it.
#include "token_proposal.hpp"

#include <iostream>

int main() {
  try {
    std::cout << speculators::examples::TokenProposalConfig::json_schema().dump(2) << '\n';
    return 0;
  } catch (const speculators::RegistryError& e) {  // a plugin that failed to load
    std::cerr << "speculators_example_schema: " << e.what() << '\n';
    return 2;
  }
}
