// Speculator checkpoints: the config.json of a checkpoint saved by the Python `speculators`
// library, read into typed structs, validated as Python validates it, and written back.
//
// A checkpoint's config.json is a SpeculatorModelConfig, dispatched on
// `speculators_model_type` ("eagle3", "dflash", "mtp", ...). It holds the model type's own
// fields and a `speculators_config`: the algorithm, the token proposal methods (each a
// TokenProposalConfig dispatched on `proposal_type`), the default one, and the verifier.
//
//   #include <speculators/checkpoints.hpp>
//   namespace ckpt = speculators::checkpoints;
//
//   std::unique_ptr<ckpt::SpeculatorModelConfig> config = ckpt::read_speculator_config("path/to/checkpoint");
//   const ckpt::SpeculatorsConfig& spec = config->speculators_config;
//   const ckpt::TokenProposalConfig& proposal = spec.default_proposal();
//   if (const auto* eagle3 = dynamic_cast<const ckpt::Eagle3Config*>(config.get()))
//     use(eagle3->draft_vocab_size, eagle3->transformer_layer_config.at("hidden_size"));
//   nlohmann::json back = config->to_json();  // the file's JSON value again, defaults added
//
// Nothing is lost: fields no class declares are kept verbatim at every level (pydantic's
// `extra="allow"`; real files carry `architectures`, `auto_map`, `dtype`, ...), and a
// `transformer_layer_config` is kept as the JSON object it is. A bad file throws one
// speculators::ConfigError listing every problem with its JSON pointer:
//
//   /speculators_config/proposal_methods/0/speculative_tokens: must be >= 1, got 0
//   /speculators_config/default_proposal_method: "nope" is not the proposal_type of any proposal method ("greedy")
//
// Model types and proposal types are config registries (see <speculators/config.hpp>):
// new ones come as plugins in the packages `speculators.models` and `speculators.proposals`,
// as in Python, and the same reading picks them up. The types this component declares are
// in <speculators/checkpoints/models.hpp> and <speculators/checkpoints/proposals.hpp>.
#pragma once

#include <speculators/config.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace speculators::checkpoints {

/// How a speculator proposes tokens to the verifier; dispatched on `proposal_type`.
struct TokenProposalConfig : ConfigRegistryMixin<TokenProposalConfig> {
  static constexpr std::string_view schema_discriminator = "proposal_type";
  static constexpr bool registry_auto_discovery = true;
  static constexpr std::string_view auto_package = "speculators.proposals";

  /// Fields no proposal class declares, as written.
  nlohmann::json::object_t extra_fields;
  static constexpr auto unknown_fields = keep_unknown_fields(&TokenProposalConfig::extra_fields);
};

/// The verifier a speculator was trained for.
struct VerifierConfig {
  std::optional<std::string> name_or_path;
  std::vector<std::string> architectures;
  nlohmann::json::object_t extra_fields;
  static constexpr auto unknown_fields = keep_unknown_fields(&VerifierConfig::extra_fields);
  static constexpr auto fields = speculators::fields(
      field("name_or_path", &VerifierConfig::name_or_path,
            "the verifier's Hugging Face id or path; null when not recorded")
          .required(),
      field("architectures", &VerifierConfig::architectures, "the verifier's architectures, from its config.json")
          .required());
};

/// What the speculator implements: the algorithm, its proposal methods and the verifier.
struct SpeculatorsConfig {
  std::string algorithm;
  std::vector<std::unique_ptr<TokenProposalConfig>> proposal_methods;
  std::string default_proposal_method;
  VerifierConfig verifier;
  nlohmann::json::object_t extra_fields;
  static constexpr auto unknown_fields = keep_unknown_fields(&SpeculatorsConfig::extra_fields);
  static constexpr auto fields = speculators::fields(
      field("algorithm", &SpeculatorsConfig::algorithm, "the speculative decoding algorithm, e.g. eagle3").required(),
      field("proposal_methods", &SpeculatorsConfig::proposal_methods,
            "the token proposal methods the speculator supports")
          .required()
          .min_items(1),
      field("default_proposal_method", &SpeculatorsConfig::default_proposal_method,
            "the proposal_type of the proposal method used when none is asked for")
          .required(),
      field("verifier", &SpeculatorsConfig::verifier, "the verifier the speculator was trained for").required());

  /// The proposal method named by default_proposal_method (from_json checked that there is one).
  /// @throws ConfigError when there is none (a config built in code and never checked)
  const TokenProposalConfig& default_proposal() const;

  void validate(ConfigChecks& checks) const;
};

/// The config.json of a speculator checkpoint; dispatched on `speculators_model_type`.
struct SpeculatorModelConfig : ConfigRegistryMixin<SpeculatorModelConfig> {
  static constexpr std::string_view schema_discriminator = "speculators_model_type";
  static constexpr bool registry_auto_discovery = true;
  static constexpr std::string_view auto_package = "speculators.models";

  std::string speculators_version;
  SpeculatorsConfig speculators_config;
  /// Top-level fields no model class declares (architectures, auto_map, dtype, ...), as written.
  nlohmann::json::object_t extra_fields;
  static constexpr auto unknown_fields = keep_unknown_fields(&SpeculatorModelConfig::extra_fields);
  static constexpr auto fields =
      speculators::fields(field("speculators_version", &SpeculatorModelConfig::speculators_version,
                                "the version of the speculators library that wrote the checkpoint"),
                          field("speculators_config", &SpeculatorModelConfig::speculators_config,
                                "the algorithm, token proposal methods and verifier of the speculator")
                              .required());
};

/// Reads and validates a speculators config.json: `config` parsed, or a path to the file or
/// to the checkpoint directory holding it.
/// @throws ConfigError listing every problem; a config that is not in speculators format (a
///         plain Hugging Face model config) is refused with a sentence saying what it lacks,
///         and a file that cannot be read or is not JSON with the reason
/// @throws PluginLoadError when a plugin of speculators.models or speculators.proposals failed
/// Example: `auto config = speculators::checkpoints::read_speculator_config("ckpt/");`
std::unique_ptr<SpeculatorModelConfig> parse_speculator_config(const nlohmann::json& config);
std::unique_ptr<SpeculatorModelConfig> read_speculator_config(const std::filesystem::path& path);

}  // namespace speculators::checkpoints

#include <speculators/checkpoints/models.hpp>
#include <speculators/checkpoints/proposals.hpp>

// ===========================================================================
// Implementation details. Nothing below is part of the public API.
// ===========================================================================

namespace speculators::checkpoints {

// Inline, so that model classes in plugins check their configs without linking this library.
inline void SpeculatorsConfig::validate(ConfigChecks& checks) const {
  std::string types;
  for (std::size_t i = 0; i < proposal_methods.size(); ++i) {
    if (!proposal_methods[i]) {
      checks.problem("/proposal_methods/" + std::to_string(i), "expected a proposal method, got null");
      return;
    }
    const std::string_view type = checks.discriminator_of(*proposal_methods[i]);
    if (type == default_proposal_method) return;
    types += (types.empty() ? "\"" : ", \"") + std::string(type) + '"';
  }
  checks.problem("/default_proposal_method", nlohmann::json(default_proposal_method).dump() +
                                                 " is not the proposal_type of any proposal method (" + types + ")");
}

}  // namespace speculators::checkpoints
