// speculators_demo: picks a token proposal method by name at run time. The methods are
// plugins of package speculators.proposals; this program does not link them, it finds them
// on the plugin search path the first time it asks the registry.
//
//   speculators_demo            lists the methods found
//   speculators_demo greedy     runs one of them on a fixed context
#include "token_proposal.hpp"

#include <speculators/plugins.hpp>

#include <iostream>
#include <string>

namespace {

using speculators::examples::ProposalArgs;
using speculators::examples::TokenProposal;

void list_proposals(std::ostream& out) {
  out << "available proposals:\n";
  const auto* registry = TokenProposal::registry();
  if (registry == nullptr) {
    out << "  (none found: are the plugins on SPECULATORS_PLUGIN_PATH?)\n";
    return;
  }
  for (auto cls : *registry) out << "  " << cls.name() << "  " << cls.description() << "  (" << cls.origin() << ")\n";
}

}  // namespace

int main(int argc, char** argv) {
  try {
    // Discovery would run on the first lookup anyway; running it first makes a plugin that
    // fails to load an error of its own, before any name is looked at.
    TokenProposal::auto_populate_registry();
    if (argc != 2) {
      std::cout << "usage: speculators_demo <proposal>\n";
      list_proposals(std::cout);
      return argc == 1 ? 0 : 1;
    }
    const std::string name = argv[1];
    const ProposalArgs args{.tokens = 5, .vocabulary = 32000, .seed = 7, .temperature = 0.5};
    std::unique_ptr<TokenProposal> proposal;
    try {
      proposal = TokenProposal::create(name, args);
    } catch (const speculators::UnknownKeyError& e) {  // says which names are close
      std::cerr << "speculators_demo: unknown proposal \"" << name << "\"\n" << e.what() << '\n';
      list_proposals(std::cerr);
      return 1;
    }
    const std::vector<int> context{101, 2023, 2003};
    std::cout << "proposal: " << name << " (" << TokenProposal::find(name).origin() << ")\n";
    std::cout << "context:";
    for (int token : context) std::cout << ' ' << token;
    std::cout << "\nproposed:";
    for (int token : proposal->propose(context)) std::cout << ' ' << token;
    std::cout << '\n';
    return 0;
  } catch (const speculators::RegistryError& e) {
    // A plugin that failed to load.
    std::cerr << "speculators_demo: " << e.what() << '\n';
    return 2;
  }
}
