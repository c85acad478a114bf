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
  for (auto cls : TokenProposal::registered_classes()) {
    out << "  " << cls.name() << "  " << cls.description() << "  (" << cls.origin() << ")\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
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
    } catch (const speculators::UnknownKeyError& e) {
      std::cerr << "speculators_demo: unknown proposal " << '"' << name << "\"\n" << e.what() << '\n';
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
    // A plugin that failed to load, or no plugin found at all.
    std::cerr << "speculators_demo: " << e.what() << '\n';
    return 2;
  }
}
