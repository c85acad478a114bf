// Greedy proposal: always the best-scoring candidate.
#include "token_proposal.hpp"

namespace speculators::examples {
namespace {

/// {"proposal_type": "greedy", "speculative_tokens": 5, "verifier_accept_k": 1}
struct GreedyConfig : ConfigOf<GreedyConfig, TokenProposalConfig> {
  int speculative_tokens = 5;
  int verifier_accept_k = 1;
  static constexpr auto fields = speculators::fields(
      field("speculative_tokens", &GreedyConfig::speculative_tokens, "tokens the speculator proposes per verifier pass")
          .minimum(1),
      field("verifier_accept_k", &GreedyConfig::verifier_accept_k,
            "the verifier's top-k the proposed token must fall within")
          .minimum(1));
};

class GreedyProposal : public TokenProposal {
 public:
  /// @throws std::bad_cast when `config` is not a GreedyConfig (create_from_config always passes one)
  // Not config_cast: it throws ConfigError, which lives in the registry library, and a plugin
  // has no link to it.
  explicit GreedyProposal(const TokenProposalConfig& config) : config_(dynamic_cast<const GreedyConfig&>(config)) {}

  std::vector<int> propose(std::span<const int> context) const override {
    std::vector<int> out;
    int last = context.empty() ? 0 : context.back();
    for (int i = 0; i < config_.speculative_tokens; ++i) {
      int best = 0;
      for (int candidate = 1; candidate < toy_candidates; ++candidate) {
        if (toy_score(last, candidate) > toy_score(last, best)) best = candidate;
      }
      out.push_back(best);
      last = best;
    }
    return out;
  }

 private:
  GreedyConfig config_;
};

}  // namespace
}  // namespace speculators::examples

SPECULATORS_REGISTER(speculators::examples::TokenProposalConfig, speculators::examples::GreedyConfig, "greedy",
                     "settings of the greedy proposal");
SPECULATORS_REGISTER(speculators::examples::TokenProposal, speculators::examples::GreedyProposal, "greedy",
                     "the most likely next token, every time");
