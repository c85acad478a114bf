// What a serving engine reads from a speculator checkpoint: its config.json, into typed
// structs, and the token proposal built from the engine's own registry of proposals.
//
//   speculators_checkpoint_info <checkpoint directory or config.json>
#include <speculators/checkpoints.hpp>

#include <iostream>
#include <string>

namespace ckpt = speculators::checkpoints;

// The engine's proposals, built from their configs: one per proposal_type it implements.
struct Proposer : speculators::ClassRegistryMixin<Proposer, const ckpt::TokenProposalConfig&> {
  virtual ~Proposer() = default;
  virtual std::string describe() const = 0;
};

struct GreedyProposer : Proposer {
  explicit GreedyProposer(const ckpt::TokenProposalConfig& config)
      : config_(speculators::config_cast<ckpt::GreedyTokenProposalConfig>(config)) {}
  std::string describe() const override {
    return "greedy chains of " + std::to_string(config_.speculative_tokens) + " tokens, accepted within the top " +
           std::to_string(config_.verifier_accept_k);
  }

 private:
  const ckpt::GreedyTokenProposalConfig& config_;
};
SPECULATORS_REGISTER(Proposer, GreedyProposer, "greedy");

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: speculators_checkpoint_info <checkpoint directory or config.json>\n";
    return 2;
  }
  try {
    const std::unique_ptr<ckpt::SpeculatorModelConfig> config = ckpt::read_speculator_config(argv[1]);
    const ckpt::SpeculatorsConfig& spec = config->speculators_config;
    const ckpt::TokenProposalConfig& proposal = spec.default_proposal();

    std::cout << "model type:        " << config->discriminator_value() << '\n'
              << "algorithm:         " << spec.algorithm << '\n'
              << "verifier:          " << spec.verifier.name_or_path.value_or("(not recorded)") << '\n'
              << "default proposal:  " << spec.default_proposal_method;
    if (const auto* greedy = dynamic_cast<const ckpt::GreedyTokenProposalConfig*>(&proposal))
      std::cout << ", " << greedy->speculative_tokens << " speculative tokens";
    std::cout << '\n';
    if (const auto* eagle3 = dynamic_cast<const ckpt::Eagle3Config*>(config.get())) {
      std::cout << "draft layer:       " << eagle3->transformer_layer_config.at("model_type").get<std::string>()
                << ", hidden size " << eagle3->transformer_layer_config.at("hidden_size") << ", draft vocabulary "
                << eagle3->draft_vocab_size << '\n';
    }
    const std::unique_ptr<Proposer> proposer = speculators::create_from_config<Proposer>(proposal);
    std::cout << "proposer:          " << proposer->describe() << '\n';
    return 0;
  } catch (const speculators::RegistryError& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
}
