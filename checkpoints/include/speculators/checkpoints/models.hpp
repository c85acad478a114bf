// The model types of speculators checkpoints (speculators/models/): `eagle3`, `peagle`
// (extends eagle3), `dflash`, `dspark` (extends dflash) and `mtp` of the current release, and
// `eagle`, `independent` and `mlp` that published checkpoints still use. Each
// `transformer_layer_config` is a whole transformers config, kept as the JSON object it is.
// Included by <speculators/checkpoints.hpp>.
#pragma once

#include <speculators/checkpoints.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

namespace speculators::checkpoints {

/// "eagle3": EAGLE-3, a draft layer fed with auxiliary hidden states of the verifier.
struct Eagle3Config : ConfigOf<Eagle3Config, SpeculatorModelConfig> {
  nlohmann::json::object_t transformer_layer_config;
  int draft_vocab_size = 32000;
  bool norm_before_residual = false;
  std::optional<int> target_hidden_size;
  std::optional<std::vector<int>> eagle_aux_hidden_state_layer_ids;
  bool norm_before_fc = false;
  bool fc_norm = false;
  bool norm_output = false;
  bool embed_requires_grad = false;
  static constexpr auto fields = speculators::fields(
      field("transformer_layer_config", &Eagle3Config::transformer_layer_config,
            "the transformers config of the draft decoder layer"),
      field("draft_vocab_size", &Eagle3Config::draft_vocab_size, "size of the draft vocabulary").minimum(1),
      field("norm_before_residual", &Eagle3Config::norm_before_residual, "apply hidden_norm before the residual"),
      field("target_hidden_size", &Eagle3Config::target_hidden_size,
            "hidden size of the verifier when it differs from the draft's"),
      field("eagle_aux_hidden_state_layer_ids", &Eagle3Config::eagle_aux_hidden_state_layer_ids,
            "verifier layers whose hidden states feed the draft; null for the three-layer default"),
      field("norm_before_fc", &Eagle3Config::norm_before_fc,
            "one RMSNorm over the concatenated auxiliary hidden states before the FC projection"),
      field("fc_norm", &Eagle3Config::fc_norm, "an RMSNorm per auxiliary hidden state before concatenation"),
      field("norm_output", &Eagle3Config::norm_output, "feed post-norm hidden states back across steps"),
      field("embed_requires_grad", &Eagle3Config::embed_requires_grad, "train the embedding weights"));

  void validate(ConfigChecks& checks) const {
    if (norm_before_fc && fc_norm) checks.problem("/fc_norm", "cannot be true together with norm_before_fc");
    if (!eagle_aux_hidden_state_layer_ids) return;
    const std::vector<int>& ids = *eagle_aux_hidden_state_layer_ids;
    if (ids.empty()) {
      checks.problem("/eagle_aux_hidden_state_layer_ids",
                     "must be null (the three-layer default) or name at least one layer");
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const std::string at = "/eagle_aux_hidden_state_layer_ids/" + std::to_string(i);
      if (ids[i] < 1) checks.problem(at, "must be a layer id >= 1, got " + std::to_string(ids[i]));
      if (std::find(ids.begin(), ids.end(), ids[i]) != ids.begin() + static_cast<std::ptrdiff_t>(i))
        checks.problem(at, "layer " + std::to_string(ids[i]) + " is listed twice");
    }
  }
};

/// "peagle": P-EAGLE, EAGLE-3 predicting several tokens in parallel groups.
struct PEagleConfig : ConfigOf<PEagleConfig, Eagle3Config> {
  PEagleConfig() { embed_requires_grad = true; }  // P-EAGLE trains its embeddings
  int para_depths = 8;
  double down_sample_ratio = 0.7;
  double down_sample_ratio_min = 0.1;
  int ptd_token_id = 0;
  int max_seq_len = 2048;
  double prediction_loss_weight = 1.0;
  static constexpr auto fields = speculators::fields(
      field("para_depths", &PEagleConfig::para_depths, "parallel prediction groups").minimum(1).maximum(16),
      field("down_sample_ratio", &PEagleConfig::down_sample_ratio,
            "geometric decay ratio of COD sampling, strictly between 0 and 1")
          .minimum(0)
          .maximum(1),
      field("down_sample_ratio_min", &PEagleConfig::down_sample_ratio_min,
            "floor of the retention ratio, above 0 and at most 1")
          .minimum(0)
          .maximum(1),
      field("ptd_token_id", &PEagleConfig::ptd_token_id, "token id padding unused positions of parallel groups"),
      field("max_seq_len", &PEagleConfig::max_seq_len, "longest sequence of the attention mask")
          .minimum(128)
          .maximum(8192),
      field("prediction_loss_weight", &PEagleConfig::prediction_loss_weight, "weight of the prediction loss, above 0")
          .minimum(0));

  // The bounds Python states as strict (gt, lt); JSON Schema's minimum and maximum are not.
  void validate(ConfigChecks& checks) const {
    if (down_sample_ratio == 0.0 || down_sample_ratio == 1.0)
      checks.problem("/down_sample_ratio", "must be > 0 and < 1, got " + nlohmann::json(down_sample_ratio).dump());
    if (down_sample_ratio_min == 0.0)
      checks.problem("/down_sample_ratio_min", "must be > 0, got " + nlohmann::json(down_sample_ratio_min).dump());
    if (prediction_loss_weight == 0.0)
      checks.problem("/prediction_loss_weight", "must be > 0, got " + nlohmann::json(prediction_loss_weight).dump());
  }
};

/// "dflash": DFlash, a block of draft tokens per forward pass.
struct DFlashConfig : ConfigOf<DFlashConfig, SpeculatorModelConfig> {
  nlohmann::json::object_t transformer_layer_config;
  int draft_vocab_size = 32000;
  int block_size = 8;
  std::optional<int> target_hidden_size;
  std::optional<std::vector<int>> aux_hidden_state_layer_ids;
  std::optional<int> mask_token_id;
  static constexpr auto fields = speculators::fields(
      field("transformer_layer_config", &DFlashConfig::transformer_layer_config,
            "the transformers config of the draft decoder layers"),
      field("draft_vocab_size", &DFlashConfig::draft_vocab_size, "size of the draft vocabulary").minimum(1),
      field("block_size", &DFlashConfig::block_size, "draft tokens predicted per forward pass").minimum(1),
      field("target_hidden_size", &DFlashConfig::target_hidden_size,
            "hidden size of the verifier when it differs from the draft's"),
      field("aux_hidden_state_layer_ids", &DFlashConfig::aux_hidden_state_layer_ids,
            "verifier layers whose hidden states feed the draft"),
      field("mask_token_id", &DFlashConfig::mask_token_id, "token id of masked block positions"));
};

enum class MarkovHeadType { vanilla, gated, rnn };
constexpr auto config_enum_names(MarkovHeadType) {
  return std::array{std::pair{MarkovHeadType::vanilla, "vanilla"}, std::pair{MarkovHeadType::gated, "gated"},
                    std::pair{MarkovHeadType::rnn, "rnn"}};
}

/// "dspark": DFlash with a Markov logit-bias head and a confidence head.
struct DSparkConfig : ConfigOf<DSparkConfig, DFlashConfig> {
  bool sample_from_anchor = true;
  int markov_rank = 256;
  MarkovHeadType markov_head_type = MarkovHeadType::vanilla;
  bool enable_confidence_head = true;
  bool confidence_head_with_markov = true;
  static constexpr auto fields = speculators::fields(
      field("sample_from_anchor", &DSparkConfig::sample_from_anchor, "sample from the anchor position too"),
      field("markov_rank", &DSparkConfig::markov_rank, "rank of the Markov logit bias; 0 turns the head off")
          .minimum(0),
      field("markov_head_type", &DSparkConfig::markov_head_type, "the sequential head's variant"),
      field("enable_confidence_head", &DSparkConfig::enable_confidence_head, "attach the acceptance-probability head"),
      field("confidence_head_with_markov", &DSparkConfig::confidence_head_with_markov,
            "feed the Markov embedding to the confidence head"));
};

/// "mtp": multi-token prediction, one MTP layer on the verifier's hidden states.
struct MTPConfig : ConfigOf<MTPConfig, SpeculatorModelConfig> {
  nlohmann::json::object_t transformer_layer_config;
  int num_nextn_predict_layers = 1;
  double step_weight_beta = 0.6;
  static constexpr auto fields = speculators::fields(
      field("transformer_layer_config", &MTPConfig::transformer_layer_config,
            "the transformers config of the MTP layer's architecture"),
      field("num_nextn_predict_layers", &MTPConfig::num_nextn_predict_layers,
            "MTP prediction heads in the checkpoint; only 1 is supported"),
      field("step_weight_beta", &MTPConfig::step_weight_beta, "decay of the per-step loss weights"));

  void validate(ConfigChecks& checks) const {
    if (num_nextn_predict_layers != 1)
      checks.problem("/num_nextn_predict_layers",
                     "MTP supports 1 layer, got " + std::to_string(num_nextn_predict_layers));
  }
};

/// "eagle": EAGLE-1, EAGLE-2 and HASS.
struct EagleConfig : ConfigOf<EagleConfig, SpeculatorModelConfig> {
  std::string transformer_layer_architecture = "auto";
  nlohmann::json::object_t transformer_layer_config;
  bool layernorms = false;
  bool fusion_bias = false;
  static constexpr auto fields =
      speculators::fields(field("transformer_layer_architecture", &EagleConfig::transformer_layer_architecture,
                                "class name of the draft decoder layer, or auto"),
                          field("transformer_layer_config", &EagleConfig::transformer_layer_config,
                                "the transformers config of the draft decoder layer"),
                          field("layernorms", &EagleConfig::layernorms, "add the extra layer norms (HASS)"),
                          field("fusion_bias", &EagleConfig::fusion_bias, "a bias on the fusion layer (HASS)"));
};

/// "independent": a whole draft model; its transformers config is the file's other fields.
struct IndependentConfig : ConfigOf<IndependentConfig, SpeculatorModelConfig> {
  static constexpr auto fields = speculators::fields();
};

/// "mlp": the MLP speculator.
struct MLPConfig : ConfigOf<MLPConfig, SpeculatorModelConfig> {
  std::string dtype = "bfloat16";
  std::vector<std::string> inputs{"input_embeddings", "hidden_states[-1]"};
  bool inputs_hidden_states_normalized = false;
  int hidden_size = 4096;
  int intermediate_size = 4096;
  int vocab_size = 128256;
  int num_layers = 5;
  bool tie_weights = true;
  static constexpr auto fields = speculators::fields(
      field("dtype", &MLPConfig::dtype, "dtype of the weights, e.g. bfloat16"),
      field("inputs", &MLPConfig::inputs, "the verifier's outputs the speculator reads"),
      field("inputs_hidden_states_normalized", &MLPConfig::inputs_hidden_states_normalized,
            "read hidden states after the layer norm"),
      field("hidden_size", &MLPConfig::hidden_size, "the verifier's hidden size").minimum(1),
      field("intermediate_size", &MLPConfig::intermediate_size, "the MLP's intermediate size").minimum(1),
      field("vocab_size", &MLPConfig::vocab_size, "vocabulary predicted").minimum(1),
      field("num_layers", &MLPConfig::num_layers, "layers, one per predicted token").minimum(1),
      field("tie_weights", &MLPConfig::tie_weights, "share weights across layers"));
};

}  // namespace speculators::checkpoints
