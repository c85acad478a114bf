// Config classes shared by the config tests, the schema dump program and the test plugin.
// The token proposal configs mirror the example plugins' (examples/configs/*.json).
#pragma once

#include <speculators/config.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cfgtest {

enum class TieBreak { lowest_id, random };
constexpr auto config_enum_names(TieBreak) {
  return std::array{std::pair{TieBreak::lowest_id, "lowest_id"}, std::pair{TieBreak::random, "random"}};
}

struct TokenProposalConfig : speculators::ConfigRegistryMixin<TokenProposalConfig> {
  static constexpr std::string_view schema_discriminator = "proposal_type";
  static constexpr bool registry_auto_discovery = true;
  static constexpr std::string_view auto_package = "cfgtest.proposals";
};

struct GreedyTokenProposalConfig : speculators::ConfigOf<GreedyTokenProposalConfig, TokenProposalConfig> {
  int speculative_tokens = 5;
  int verifier_accept_k = 1;
  static constexpr auto fields =
      speculators::fields(speculators::field("speculative_tokens", &GreedyTokenProposalConfig::speculative_tokens,
                                             "tokens the speculator proposes per verifier pass")
                              .minimum(1),
                          speculators::field("verifier_accept_k", &GreedyTokenProposalConfig::verifier_accept_k,
                                             "the verifier's top-k the proposed token must fall within")
                              .minimum(1));
};

struct SamplingTokenProposalConfig : speculators::ConfigOf<SamplingTokenProposalConfig, TokenProposalConfig> {
  int speculative_tokens = 5;
  double temperature = 1.0;
  double top_p = 1.0;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> stop_tokens;
  TieBreak tie_break = TieBreak::lowest_id;
  static constexpr auto fields = speculators::fields(
      speculators::field("speculative_tokens", &SamplingTokenProposalConfig::speculative_tokens,
                         "tokens the speculator proposes per verifier pass")
          .minimum(1),
      speculators::field("temperature", &SamplingTokenProposalConfig::temperature, "softmax temperature").minimum(0),
      speculators::field("top_p", &SamplingTokenProposalConfig::top_p, "nucleus probability mass")
          .minimum(0)
          .maximum(1),
      speculators::field("seed", &SamplingTokenProposalConfig::seed, "random seed; null draws one"),
      speculators::field("stop_tokens", &SamplingTokenProposalConfig::stop_tokens, "tokens that end a proposal")
          .min_length(1)
          .max_items(8),
      speculators::field("tie_break", &SamplingTokenProposalConfig::tie_break, "how equal scores are ordered"));
};

// Inherits every field of SamplingTokenProposalConfig and adds one.
struct TopKSamplingConfig : speculators::ConfigOf<TopKSamplingConfig, SamplingTokenProposalConfig> {
  int top_k = 50;
  static constexpr auto fields = speculators::fields(
      speculators::field("top_k", &TopKSamplingConfig::top_k, "candidates kept before sampling").minimum(1));
};

// A plain nested struct with its own fields.
struct DraftModel {
  std::string path = "draft.bin";
  std::uint8_t layers = 1;
  static constexpr auto fields =
      speculators::fields(speculators::field("path", &DraftModel::path, "weights file").min_length(1),
                          speculators::field("layers", &DraftModel::layers, "decoder layers").minimum(1));
};

// A second registry whose base declares a field every class has, and whose configs nest
// token proposal configs and (ChainConfig) configs of the same registry.
struct SpeculatorConfig : speculators::ConfigRegistryMixin<SpeculatorConfig> {
  static constexpr std::string_view schema_discriminator = "speculators_model_type";
  std::string label;
  static constexpr auto fields =
      speculators::fields(speculators::field("label", &SpeculatorConfig::label, "free text shown in listings"));
};

struct EagleConfig : speculators::ConfigOf<EagleConfig, SpeculatorConfig> {
  std::unique_ptr<TokenProposalConfig> proposal = std::make_unique<GreedyTokenProposalConfig>();
  std::vector<std::unique_ptr<TokenProposalConfig>> fallbacks;
  DraftModel draft;
  std::optional<DraftModel> verifier_draft;
  bool fused = false;
  std::int64_t max_batch = 64;
  std::vector<std::int8_t> offsets{-1, 1};
  float scale = 0.5F;
  static constexpr auto fields = speculators::fields(
      speculators::field("proposal", &EagleConfig::proposal, "how tokens are proposed"),
      speculators::field("fallbacks", &EagleConfig::fallbacks, "tried in order when the proposal fails"),
      speculators::field("draft", &EagleConfig::draft, "the draft model"),
      speculators::field("verifier_draft", &EagleConfig::verifier_draft, "a second draft model, if any"),
      speculators::field("fused", &EagleConfig::fused, "fuse the draft into the verifier"),
      speculators::field("max_batch", &EagleConfig::max_batch, "largest batch").minimum(1),
      speculators::field("offsets", &EagleConfig::offsets, "position offsets").min_items(1),
      speculators::field("scale", &EagleConfig::scale, "logit scale").minimum(0).maximum(2));
};

struct ChainConfig : speculators::ConfigOf<ChainConfig, SpeculatorConfig> {
  std::unique_ptr<SpeculatorConfig> next;
  static constexpr auto fields =
      speculators::fields(speculators::field("next", &ChainConfig::next, "the speculator after this one"));
};

// A plain struct that drops the fields it does not know.
struct LenientPart {
  int size = 1;
  static constexpr auto unknown_fields = speculators::UnknownFields::ignore;
  static constexpr auto fields = speculators::fields(speculators::field("size", &LenientPart::size, "a size"));
};

// A registry whose classes keep the fields they do not know, have a required field, raw JSON
// fields and cross-field checks, as checkpoint configs do.
struct LayerConfig : speculators::ConfigRegistryMixin<LayerConfig> {
  static constexpr std::string_view schema_discriminator = "layer_type";
  std::string name;
  nlohmann::json::object_t extra;
  static constexpr auto unknown_fields = speculators::keep_unknown_fields(&LayerConfig::extra);
  static constexpr auto fields =
      speculators::fields(speculators::field("name", &LayerConfig::name, "the layer's name").required());
};

struct RangeLayerConfig : speculators::ConfigOf<RangeLayerConfig, LayerConfig> {
  int low = 0;
  int high = 10;
  nlohmann::json raw;
  nlohmann::json::object_t settings;
  LenientPart part;
  static constexpr auto fields = speculators::fields(
      speculators::field("low", &RangeLayerConfig::low, "lower end"),
      speculators::field("high", &RangeLayerConfig::high, "upper end"),
      speculators::field("raw", &RangeLayerConfig::raw, "any JSON value, kept as written"),
      speculators::field("settings", &RangeLayerConfig::settings, "any JSON object, kept as written"),
      speculators::field("part", &RangeLayerConfig::part, "a part that ignores unknown fields"));
  void validate(speculators::ConfigChecks& checks) const {
    if (low > high)
      checks.problem("/low", "must be <= high (" + std::to_string(high) + "), got " + std::to_string(low));
  }
};

// Its check runs after its parent's.
struct NarrowLayerConfig : speculators::ConfigOf<NarrowLayerConfig, RangeLayerConfig> {
  int width = 5;
  static constexpr auto fields =
      speculators::fields(speculators::field("width", &NarrowLayerConfig::width, "largest high - low"));
  void validate(speculators::ConfigChecks& checks) const {
    if (high - low > width) checks.problem("", "high - low must be <= width (" + std::to_string(width) + ")");
  }
};

}  // namespace cfgtest
