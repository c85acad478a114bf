// Fuzz target: arbitrary bytes as a JSON config. A document that parses is given to the
// config registries of tests/config_types.hpp and to the speculator checkpoint formats; a
// config that from_json accepts must dump to JSON that parses back to a config dumping the
// same JSON, also through text. The bytes are also read by parse_config_text(), which
// accepts only what nlohmann::json::parse accepts, giving the same value, and lists a
// problem for all it refuses.
#include "config_types.hpp"
#include "fuzz_support.hpp"

#include <speculators/checkpoints.hpp>
#include <speculators/config.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

using fuzz_support::require;

namespace {

template <class Base>
void round_trip(const nlohmann::json& input, const speculators::ParseOptions& options) {
  std::unique_ptr<Base> config;
  try {
    config = Base::from_json(input, options);
  } catch (const speculators::ConfigError& e) {
    require(!e.problems().empty());
    return;
  }
  require(config != nullptr);
  const nlohmann::json dumped = config->to_json();
  const nlohmann::json again = Base::from_json(dumped)->to_json();
  require(again == dumped);
  const nlohmann::json through_text = Base::from_json(nlohmann::json::parse(dumped.dump()))->to_json();
  require(through_text == dumped);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json input = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  try {
    const nlohmann::json checked =
        speculators::parse_config_text(std::string_view(reinterpret_cast<const char*>(data), size));
    require(!input.is_discarded() && checked == input);
  } catch (const speculators::ConfigError& e) {
    require(!e.problems().empty());
  }
  if (input.is_discarded()) return 0;
  for (const bool lenient : {false, true}) {
    speculators::ParseOptions options;
    options.allow_unknown_fields = lenient;
    round_trip<cfgtest::TokenProposalConfig>(input, options);
    round_trip<cfgtest::SpeculatorConfig>(input, options);
    round_trip<cfgtest::LayerConfig>(input, options);
    round_trip<speculators::checkpoints::SpeculatorModelConfig>(input, options);
  }
  return 0;
}
