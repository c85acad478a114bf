// A config class in a plugin: discovery adds it to the test token proposal configs. Built
// with --no-undefined and no link to the registry library, so this also checks that config
// classes need none.
#include "config_types.hpp"

namespace cfgtest {

struct TypicalConfig : speculators::ConfigOf<TypicalConfig, TokenProposalConfig> {
  double typical_mass = 0.9;
  std::unique_ptr<TokenProposalConfig> fallback;
  static constexpr auto fields = speculators::fields(
      speculators::field("typical_mass", &TypicalConfig::typical_mass, "locally typical mass").minimum(0).maximum(1),
      speculators::field("fallback", &TypicalConfig::fallback, "used when no token is typical"));
};
SPECULATORS_REGISTER(TokenProposalConfig, TypicalConfig, "typical", "locally typical sampling");

}  // namespace cfgtest
