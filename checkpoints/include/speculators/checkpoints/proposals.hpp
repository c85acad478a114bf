// The token proposal methods of speculators checkpoints (speculators/proposals/*.py):
// `greedy`, the one current checkpoints carry, and `sampling`, `static_tree` and `dynamic_tree`
// of earlier ones. Included by <speculators/checkpoints.hpp>.
#pragma once

#include <speculators/checkpoints.hpp>

namespace speculators::checkpoints {

/// "greedy": one chain of `speculative_tokens` tokens, each accepted when it is within the
/// verifier's top `verifier_accept_k` and `accept_tolerance` of its top token.
struct GreedyTokenProposalConfig : ConfigOf<GreedyTokenProposalConfig, TokenProposalConfig> {
  int speculative_tokens = 5;
  int verifier_accept_k = 1;
  double accept_tolerance = 0.0;
  static constexpr auto fields =
      speculators::fields(field("speculative_tokens", &GreedyTokenProposalConfig::speculative_tokens,
                                "tokens the speculator proposes per verifier pass")
                              .minimum(1),
                          field("verifier_accept_k", &GreedyTokenProposalConfig::verifier_accept_k,
                                "the verifier's top-k a proposed token must fall within")
                              .minimum(1),
                          field("accept_tolerance", &GreedyTokenProposalConfig::accept_tolerance,
                                "largest log-likelihood distance from the verifier's top token that is accepted")
                              .minimum(0));
};

/// "sampling": one chain, each token accepted with the verifier's probability (times
/// `accept_lenience`) over the speculator's.
struct SamplingTokenProposalConfig : ConfigOf<SamplingTokenProposalConfig, TokenProposalConfig> {
  int speculative_tokens = 3;
  double accept_lenience = 1.0;
  static constexpr auto fields =
      speculators::fields(field("speculative_tokens", &SamplingTokenProposalConfig::speculative_tokens,
                                "tokens the speculator proposes per verifier pass")
                              .minimum(1),
                          field("accept_lenience", &SamplingTokenProposalConfig::accept_lenience,
                                "factor on the verifier's probability of a proposed token")
                              .minimum(0)
                              .maximum(1));
};

/// "static_tree": a tree of fixed branching and depth (EAGLE).
struct StaticTreeTokenProposalConfig : ConfigOf<StaticTreeTokenProposalConfig, TokenProposalConfig> {
  int initial_branching_factor = 4;
  int branching_factor = 2;
  int depth = 5;
  static constexpr auto fields = speculators::fields(
      field("initial_branching_factor", &StaticTreeTokenProposalConfig::initial_branching_factor,
            "branches at the first step")
          .minimum(1),
      field("branching_factor", &StaticTreeTokenProposalConfig::branching_factor, "branches at each later step")
          .minimum(1),
      field("depth", &StaticTreeTokenProposalConfig::depth, "levels of the tree").minimum(1));
};

/// "dynamic_tree": a tree grown from the most likely tokens, pruned to `speculative_tokens`
/// (EAGLE-2).
struct DynamicTreeTokenProposalConfig : ConfigOf<DynamicTreeTokenProposalConfig, TokenProposalConfig> {
  int speculative_tokens = 48;
  int expansion_factor = 10;
  int depth = 6;
  static constexpr auto fields = speculators::fields(
      field("speculative_tokens", &DynamicTreeTokenProposalConfig::speculative_tokens,
            "tokens the tree is pruned to for verification")
          .minimum(1),
      field("expansion_factor", &DynamicTreeTokenProposalConfig::expansion_factor, "branches grown at each step")
          .minimum(1),
      field("depth", &DynamicTreeTokenProposalConfig::depth, "levels of the tree").minimum(1));
};

}  // namespace speculators::checkpoints
