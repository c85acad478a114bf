// A speculator model type in a plugin, as a third party would ship one: discovery of
// speculators.models adds it to SpeculatorModelConfig, and reading config.json picks it up.
#include <speculators/checkpoints.hpp>

namespace fx {

struct MedusaConfig : speculators::ConfigOf<MedusaConfig, speculators::checkpoints::SpeculatorModelConfig> {
  int medusa_num_heads = 5;
  int medusa_num_layers = 1;
  static constexpr auto fields = speculators::fields(
      speculators::field("medusa_num_heads", &MedusaConfig::medusa_num_heads, "decoding heads").minimum(1),
      speculators::field("medusa_num_layers", &MedusaConfig::medusa_num_layers, "layers per head").minimum(1));
};
SPECULATORS_REGISTER(speculators::checkpoints::SpeculatorModelConfig, MedusaConfig, "medusa", "Medusa heads");

}  // namespace fx
