#include "config_types.hpp"

namespace cfgtest {

SPECULATORS_REGISTER(TokenProposalConfig, GreedyTokenProposalConfig, "greedy", "always the most likely token");
SPECULATORS_REGISTER(TokenProposalConfig, SamplingTokenProposalConfig, "sampling", "samples from the distribution");
SPECULATORS_REGISTER(TokenProposalConfig, TopKSamplingConfig, "top_k_sampling");
SPECULATORS_REGISTER(SpeculatorConfig, EagleConfig, "eagle");
SPECULATORS_REGISTER(SpeculatorConfig, ChainConfig, "chain");
SPECULATORS_REGISTER(LayerConfig, RangeLayerConfig, "range");
SPECULATORS_REGISTER(LayerConfig, NarrowLayerConfig, "narrow");

}  // namespace cfgtest
