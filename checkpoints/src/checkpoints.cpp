// The speculators checkpoint formats: their registrations and reading config.json.
#include <speculators/checkpoints.hpp>

#include <filesystem>
#include <system_error>

namespace speculators::checkpoints {

SPECULATORS_REGISTER(TokenProposalConfig, GreedyTokenProposalConfig, "greedy",
                     "one chain of tokens, accepted while within the verifier's top k");
SPECULATORS_REGISTER(TokenProposalConfig, SamplingTokenProposalConfig, "sampling",
                     "one chain of tokens, accepted by rejection sampling");
SPECULATORS_REGISTER(TokenProposalConfig, StaticTreeTokenProposalConfig, "static_tree",
                     "a tree of fixed branching and depth (EAGLE)");
SPECULATORS_REGISTER(TokenProposalConfig, DynamicTreeTokenProposalConfig, "dynamic_tree",
                     "a tree grown from the likeliest tokens, then pruned (EAGLE-2)");

SPECULATORS_REGISTER(SpeculatorModelConfig, Eagle3Config, "eagle3", "EAGLE-3");
SPECULATORS_REGISTER(SpeculatorModelConfig, PEagleConfig, "peagle", "P-EAGLE: EAGLE-3 with parallel groups");
SPECULATORS_REGISTER(SpeculatorModelConfig, DFlashConfig, "dflash", "DFlash: a block of tokens per pass");
SPECULATORS_REGISTER(SpeculatorModelConfig, DSparkConfig, "dspark", "DSpark: DFlash with Markov and confidence heads");
SPECULATORS_REGISTER(SpeculatorModelConfig, MTPConfig, "mtp", "multi-token prediction");
SPECULATORS_REGISTER(SpeculatorModelConfig, EagleConfig, "eagle", "EAGLE-1, EAGLE-2 and HASS");
SPECULATORS_REGISTER(SpeculatorModelConfig, IndependentConfig, "independent", "an independent draft model");
SPECULATORS_REGISTER(SpeculatorModelConfig, MLPConfig, "mlp", "the MLP speculator");

namespace {

[[noreturn]] void refuse(const std::string& where, std::string message) {
  const std::string registry(SpeculatorModelConfig::registry_key());
  const std::string text = "invalid config for registry \"" + registry + "\" (1 problem):\n  " +
                           (where.empty() ? "(root)" : where) + ": " + message;
  throw ConfigError(text, registry, {ConfigProblem{where, std::move(message)}});
}

}  // namespace

const TokenProposalConfig& SpeculatorsConfig::default_proposal() const {
  for (const auto& method : proposal_methods) {
    if (method && method->discriminator_value() == default_proposal_method) return *method;
  }
  refuse("/speculators_config/default_proposal_method",
         nlohmann::json(default_proposal_method).dump() + " is not the proposal_type of any proposal method");
}

std::unique_ptr<SpeculatorModelConfig> parse_speculator_config(const nlohmann::json& config) {
  // A plain Hugging Face config would get "missing" for the discriminator alone; say what it is.
  if (config.is_object() && !config.contains(SpeculatorModelConfig::schema_discriminator)) {
    std::string text = "not a speculators config: it has no \"speculators_model_type\"";
    if (!config.contains("speculators_config")) text += " and no \"speculators_config\"";
    const auto model_type = config.find("model_type");
    if (model_type != config.end() && model_type->is_string())
      text += "; it looks like the config of a " + model_type->dump() + " model, not of a speculator checkpoint";
    refuse("", text + ". Convert the model to the speculators format (speculators convert) or load its speculator");
  }
  return SpeculatorModelConfig::from_json(config);
}

std::unique_ptr<SpeculatorModelConfig> read_speculator_config(const std::filesystem::path& path) {
  std::error_code ec;
  const std::filesystem::path file = std::filesystem::is_directory(path, ec) ? path / "config.json" : path;
  // The library's reader: the system's reason for a file that cannot be read, and a key given
  // twice or a number out of range as a problem with its pointer.
  const nlohmann::json config = speculators::read_config_file(file);
  return parse_speculator_config(config);
}

}  // namespace speculators::checkpoints
