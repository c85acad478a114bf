// Prints the JSON Schema of the test token proposal configs, for the schema test.
#include <iostream>

#include "config_types.hpp"

int main() {
  std::cout << cfgtest::TokenProposalConfig::json_schema().dump(2) << '\n';
  return 0;
}
