// Speculator checkpoints: the header's example, real config.json files read and written back
// with nothing lost, the rules Python enforces, errors with pointers, refusal of a plain
// Hugging Face config, and a model type from a plugin.
#include <speculators/checkpoints.hpp>
#include <speculators/plugins.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace ckpt = speculators::checkpoints;
namespace fs = std::filesystem;
using nlohmann::json;

const fs::path data_dir = fs::path(SPECULATORS_TEST_SOURCE_DIR) / "data" / "checkpoints";

json read_json(const fs::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

std::vector<fs::path> real_configs() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(data_dir))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Every value of `written`, at every level, is in `back` with the same value; `back` may
// have more object members (defaults), nothing else.
void expect_kept(const json& written, const json& back, const std::string& pointer = "") {
  if (written.is_object() && back.is_object()) {
    for (const auto& [key, value] : written.items()) {
      ASSERT_TRUE(back.contains(key)) << "lost " << pointer << "/" << key;
      expect_kept(value, back[key], pointer + "/" + key);
    }
    return;
  }
  EXPECT_EQ(written.is_number_float(), back.is_number_float()) << pointer;  // 0.0 stays 0.0, 1 stays 1
  EXPECT_EQ(written, back) << pointer;
}

std::vector<std::string> problems_of(const json& config) {
  std::vector<std::string> lines;
  try {
    ckpt::parse_speculator_config(config);
  } catch (const speculators::ConfigError& e) {
    for (const auto& p : e.problems()) lines.push_back(p.pointer + ": " + p.message);
  }
  return lines;
}

json eagle3_file() { return read_json(data_dir / "eagle3_qwen3_moe.json"); }

TEST(Checkpoints, HeaderExample) {
  const fs::path dir = fs::path(SPECULATORS_TEST_BINARY_DIR) / "checkpoint-header-example";
  fs::create_directories(dir);
  fs::copy_file(data_dir / "eagle3_qwen3_moe.json", dir / "config.json", fs::copy_options::overwrite_existing);

  std::unique_ptr<ckpt::SpeculatorModelConfig> config = ckpt::read_speculator_config(dir);
  const ckpt::SpeculatorsConfig& spec = config->speculators_config;
  EXPECT_EQ(spec.algorithm, "eagle3");
  EXPECT_EQ(spec.verifier.name_or_path, "/model/from_s3");
  const auto& greedy = speculators::config_cast<ckpt::GreedyTokenProposalConfig>(spec.default_proposal());
  EXPECT_EQ(greedy.speculative_tokens, 3);
  const auto* eagle3 = dynamic_cast<const ckpt::Eagle3Config*>(config.get());
  ASSERT_NE(eagle3, nullptr);
  EXPECT_EQ(eagle3->draft_vocab_size, 32000);
  EXPECT_EQ(eagle3->transformer_layer_config.at("hidden_size"), 4096);
  EXPECT_TRUE(eagle3->norm_before_fc);
  EXPECT_EQ(eagle3->eagle_aux_hidden_state_layer_ids, (std::vector<int>{2, 46, 91, 93}));
  EXPECT_FALSE(eagle3->target_hidden_size.has_value());
  EXPECT_EQ(config->extra_fields.at("dtype"), "bfloat16");
  EXPECT_EQ(config->to_json(), read_json(dir / "config.json"));
}

TEST(Checkpoints, RealFilesComeBackWithNothingLost) {
  const std::vector<fs::path> files = real_configs();
  ASSERT_GE(files.size(), 5U);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    const json written = read_json(file);
    const json back = ckpt::read_speculator_config(file)->to_json();
    expect_kept(written, back);
    EXPECT_EQ(ckpt::parse_speculator_config(back)->to_json(), back);  // and stable from then on
  }
}

TEST(Checkpoints, RealFilesGetTheirTypedClasses) {
  const auto model_type = [](const char* name) {
    return std::string(ckpt::read_speculator_config(data_dir / name)->discriminator_value());
  };
  EXPECT_EQ(model_type("eagle3_qwen3_moe.json"), "eagle3");
  EXPECT_EQ(model_type("dflash_qwen3_0_6b.json"), "dflash");
  EXPECT_EQ(model_type("eagle_llama_hass.json"), "eagle");

  const auto dspark = ckpt::read_speculator_config(data_dir / "dspark_glm_5_3.json");
  const auto& spark = speculators::config_cast<ckpt::DSparkConfig>(*dspark);
  EXPECT_EQ(spark.block_size, 8);  // a DFlash field, inherited
  EXPECT_EQ(spark.mask_token_id, 154856);
  EXPECT_EQ(spark.markov_head_type, ckpt::MarkovHeadType::vanilla);
  EXPECT_EQ(spark.transformer_layer_config.at("rope_parameters").at("rope_theta"), 8000000);
  EXPECT_TRUE(dynamic_cast<const ckpt::DFlashConfig*>(dspark.get()) != nullptr);

  const auto hass = ckpt::read_speculator_config(data_dir / "eagle_llama_hass.json");
  EXPECT_TRUE(speculators::config_cast<ckpt::EagleConfig>(*hass).fusion_bias);
  EXPECT_EQ(hass->speculators_config.verifier.extra_fields.at("bos_token_id"), 1);  // kept below the top too

  const auto mlp = ckpt::read_speculator_config(data_dir / "mlp_llama.json");
  const auto& mlp_config = speculators::config_cast<ckpt::MLPConfig>(*mlp);
  EXPECT_EQ(mlp_config.num_layers, 5);
  EXPECT_EQ(mlp_config.vocab_size, 128256);
  EXPECT_EQ(mlp_config.inputs, (std::vector<std::string>{"input_embeddings", "hidden_states[-1]"}));
  // The weights' dtype is `dtype`, as speculators and transformers name it now: a file's own
  // value is read, and no second dtype field is written back beside it.
  json half = read_json(data_dir / "mlp_llama.json");
  half["dtype"] = "float16";
  const auto half_mlp = ckpt::parse_speculator_config(half);
  EXPECT_EQ(speculators::config_cast<ckpt::MLPConfig>(*half_mlp).dtype, "float16");
  const json half_back = half_mlp->to_json();
  expect_kept(half, half_back);
  EXPECT_FALSE(half_back.contains("torch_dtype")) << half_back.dump();

  const auto independent = ckpt::read_speculator_config(data_dir / "independent_llama.json");
  EXPECT_TRUE(dynamic_cast<const ckpt::IndependentConfig*>(independent.get()) != nullptr);
  EXPECT_EQ(independent->extra_fields.at("draft_model"), "test/draft");
}

TEST(Checkpoints, ChangedFieldsAreWrittenBack) {
  auto config = ckpt::parse_speculator_config(eagle3_file());
  auto& greedy = dynamic_cast<ckpt::GreedyTokenProposalConfig&>(*config->speculators_config.proposal_methods.at(0));
  greedy.speculative_tokens = 5;
  json expected = eagle3_file();
  expected["speculators_config"]["proposal_methods"][0]["speculative_tokens"] = 5;
  EXPECT_EQ(config->to_json(), expected);
}

TEST(Checkpoints, EveryProblemWithItsPointer) {
  json config = eagle3_file();
  config["speculators_config"]["proposal_methods"][0]["speculative_tokens"] = 0;
  config["draft_vocab_size"] = "many";
  EXPECT_EQ(problems_of(config), (std::vector<std::string>{
                                     "/speculators_config/proposal_methods/0/speculative_tokens: must be >= 1, got 0",
                                     "/draft_vocab_size: expected an integer, got string",
                                 }));
}

TEST(Checkpoints, TheDefaultProposalMethodMustBeOneOfThem) {
  json config = eagle3_file();
  config["speculators_config"]["default_proposal_method"] = "nope";
  EXPECT_EQ(problems_of(config), std::vector<std::string>{"/speculators_config/default_proposal_method: \"nope\" is "
                                                          "not the proposal_type of any proposal method (\"greedy\")"});
  config["speculators_config"]["proposal_methods"] = json::array();
  EXPECT_EQ(problems_of(config),
            std::vector<std::string>{"/speculators_config/proposal_methods: must have at least 1 items, got 0"});
}

TEST(Checkpoints, RulesPythonEnforces) {
  json eagle3 = eagle3_file();
  eagle3["fc_norm"] = true;  // with norm_before_fc
  eagle3["eagle_aux_hidden_state_layer_ids"] = {2, 0, 2};
  EXPECT_EQ(problems_of(eagle3), (std::vector<std::string>{
                                     "/fc_norm: cannot be true together with norm_before_fc",
                                     "/eagle_aux_hidden_state_layer_ids/1: must be a layer id >= 1, got 0",
                                     "/eagle_aux_hidden_state_layer_ids/2: layer 2 is listed twice",
                                 }));
  json mtp = read_json(data_dir / "dflash_qwen3_0_6b.json");
  mtp["speculators_model_type"] = "mtp";
  mtp.erase("block_size");
  mtp.erase("mask_token_id");
  mtp.erase("draft_vocab_size");
  mtp.erase("aux_hidden_state_layer_ids");
  EXPECT_NO_THROW(ckpt::parse_speculator_config(mtp));
  mtp["num_nextn_predict_layers"] = 2;
  EXPECT_EQ(problems_of(mtp), std::vector<std::string>{"/num_nextn_predict_layers: MTP supports 1 layer, got 2"});
}

TEST(Checkpoints, UnknownTypesGetDidYouMean) {
  json config = eagle3_file();
  config["speculators_model_type"] = "eagle33";
  config["speculators_config"]["proposal_methods"][0]["proposal_type"] = "gredy";
  const std::vector<std::string> problems = problems_of(config);
  ASSERT_EQ(problems.size(), 1U);  // the model type decides the rest
  EXPECT_NE(problems[0].find("/speculators_model_type: unknown speculators_model_type \"eagle33\""), std::string::npos);
  EXPECT_NE(problems[0].find("did you mean \"eagle3\""), std::string::npos) << problems[0];

  config["speculators_model_type"] = "eagle3";
  const std::vector<std::string> proposal = problems_of(config);
  ASSERT_EQ(proposal.size(), 1U);
  EXPECT_NE(proposal[0].find("/speculators_config/proposal_methods/0/proposal_type: unknown proposal_type \"gredy\""),
            std::string::npos);
  EXPECT_NE(proposal[0].find("did you mean \"greedy\""), std::string::npos) << proposal[0];
}

TEST(Checkpoints, APlainHuggingFaceConfigIsRefusedWithASentence) {
  try {
    ckpt::read_speculator_config(data_dir / "refused" / "not_speculators_llama.json");
    FAIL() << "expected ConfigError";
  } catch (const speculators::ConfigError& e) {
    ASSERT_EQ(e.problems().size(), 1U);
    EXPECT_EQ(e.problems()[0].pointer, "");
    EXPECT_EQ(e.problems()[0].message,
              "not a speculators config: it has no \"speculators_model_type\" and no \"speculators_config\"; it looks "
              "like the config of a \"llama\" model, not of a speculator checkpoint. Convert the model to the "
              "speculators format (speculators convert) or load its speculator");
  }
  json without_speculators_config = eagle3_file();
  without_speculators_config.erase("speculators_config");
  EXPECT_EQ(problems_of(without_speculators_config),
            std::vector<std::string>{"/speculators_config: missing; this field is required: the algorithm, token "
                                     "proposal methods and verifier of the speculator"});
}

TEST(Checkpoints, FilesThatCannotBeReadSaySo) {
  EXPECT_THROW(ckpt::read_speculator_config(data_dir / "no-such-checkpoint"), speculators::ConfigError);
  try {
    ckpt::read_speculator_config(data_dir / "README.md");
    FAIL() << "expected ConfigError";
  } catch (const speculators::ConfigError& e) {
    ASSERT_EQ(e.problems().size(), 1U) << e.what();
    EXPECT_TRUE(e.problems()[0].message.starts_with("not JSON: parse error at line 1, column 1")) << e.what();
    EXPECT_TRUE(std::string(e.what()).starts_with((data_dir / "README.md").string() + ": ")) << e.what();
    EXPECT_NE(std::string(e.what()).find("(root): " + e.problems()[0].message), std::string::npos) << e.what();
  }
}

TEST(Checkpoints, TheSchemaKeepsUnknownFieldsAndRequiresTheSpeculatorsConfig) {
  const json defs = ckpt::SpeculatorModelConfig::json_schema()["$defs"];
  const json& eagle3 = defs["speculators__checkpoints__SpeculatorModelConfig.eagle3"];
  EXPECT_EQ(eagle3["additionalProperties"], true);
  EXPECT_EQ(eagle3["required"], json::array({"speculators_model_type", "speculators_config"}));
  EXPECT_EQ(eagle3["properties"]["transformer_layer_config"]["type"], "object");
  const json& spec = eagle3["properties"]["speculators_config"];
  EXPECT_EQ(spec["required"], json::array({"algorithm", "proposal_methods", "default_proposal_method", "verifier"}));
  EXPECT_EQ(spec["properties"]["proposal_methods"]["minItems"], 1);
  EXPECT_EQ(defs["speculators__checkpoints__TokenProposalConfig.greedy"]["properties"]["accept_tolerance"]["minimum"],
            0);
}

TEST(Checkpoints, AModelTypeFromAPluginIsReadTheSameWay) {
  speculators::add_plugin_directory(fs::path(SPECULATORS_TEST_PLUGIN_ROOT) / "checkpoints");
  json config = eagle3_file();
  config["speculators_model_type"] = "medusa";
  config.erase("transformer_layer_config");
  config["medusa_num_heads"] = 4;
  const auto medusa = ckpt::parse_speculator_config(config);
  EXPECT_EQ(medusa->discriminator_value(), "medusa");
  EXPECT_EQ(medusa->speculators_config.default_proposal_method, "greedy");
  json back = medusa->to_json();
  EXPECT_EQ(back["medusa_num_heads"], 4);
  EXPECT_EQ(back["medusa_num_layers"], 1);  // its default, added
  expect_kept(config, back);
  config["medusa_num_heads"] = 0;
  EXPECT_EQ(problems_of(config), std::vector<std::string>{"/medusa_num_heads: must be >= 1, got 0"});
}

}  // namespace
