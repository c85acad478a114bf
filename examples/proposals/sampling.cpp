// Sampling proposal: draws each token from the candidates' softmax at a temperature, with a
// seeded generator so that a run can be replayed.
#include "token_proposal.hpp"

#include <cmath>
#include <random>

namespace speculators::examples {
namespace {

class SamplingProposal : public TokenProposal {
 public:
  explicit SamplingProposal(const ProposalArgs& args) : args_(args) {}

  std::vector<int> propose(std::span<const int> context) const override {
    std::mt19937_64 generator(args_.seed);
    std::vector<int> out;
    int last = context.empty() ? 0 : context.back();
    const int candidates = std::min(window, args_.vocabulary);
    std::vector<double> weights(static_cast<std::size_t>(candidates));
    for (std::size_t i = 0; i < args_.tokens; ++i) {
      for (int c = 0; c < candidates; ++c) {
        weights[static_cast<std::size_t>(c)] = std::exp(toy_score(last, c) / args_.temperature);
      }
      std::discrete_distribution<int> pick(weights.begin(), weights.end());
      last = pick(generator);
      out.push_back(last);
    }
    return out;
  }

 private:
  static constexpr int window = 64;
  ProposalArgs args_;
};

}  // namespace
}  // namespace speculators::examples

SPECULATORS_REGISTER(speculators::examples::TokenProposal, speculators::examples::SamplingProposal, "sampling",
                     "draws from the softmax of the scores (seeded)");
