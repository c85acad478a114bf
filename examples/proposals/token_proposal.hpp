// TokenProposal: the base of the example plugins. A token proposal method looks at the
// tokens so far and proposes the next few (the draft that a speculative decoder verifies).
//
// Implementations live in plugins of package "speculators.proposals" and are found at run
// time; a program only includes this header:
//
//   speculators::examples::ProposalArgs args{.tokens = 4};
//   auto proposal = speculators::examples::TokenProposal::create("greedy", args);
//   std::vector<int> draft = proposal->propose(context);
#pragma once

#include <speculators/registry.hpp>

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace speculators::examples {

/// What every proposal method is built from.
struct ProposalArgs {
  std::size_t tokens = 4;    ///< how many tokens to propose
  int vocabulary = 32000;    ///< token ids are in [0, vocabulary)
  std::uint64_t seed = 0;    ///< for methods that sample
  double temperature = 1.0;  ///< for methods that sample
};

/// A token proposal method, discovered from package speculators.proposals.
struct TokenProposal : AutoClassRegistryMixin<TokenProposal, const ProposalArgs&> {
  static constexpr std::string_view auto_package = "speculators.proposals";
  virtual ~TokenProposal() = default;

  /// Proposes the tokens that follow `context` (token ids); as many as ProposalArgs::tokens.
  virtual std::vector<int> propose(std::span<const int> context) const = 0;
};

/// A stand-in for a draft model, shared by the example plugins: the scores of each candidate
/// next token after `last`. Deterministic, so that the demo's output can be checked.
inline double toy_score(int last, int candidate) {
  const auto mixed = static_cast<std::uint32_t>(last) * 2654435761U ^ static_cast<std::uint32_t>(candidate) * 40503U;
  return static_cast<double>(mixed % 1000U) / 1000.0;
}

}  // namespace speculators::examples
