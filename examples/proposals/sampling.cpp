// Sampling proposal: draws each token from the candidates' softmax at a temperature, keeping
// the nucleus of top_p probability mass, with a seeded generator so that a run can be replayed.
#include "token_proposal.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <random>
#include <utility>

namespace speculators::examples {
namespace {

/// How candidates of equal probability are ordered when the nucleus is cut.
enum class TieBreak { lowest_id, highest_id };
constexpr auto config_enum_names(TieBreak) {
  return std::array{std::pair{TieBreak::lowest_id, "lowest_id"}, std::pair{TieBreak::highest_id, "highest_id"}};
}

/// {"proposal_type": "sampling", "speculative_tokens": 4, "temperature": 0.7, "top_p": 0.95,
///  "seed": 1234, "stop_tokens": ["</s>"], "tie_break": "lowest_id"}
struct SamplingConfig : ConfigOf<SamplingConfig, TokenProposalConfig> {
  int speculative_tokens = 5;
  double temperature = 1.0;
  double top_p = 1.0;
  std::uint64_t seed = 0;
  std::vector<std::string> stop_tokens;
  TieBreak tie_break = TieBreak::lowest_id;
  static constexpr auto fields = speculators::fields(
      field("speculative_tokens", &SamplingConfig::speculative_tokens,
            "tokens the speculator proposes per verifier pass")
          .minimum(1),
      field("temperature", &SamplingConfig::temperature, "softmax temperature; 0 takes the best candidate").minimum(0),
      field("top_p", &SamplingConfig::top_p, "probability mass of the candidates kept (nucleus)").minimum(0).maximum(1),
      field("seed", &SamplingConfig::seed, "seed of the random generator; a seed replays a run"),
      field("stop_tokens", &SamplingConfig::stop_tokens, "token texts that end a proposal, e.g. \"</s>\"")
          .min_length(1),
      field("tie_break", &SamplingConfig::tie_break, "which of equally likely candidates the nucleus keeps first"));
};

class SamplingProposal : public TokenProposal {
 public:
  /// @throws std::bad_cast when `config` is not a SamplingConfig (create_from_config always passes one)
  // Not config_cast: it throws ConfigError, which lives in the registry library, and a plugin
  // has no link to it.
  explicit SamplingProposal(const TokenProposalConfig& config) : config_(dynamic_cast<const SamplingConfig&>(config)) {}

  std::vector<int> propose(std::span<const int> context) const override {
    std::mt19937_64 generator(config_.seed);
    std::vector<int> out;
    int last = context.empty() ? 0 : context.back();
    for (int i = 0; i < config_.speculative_tokens; ++i) {
      const std::vector<Candidate> nucleus = nucleus_after(last);
      std::vector<double> weights;
      for (const Candidate& c : nucleus) weights.push_back(c.probability);
      std::discrete_distribution<std::size_t> pick(weights.begin(), weights.end());
      last = nucleus[pick(generator)].id;
      out.push_back(last);
      if (is_stop(last)) break;
    }
    return out;
  }

 private:
  struct Candidate {
    int id;
    double probability;
  };

  // The most likely candidates after `last` whose probability adds up to top_p (at least one).
  std::vector<Candidate> nucleus_after(int last) const {
    std::vector<Candidate> candidates;
    for (int id = 0; id < toy_candidates; ++id) candidates.push_back({id, toy_score(last, id)});
    const bool low_first = config_.tie_break == TieBreak::lowest_id;
    std::sort(candidates.begin(), candidates.end(), [low_first](const Candidate& a, const Candidate& b) {
      if (a.probability != b.probability) return a.probability > b.probability;
      return low_first ? a.id < b.id : a.id > b.id;
    });
    // Temperature 0 is the limit of the softmax: all mass on the best candidate.
    if (config_.temperature == 0.0) return {candidates.front()};
    const double best = candidates.front().probability;
    double total = 0.0;
    for (Candidate& c : candidates) {
      c.probability = std::exp((c.probability - best) / config_.temperature);  // shifted: no overflow
      total += c.probability;
    }
    double kept = 0.0;
    std::size_t size = 0;
    while (size < candidates.size() && (size == 0 || kept < config_.top_p)) {
      candidates[size].probability /= total;
      kept += candidates[size++].probability;
    }
    candidates.resize(size);
    return candidates;
  }

  bool is_stop(int token) const {
    const std::string text = toy_token_text(token);
    return std::find(config_.stop_tokens.begin(), config_.stop_tokens.end(), text) != config_.stop_tokens.end();
  }

  SamplingConfig config_;
};

}  // namespace
}  // namespace speculators::examples

SPECULATORS_REGISTER(speculators::examples::TokenProposalConfig, speculators::examples::SamplingConfig, "sampling",
                     "settings of the sampling proposal");
SPECULATORS_REGISTER(speculators::examples::TokenProposal, speculators::examples::SamplingProposal, "sampling",
                     "draws from the softmax of the scores within the top_p nucleus (seeded)");
