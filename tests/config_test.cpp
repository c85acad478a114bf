// Config registries: the header's examples, round trips, nesting, inheritance, schemas,
// components built from configs, and config classes from a plugin.
#include <speculators/config.hpp>
#include <speculators/plugins.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "config_types.hpp"

namespace {

using cfgtest::ChainConfig;
using cfgtest::EagleConfig;
using cfgtest::GreedyTokenProposalConfig;
using cfgtest::SamplingTokenProposalConfig;
using cfgtest::SpeculatorConfig;
using cfgtest::TokenProposalConfig;
using cfgtest::TopKSamplingConfig;
using nlohmann::json;

namespace fs = std::filesystem;

json read_json(const fs::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

// --- the header's examples, as a caller writes them -------------------------

TEST(ConfigExamples, HeaderExample) {
  auto cfg = TokenProposalConfig::from_json({{"proposal_type", "greedy"}, {"speculative_tokens", 3}});
  const auto* greedy = dynamic_cast<const GreedyTokenProposalConfig*>(cfg.get());
  ASSERT_NE(greedy, nullptr);
  EXPECT_EQ(greedy->speculative_tokens, 3);
  EXPECT_EQ(greedy->verifier_accept_k, 1);  // the default fills the missing field
  EXPECT_EQ(cfg->to_json(), json::parse(R"({"proposal_type":"greedy","speculative_tokens":3,"verifier_accept_k":1})"));
  EXPECT_EQ(cfg->discriminator_value(), "greedy");

  const json schema = TokenProposalConfig::json_schema();
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
}

TEST(ConfigExamples, ExampleFilesParse) {
  const fs::path dir = fs::path(SPECULATORS_TEST_SOURCE_DIR) / ".." / "examples" / "configs";
  const auto greedy = TokenProposalConfig::from_json(read_json(dir / "greedy.json"));
  EXPECT_EQ(greedy->discriminator_value(), "greedy");
  const auto sampling = SamplingTokenProposalConfig::from_json(read_json(dir / "sampling.json"));
  EXPECT_DOUBLE_EQ(sampling->temperature, 0.7);
  EXPECT_EQ(sampling->seed, std::optional<std::uint64_t>(1234));
  EXPECT_EQ(sampling->stop_tokens, std::vector<std::string>{"</s>"});
  EXPECT_EQ(sampling->tie_break, cfgtest::TieBreak::lowest_id);
  // The files hold every field, so dumping gives them back unchanged.
  EXPECT_EQ(greedy->to_json(), read_json(dir / "greedy.json"));
  EXPECT_EQ(sampling->to_json(), read_json(dir / "sampling.json"));
}

// The schema test (ajv) rejects every file in tests/schema/bad; from_json must agree.
TEST(ConfigExamples, BadExampleFilesAreRejected) {
  std::size_t count = 0;
  for (const auto& file : fs::directory_iterator(fs::path(SPECULATORS_TEST_SOURCE_DIR) / "schema" / "bad")) {
    SCOPED_TRACE(file.path().string());
    EXPECT_THROW(TokenProposalConfig::from_json(read_json(file.path())), speculators::ConfigError);
    ++count;
  }
  EXPECT_GE(count, 10u);
}

// --- round trips ------------------------------------------------------------

template <class Base>
void expect_defaults_round_trip() {
  for (const auto& cls : Base::registered_classes()) {
    SCOPED_TRACE(std::string(cls.name()));
    const std::unique_ptr<Base> original = cls.create();
    const json dumped = original->to_json();
    EXPECT_EQ(dumped[std::string(Base::schema_discriminator)], cls.name());
    const std::unique_ptr<Base> parsed = Base::from_json(json::parse(dumped.dump()));
    EXPECT_EQ(parsed->to_json(), dumped);
    EXPECT_EQ(parsed->config_class().type_name, cls.type_name());
  }
}

TEST(ConfigRoundTrip, EveryRegisteredConfigWithDefaults) {
  expect_defaults_round_trip<TokenProposalConfig>();
  expect_defaults_round_trip<SpeculatorConfig>();
}

TEST(ConfigRoundTrip, EveryFieldTypeWithValuesOtherThanTheDefaults) {
  EagleConfig eagle;
  eagle.label = "näive ✓";
  auto sampling = std::make_unique<SamplingTokenProposalConfig>();
  sampling->temperature = 0.25;
  sampling->top_p = 0.9;
  sampling->seed = std::numeric_limits<std::uint64_t>::max();
  sampling->stop_tokens = {"a", "b"};
  sampling->tie_break = cfgtest::TieBreak::random;
  eagle.proposal = std::move(sampling);
  eagle.fallbacks.push_back(std::make_unique<TopKSamplingConfig>());
  eagle.fallbacks.push_back(nullptr);
  eagle.draft.path = "other.bin";
  eagle.draft.layers = 255;
  eagle.verifier_draft = cfgtest::DraftModel{"verifier.bin", 2};
  eagle.fused = true;
  eagle.max_batch = std::numeric_limits<std::int64_t>::max();
  eagle.offsets = {-128, 0, 127};
  eagle.scale = 1.5F;

  const json dumped = eagle.to_json();
  EXPECT_EQ(dumped["proposal"]["proposal_type"], "sampling");
  EXPECT_EQ(dumped["fallbacks"][0]["proposal_type"], "top_k_sampling");
  EXPECT_TRUE(dumped["fallbacks"][1].is_null());
  const auto parsed = EagleConfig::from_json(json::parse(dumped.dump()));
  EXPECT_EQ(parsed->to_json(), dumped);

  EXPECT_EQ(parsed->label, "näive ✓");
  const auto& p = speculators::config_cast<SamplingTokenProposalConfig>(*parsed->proposal);
  EXPECT_EQ(p.seed, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(p.stop_tokens, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p.tie_break, cfgtest::TieBreak::random);
  ASSERT_EQ(parsed->fallbacks.size(), 2u);
  EXPECT_NE(dynamic_cast<const TopKSamplingConfig*>(parsed->fallbacks[0].get()), nullptr);
  EXPECT_EQ(parsed->fallbacks[1], nullptr);
  EXPECT_EQ(parsed->draft.layers, 255);
  ASSERT_TRUE(parsed->verifier_draft.has_value());
  EXPECT_EQ(parsed->verifier_draft->path, "verifier.bin");
  EXPECT_TRUE(parsed->fused);
  EXPECT_EQ(parsed->max_batch, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(parsed->offsets, (std::vector<std::int8_t>{-128, 0, 127}));
  EXPECT_FLOAT_EQ(parsed->scale, 1.5F);
}

TEST(ConfigRoundTrip, MissingFieldsTakeTheDefaultsOfNestedConfigsToo) {
  const auto eagle = EagleConfig::from_json(
      {{"speculators_model_type", "eagle"}, {"proposal", {{"proposal_type", "sampling"}}}, {"draft", {{"layers", 3}}}});
  const auto& p = speculators::config_cast<SamplingTokenProposalConfig>(*eagle->proposal);
  EXPECT_EQ(p.speculative_tokens, 5);
  EXPECT_DOUBLE_EQ(p.top_p, 1.0);
  EXPECT_EQ(eagle->draft.layers, 3);
  EXPECT_EQ(eagle->draft.path, "draft.bin");
  EXPECT_EQ(eagle->max_batch, 64);
}

TEST(ConfigRoundTrip, NullEmptiesOptionalsAndNestedConfigs) {
  const auto eagle = EagleConfig::from_json({{"speculators_model_type", "eagle"},
                                             {"proposal", nullptr},
                                             {"verifier_draft", nullptr},
                                             {"fallbacks", json::array({nullptr})}});
  EXPECT_EQ(eagle->proposal, nullptr);
  EXPECT_FALSE(eagle->verifier_draft.has_value());
  ASSERT_EQ(eagle->fallbacks.size(), 1u);
  EXPECT_EQ(eagle->fallbacks[0], nullptr);
}

TEST(ConfigRoundTrip, AConfigNestsItsOwnRegistry) {
  const json chain = {{"speculators_model_type", "chain"},
                      {"label", "outer"},
                      {"next", {{"speculators_model_type", "chain"}, {"next", {{"speculators_model_type", "eagle"}}}}}};
  const auto parsed = SpeculatorConfig::from_json(chain);
  const auto& outer = speculators::config_cast<ChainConfig>(*parsed);
  EXPECT_EQ(outer.label, "outer");
  const auto& middle = speculators::config_cast<ChainConfig>(*outer.next);
  EXPECT_NE(dynamic_cast<const EagleConfig*>(middle.next.get()), nullptr);
  EXPECT_EQ(SpeculatorConfig::from_json(parsed->to_json())->to_json(), parsed->to_json());
}

TEST(ConfigRoundTrip, IntegralFloatsAreIntegers) {
  const auto greedy = GreedyTokenProposalConfig::from_json({{"speculative_tokens", 3.0}});
  EXPECT_EQ(greedy->speculative_tokens, 3);
}

// --- inheritance and the class asked for ------------------------------------

TEST(ConfigInheritance, ADerivedConfigHasItsParentsFields) {
  const auto topk = TokenProposalConfig::from_json({{"proposal_type", "top_k_sampling"}, {"top_k", 7}, {"top_p", 0.5}});
  const auto& t = speculators::config_cast<TopKSamplingConfig>(*topk);
  EXPECT_EQ(t.top_k, 7);
  EXPECT_DOUBLE_EQ(t.top_p, 0.5);
  const json dumped = topk->to_json();
  EXPECT_TRUE(dumped.contains("temperature"));
  EXPECT_TRUE(dumped.contains("top_k"));
}

TEST(ConfigInheritance, BaseFieldsBelongToEveryClass) {
  for (const char* type : {"eagle", "chain"}) {
    const auto c = SpeculatorConfig::from_json({{"speculators_model_type", type}, {"label", "x"}});
    EXPECT_EQ(c->label, "x");
    EXPECT_EQ(c->to_json()["label"], "x");
  }
}

TEST(ConfigInheritance, FromJsonOfAClassMayOmitTheDiscriminator) {
  const auto greedy = GreedyTokenProposalConfig::from_json(json::object());
  EXPECT_EQ(greedy->speculative_tokens, 5);
  const auto named = GreedyTokenProposalConfig::from_json({{"proposal_type", "greedy"}, {"verifier_accept_k", 4}});
  EXPECT_EQ(named->verifier_accept_k, 4);
}

TEST(ConfigInheritance, FromJsonOfAClassAcceptsItsSubclasses) {
  const std::unique_ptr<SamplingTokenProposalConfig> s =
      SamplingTokenProposalConfig::from_json({{"proposal_type", "top_k_sampling"}, {"top_k", 2}});
  EXPECT_EQ(speculators::config_cast<TopKSamplingConfig>(*s).top_k, 2);
}

// --- schema -----------------------------------------------------------------

TEST(ConfigSchema, OneBranchPerClassWithConstDiscriminator) {
  const json schema = TokenProposalConfig::json_schema();
  const std::string root = schema["$ref"];
  ASSERT_TRUE(root.starts_with("#/$defs/"));
  const json& dispatch = schema["$defs"][root.substr(8)];
  std::vector<std::string> names;
  for (const auto& cls : TokenProposalConfig::registered_classes()) names.emplace_back(cls.name());
  EXPECT_EQ(dispatch["properties"]["proposal_type"]["enum"], json(names));
  ASSERT_EQ(dispatch["oneOf"].size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string ref = dispatch["oneOf"][i]["$ref"];
    const json& cls = schema["$defs"][ref.substr(8)];
    EXPECT_EQ(cls["properties"]["proposal_type"]["const"], names[i]);
    EXPECT_EQ(cls["additionalProperties"], false);
    EXPECT_EQ(cls["required"], json::array({"proposal_type"}));
  }
}

TEST(ConfigSchema, FieldsCarryTypeDefaultDescriptionAndLimits) {
  const json defs = TokenProposalConfig::json_schema()["$defs"];
  const json& sampling = defs["cfgtest__TokenProposalConfig.sampling"]["properties"];
  EXPECT_EQ(sampling["speculative_tokens"]["type"], "integer");
  EXPECT_EQ(sampling["speculative_tokens"]["minimum"], 1);
  EXPECT_EQ(sampling["speculative_tokens"]["default"], 5);
  EXPECT_EQ(sampling["speculative_tokens"]["description"], "tokens the speculator proposes per verifier pass");
  EXPECT_EQ(sampling["top_p"]["type"], "number");
  EXPECT_EQ(sampling["top_p"]["maximum"], 1);
  EXPECT_EQ(sampling["seed"]["anyOf"][1]["type"], "null");
  EXPECT_EQ(sampling["stop_tokens"]["items"]["minLength"], 1);
  EXPECT_EQ(sampling["stop_tokens"]["maxItems"], 8);
  EXPECT_EQ(sampling["tie_break"]["enum"], json::array({"lowest_id", "random"}));
  EXPECT_EQ(defs["cfgtest__TokenProposalConfig.top_k_sampling"]["properties"]["top_k"]["default"], 50);
}

TEST(ConfigSchema, NumberRangesAreTheOnesFromJsonEnforces) {
  const json schema = SpeculatorConfig::json_schema();
  const json& eagle = schema["$defs"]["cfgtest__SpeculatorConfig.eagle"]["properties"];
  const json proposals = TokenProposalConfig::json_schema();
  const json& sampling_fields = proposals["$defs"]["cfgtest__TokenProposalConfig.sampling"]["properties"];
  // 64-bit integers: the type's whole range, as exact integers; a field's own limit where tighter.
  EXPECT_EQ(eagle["max_batch"]["minimum"], 1);
  EXPECT_EQ(eagle["max_batch"]["maximum"], std::numeric_limits<std::int64_t>::max());
  const json& seed = sampling_fields["seed"]["anyOf"][0];
  EXPECT_EQ(seed["minimum"], 0);
  EXPECT_EQ(seed["maximum"], std::numeric_limits<std::uint64_t>::max());
  // Floating point: the type's finite range.
  const json& temperature = sampling_fields["temperature"];
  EXPECT_EQ(temperature["minimum"], 0);
  EXPECT_EQ(temperature["maximum"], std::numeric_limits<double>::max());
  EXPECT_EQ(eagle["scale"]["maximum"], 2);
  // from_json agrees at each end: the last value in range is taken, the next one refused.
  const auto eagle_with = [](const char* key, json value) {
    return json{{"speculators_model_type", "eagle"}, {key, std::move(value)}};
  };
  EXPECT_NO_THROW((void)SpeculatorConfig::from_json(eagle_with("max_batch", eagle["max_batch"]["maximum"])));
  EXPECT_THROW((void)SpeculatorConfig::from_json(eagle_with("max_batch", 9223372036854775808ULL)),
               speculators::ConfigError);
  const json sampling = {{"proposal_type", "sampling"}};
  json largest = sampling;
  largest["seed"] = seed["maximum"];
  EXPECT_NO_THROW((void)TokenProposalConfig::from_json(largest));
  json hottest = sampling;
  hottest["temperature"] = temperature["maximum"];
  EXPECT_NO_THROW((void)TokenProposalConfig::from_json(hottest));
}

TEST(ConfigSchema, NestedRegistriesAreDefinedOnceAndReferenced) {
  const json schema = SpeculatorConfig::json_schema();
  const json& defs = schema["$defs"];
  ASSERT_TRUE(defs.contains("cfgtest__TokenProposalConfig"));
  ASSERT_TRUE(defs.contains("cfgtest__SpeculatorConfig"));
  const json& eagle = defs["cfgtest__SpeculatorConfig.eagle"]["properties"];
  EXPECT_EQ(eagle["proposal"]["anyOf"][0]["$ref"], "#/$defs/cfgtest__TokenProposalConfig");
  EXPECT_EQ(eagle["proposal"]["default"]["proposal_type"], "greedy");
  EXPECT_EQ(eagle["fallbacks"]["items"]["anyOf"][0]["$ref"], "#/$defs/cfgtest__TokenProposalConfig");
  EXPECT_EQ(eagle["draft"]["additionalProperties"], false);
  EXPECT_EQ(eagle["draft"]["properties"]["layers"]["maximum"], 255);
  EXPECT_EQ(defs["cfgtest__SpeculatorConfig.chain"]["properties"]["next"]["anyOf"][0]["$ref"],
            "#/$defs/cfgtest__SpeculatorConfig");
  EXPECT_EQ(defs["cfgtest__SpeculatorConfig.chain"]["properties"]["label"]["type"], "string");
}

// --- unknown-field policies, required fields, raw JSON, checks across fields --

std::vector<std::string> problem_lines(const json& input) {
  std::vector<std::string> lines;
  try {
    cfgtest::LayerConfig::from_json(input);
  } catch (const speculators::ConfigError& e) {
    for (const auto& p : e.problems()) lines.push_back(p.pointer + ": " + p.message);
  }
  return lines;
}

TEST(ConfigPolicies, KeptUnknownFieldsAndRawJsonComeBackAsWritten) {
  const json input = json::parse(R"({"layer_type": "range", "name": "a", "low": 1, "high": 2,
      "raw": [1, 2.5, null, {"x": [true, "y"]}], "settings": {"model_type": "llama", "rope_theta": 5e6, "eps": 1e-06},
      "architectures": ["A"], "dtype": null, "nested": {"deep": [0.0]}})");
  const auto cfg = cfgtest::LayerConfig::from_json(input);
  EXPECT_EQ(cfg->extra.size(), 3U);
  EXPECT_EQ(cfg->extra.at("nested"), json::parse(R"({"deep": [0.0]})"));
  const auto& range = speculators::config_cast<cfgtest::RangeLayerConfig>(*cfg);
  EXPECT_EQ(range.settings.at("eps").get<double>(), 1e-06);
  json expected = input;
  expected["part"] = {{"size", 1}};  // the one default added
  EXPECT_EQ(cfg->to_json(), expected);
}

TEST(ConfigPolicies, IgnoredUnknownFieldsAreDropped) {
  const auto cfg = cfgtest::LayerConfig::from_json(
      {{"layer_type", "range"}, {"name", "a"}, {"part", {{"size", 3}, {"colour", "red"}}}});
  EXPECT_EQ(cfg->to_json()["part"], json({{"size", 3}}));
}

TEST(ConfigPolicies, RawObjectFieldsRefuseOtherValues) {
  EXPECT_EQ(problem_lines({{"layer_type", "range"}, {"name", "a"}, {"settings", json::array({1})}}),
            std::vector<std::string>{"/settings: expected an object, got array"});
}

TEST(ConfigPolicies, AMissingRequiredFieldIsAProblem) {
  EXPECT_EQ(problem_lines({{"layer_type", "range"}}),
            std::vector<std::string>{"/name: missing; this field is required: the layer's name"});
}

TEST(ConfigPolicies, ChecksAcrossFieldsReportWithPointers) {
  EXPECT_EQ(problem_lines({{"layer_type", "range"}, {"name", "a"}, {"low", 5}, {"high", 3}}),
            std::vector<std::string>{"/low: must be <= high (3), got 5"});
}

TEST(ConfigPolicies, ChecksRunOnlyOnObjectsWhoseFieldsParsed) {
  EXPECT_EQ(problem_lines({{"layer_type", "range"}, {"name", "a"}, {"low", 5}, {"high", "3"}}),
            std::vector<std::string>{"/high: expected an integer, got string"});
}

TEST(ConfigPolicies, AParentsChecksRunBeforeTheClasssOwn) {
  EXPECT_EQ(problem_lines({{"layer_type", "narrow"}, {"name", "a"}, {"low", 5}, {"high", 3}}),
            std::vector<std::string>{"/low: must be <= high (3), got 5"});
  EXPECT_EQ(problem_lines({{"layer_type", "narrow"}, {"name", "a"}, {"low", 0}, {"high", 9}}),
            std::vector<std::string>{": high - low must be <= width (5)"});
  EXPECT_NO_THROW(cfgtest::LayerConfig::from_json({{"layer_type", "narrow"}, {"name", "a"}, {"high", 5}}));
}

TEST(ConfigPolicies, TheSchemaStatesPoliciesRequiredFieldsAndRawJson) {
  const json defs = cfgtest::LayerConfig::json_schema()["$defs"];
  const json& range = defs["cfgtest__LayerConfig.range"];
  EXPECT_EQ(range["additionalProperties"], true);
  EXPECT_EQ(range["required"], json::array({"layer_type", "name"}));
  EXPECT_FALSE(range["properties"]["name"].contains("default"));
  EXPECT_FALSE(range["properties"]["raw"].contains("type"));  // any value
  EXPECT_EQ(range["properties"]["settings"]["type"], "object");
  EXPECT_EQ(range["properties"]["part"]["additionalProperties"], true);
  EXPECT_EQ(TokenProposalConfig::json_schema()["$defs"]["cfgtest__TokenProposalConfig.greedy"]["additionalProperties"],
            false);
}

// --- components built from configs -----------------------------------------

struct TokenProposal : speculators::ClassRegistryMixin<TokenProposal, const TokenProposalConfig&> {
  virtual ~TokenProposal() = default;
  virtual int tokens() const = 0;
};

struct GreedyProposal : TokenProposal {
  explicit GreedyProposal(const TokenProposalConfig& c)
      : config(speculators::config_cast<GreedyTokenProposalConfig>(c)) {}
  int tokens() const override { return config.speculative_tokens; }
  GreedyTokenProposalConfig config;
};
SPECULATORS_REGISTER(TokenProposal, GreedyProposal, "greedy");
// A wrong pairing on purpose: the component expects a greedy config.
SPECULATORS_REGISTER(TokenProposal, GreedyProposal, "top_k_sampling");

TEST(ConfigComponents, CreateFromConfigPicksTheComponentOfTheDiscriminator) {
  const auto cfg = TokenProposalConfig::from_json({{"proposal_type", "greedy"}, {"speculative_tokens", 9}});
  const std::unique_ptr<TokenProposal> proposal = speculators::create_from_config<TokenProposal>(*cfg);
  EXPECT_EQ(proposal->tokens(), 9);
}

TEST(ConfigComponents, NoComponentForTheConfigIsAnUnknownKey) {
  const auto cfg = TokenProposalConfig::from_json({{"proposal_type", "sampling"}});
  try {
    (void)speculators::create_from_config<TokenProposal>(*cfg);
    FAIL() << "expected UnknownKeyError";
  } catch (const speculators::UnknownKeyError& e) {
    EXPECT_EQ(e.key(), "sampling");
  }
}

TEST(ConfigComponents, AComponentGivenAnotherConfigClassSaysSo) {
  const auto cfg = TokenProposalConfig::from_json({{"proposal_type", "top_k_sampling"}});
  try {
    (void)speculators::create_from_config<TokenProposal>(*cfg);
    FAIL() << "expected ConfigError";
  } catch (const speculators::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("cfgtest::TopKSamplingConfig, not cfgtest::GreedyTokenProposalConfig"),
              std::string::npos)
        << e.what();
  }
}

// --- config classes from a plugin -------------------------------------------

TEST(ConfigPlugins, DiscoveryFillsTheConfigRegistry) {
  speculators::add_plugin_directory(SPECULATORS_TEST_PLUGIN_ROOT);
  EXPECT_FALSE(TokenProposalConfig::registry_populated());
  const auto typical = TokenProposalConfig::from_json(
      {{"proposal_type", "typical"}, {"typical_mass", 0.5}, {"fallback", {{"proposal_type", "greedy"}}}});
  EXPECT_TRUE(TokenProposalConfig::registry_populated());
  EXPECT_EQ(TokenProposalConfig::auto_imported_modules(), std::vector<std::string>{"cfgtest.proposals.config_plugin"});
  const json dumped = typical->to_json();
  EXPECT_EQ(dumped["typical_mass"], 0.5);
  EXPECT_EQ(dumped["fallback"]["proposal_type"], "greedy");
  EXPECT_EQ(TokenProposalConfig::from_json(dumped)->to_json(), dumped);
  expect_defaults_round_trip<TokenProposalConfig>();

  const json defs = TokenProposalConfig::json_schema()["$defs"];
  EXPECT_EQ(defs["cfgtest__TokenProposalConfig.typical"]["properties"]["typical_mass"]["maximum"], 1);

  try {
    (void)TokenProposalConfig::from_json({{"proposal_type", "typical"}, {"typical_mass", 2}, {"fallback", 1}});
    FAIL() << "expected ConfigError";
  } catch (const speculators::ConfigError& e) {
    ASSERT_EQ(e.problems().size(), 2u) << e.what();
    EXPECT_EQ(e.problems()[0].pointer, "/typical_mass");
    EXPECT_EQ(e.problems()[1].pointer, "/fallback");
  }
}

}  // namespace
