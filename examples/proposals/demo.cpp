// speculators_demo: builds a token proposal method from a JSON config at run time. The
// methods and their config classes are plugins of package speculators.proposals; this program
// does not link them, it finds them on the plugin search path the first time it asks a registry.
//
//   speculators_demo                      lists the methods found
//   speculators_demo configs/greedy.json  builds the method the config names, runs it on a fixed context
//   speculators_demo greedy               the same with {"proposal_type": "greedy"}: every field at its default
//
// Exit codes: 0 success, 1 a bad config or an unknown method, 2 a plugin that failed to load.
#include "token_proposal.hpp"

#include <speculators/plugins.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using speculators::examples::TokenProposal;
using speculators::examples::TokenProposalConfig;

void list_proposals(std::ostream& out) {
  out << "available proposals:\n";
  const auto* registry = TokenProposal::registry();
  if (registry == nullptr) {
    out << "  (none found: are the plugins on SPECULATORS_PLUGIN_PATH?)\n";
    return;
  }
  for (auto cls : *registry) out << "  " << cls.name() << "  " << cls.description() << "  (" << cls.origin() << ")\n";
}

// The config the argument stands for: the contents of a .json file, or a method name.
// @throws std::runtime_error when the file cannot be read; nlohmann::json::parse_error
nlohmann::json config_json(const std::string& arg) {
  if (!arg.ends_with(".json")) return {{TokenProposalConfig::schema_discriminator, arg}};
  std::ifstream file(arg);
  if (!file) throw std::runtime_error("cannot read " + arg);
  return nlohmann::json::parse(file);
}

int run(const std::string& arg) {
  std::unique_ptr<TokenProposalConfig> config;
  try {
    config = TokenProposalConfig::from_json(config_json(arg));
  } catch (const speculators::ConfigError& e) {
    std::cerr << "speculators_demo: bad config " << arg << ":\n";
    for (const auto& problem : e.problems()) {
      std::cerr << "  " << (problem.pointer.empty() ? "(root)" : problem.pointer) << ": " << problem.message << '\n';
    }
    list_proposals(std::cerr);
    return 1;
  } catch (const nlohmann::json::exception& e) {
    std::cerr << "speculators_demo: " << arg << " is not JSON: " << e.what() << '\n';
    return 1;
  } catch (const std::runtime_error& e) {
    std::cerr << "speculators_demo: " << e.what() << '\n';
    return 1;
  }
  std::unique_ptr<TokenProposal> proposal;
  try {
    proposal = speculators::create_from_config<TokenProposal>(*config);
  } catch (const speculators::UnknownKeyError& e) {  // a config class without its method
    std::cerr << "speculators_demo: unknown proposal \"" << config->discriminator_value() << "\"\n" << e.what() << '\n';
    list_proposals(std::cerr);
    return 1;
  }
  const std::vector<int> context{101, 2023, 2003};
  const std::string_view name = config->discriminator_value();
  std::cout << "proposal: " << name << " (" << TokenProposal::find(name).origin() << ")\n";
  std::cout << "config: " << config->to_json().dump() << '\n';
  std::cout << "context:";
  for (int token : context) std::cout << ' ' << token;
  std::cout << "\nproposed:";
  for (int token : proposal->propose(context)) std::cout << ' ' << token;
  std::cout << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    // Discovery would run on the first lookup anyway; running it first makes a plugin that
    // fails to load an error of its own, before any config is looked at.
    TokenProposalConfig::auto_populate_registry();
    TokenProposal::auto_populate_registry();
    if (argc != 2) {
      std::cout << "usage: speculators_demo <config.json | proposal>\n";
      list_proposals(std::cout);
      return argc == 1 ? 0 : 1;
    }
    return run(argv[1]);
  } catch (const speculators::RegistryError& e) {
    // A plugin that failed to load.
    std::cerr << "speculators_demo: " << e.what() << '\n';
    return 2;
  }
}
