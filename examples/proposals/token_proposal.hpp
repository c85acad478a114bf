// TokenProposal: the base of the example plugins. A token proposal method looks at the
// tokens so far and proposes the next few (the draft that a speculative decoder verifies).
//
// Each method comes with a config class: a JSON config names the method in "proposal_type"
// and sets its fields; the method is built from that config. Methods and their configs live
// in plugins of package "speculators.proposals" and are found at run time; a program only
// includes this header:
//
//   auto config = speculators::examples::TokenProposalConfig::from_json(
//       {{"proposal_type", "greedy"}, {"speculative_tokens", 4}});
//   auto proposal = speculators::create_from_config<speculators::examples::TokenProposal>(*config);
//   std::vector<int> draft = proposal->propose(context);
#pragma once

#include <speculators/config.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace speculators::examples {

/// The config of a token proposal method; "proposal_type" names the method. Each method's
/// config class (GreedyConfig, SamplingConfig, ...) is registered in its plugin.
struct TokenProposalConfig : ConfigRegistryMixin<TokenProposalConfig> {
  static constexpr std::string_view schema_discriminator = "proposal_type";
  static constexpr bool registry_auto_discovery = true;
  static constexpr std::string_view auto_package = "speculators.proposals";
};

/// A token proposal method, discovered from package speculators.proposals and built from the
/// config registered under the same key.
struct TokenProposal : AutoClassRegistryMixin<TokenProposal, const TokenProposalConfig&> {
  static constexpr std::string_view auto_package = "speculators.proposals";
  virtual ~TokenProposal() = default;

  /// Proposes the tokens that follow `context` (token ids): as many as the config's
  /// speculative_tokens, fewer when the method stops early.
  virtual std::vector<int> propose(std::span<const int> context) const = 0;
};

/// A stand-in for a draft model, shared by the example plugins: the score of each candidate
/// next token after `last`. Deterministic, so that the demo's output can be checked.
inline double toy_score(int last, int candidate) {
  const auto mixed = static_cast<std::uint32_t>(last) * 2654435761U ^ static_cast<std::uint32_t>(candidate) * 40503U;
  return static_cast<double>(mixed % 1000U) / 1000.0;
}

/// The candidates the toy model scores at each step: token ids [0, toy_candidates). A real
/// drafter scores its own top-k.
inline constexpr int toy_candidates = 64;

/// The text of a toy token: "</s>" for id 0 (the end of a sequence), "t<id>" otherwise.
inline std::string toy_token_text(int id) {
  if (id == 0) return "</s>";
  // Appended rather than "t" + std::to_string(id): GCC 12 at -O3 warns falsely on the
  // inlined insert of the latter (-Wrestrict).
  std::string text = "t";
  text += std::to_string(id);
  return text;
}

}  // namespace speculators::examples
