// Greedy proposal: always the best-scoring candidate, among a small window of token ids.
#include "token_proposal.hpp"

namespace speculators::examples {
namespace {

class GreedyProposal : public TokenProposal {
 public:
  explicit GreedyProposal(const ProposalArgs& args) : args_(args) {}

  std::vector<int> propose(std::span<const int> context) const override {
    std::vector<int> out;
    int last = context.empty() ? 0 : context.back();
    for (std::size_t i = 0; i < args_.tokens; ++i) {
      int best = 0;
      for (int candidate = 0; candidate < window && candidate < args_.vocabulary; ++candidate) {
        if (toy_score(last, candidate) > toy_score(last, best)) best = candidate;
      }
      out.push_back(best);
      last = best;
    }
    return out;
  }

 private:
  static constexpr int window = 64;  // candidates scored per step; a real drafter scores its top-k
  ProposalArgs args_;
};

}  // namespace
}  // namespace speculators::examples

SPECULATORS_REGISTER(speculators::examples::TokenProposal, speculators::examples::GreedyProposal, "greedy",
                     "the most likely next token, every time");
