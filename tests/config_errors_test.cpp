// Config registries on bad input: every problem listed with its JSON pointer, nothing
// partly built escapes, and hostile input (huge numbers, NaN, deep nesting) is refused
// without crashing or hanging.
#include <speculators/config.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "config_types.hpp"

namespace {

using cfgtest::EagleConfig;
using cfgtest::GreedyTokenProposalConfig;
using cfgtest::SpeculatorConfig;
using cfgtest::TokenProposalConfig;
using nlohmann::json;
using speculators::ConfigError;
using speculators::ConfigProblem;

template <class Config = TokenProposalConfig>
std::vector<ConfigProblem> problems_of(const json& input, const speculators::ParseOptions& options = {}) {
  try {
    (void)Config::from_json(input, options);
  } catch (const ConfigError& e) {
    EXPECT_FALSE(e.problems().empty());
    for (const ConfigProblem& p : e.problems()) {
      // what() lists every problem with its pointer.
      const std::string line = (p.pointer.empty() ? std::string("(root)") : p.pointer) + ": " + p.message;
      EXPECT_NE(std::string(e.what()).find(line), std::string::npos) << line << "\nnot in\n" << e.what();
    }
    return e.problems();
  }
  ADD_FAILURE() << "no ConfigError for " << input.dump();
  return {};
}

struct Case {
  const char* what;
  json input;
  std::string pointer;
  std::string message;
};

// Each case's input has exactly its one problem.
void expect_one_problem_each(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const std::vector<ConfigProblem> problems = problems_of(c.input);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].pointer, c.pointer);
    EXPECT_EQ(problems[0].message, c.message);
  }
}

json greedy_with(const char* key, json value) { return {{"proposal_type", "greedy"}, {key, std::move(value)}}; }
json sampling_with(const char* key, json value) { return {{"proposal_type", "sampling"}, {key, std::move(value)}}; }

TEST(ConfigErrors, EachProblemHasItsPointerAndText) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<Case> cases = {
      {"missing discriminator",
       {{"speculative_tokens", 5}},
       "/proposal_type",
       R"(missing; expected one of "greedy", "sampling", "top_k_sampling")"},
      {"unknown discriminator",
       {{"proposal_type", "greedyy"}},
       "/proposal_type",
       R"(unknown proposal_type "greedyy"; registered: "greedy", "sampling", "top_k_sampling" (did you mean "greedy"?))"},
      {"discriminator not a string", {{"proposal_type", 5}}, "/proposal_type", "expected a string, got number"},
      {"root is an array", json::array({1}), "", R"(expected an object with a "proposal_type" field, got array)"},
      {"root is null", nullptr, "", R"(expected an object with a "proposal_type" field, got null)"},
      {"root is a string", "greedy", "", R"(expected an object with a "proposal_type" field, got string)"},
      {"wrong type", greedy_with("speculative_tokens", "5"), "/speculative_tokens", "expected an integer, got string"},
      {"bool for integer", greedy_with("speculative_tokens", true), "/speculative_tokens",
       "expected an integer, got boolean"},
      {"below minimum", greedy_with("speculative_tokens", 0), "/speculative_tokens", "must be >= 1, got 0"},
      {"above maximum", sampling_with("top_p", 1.5), "/top_p", "must be <= 1, got 1.5"},
      {"int overflow", greedy_with("speculative_tokens", 2147483648LL), "/speculative_tokens",
       "must be between -2147483648 and 2147483647, got 2147483648"},
      {"int underflow", greedy_with("speculative_tokens", -2147483649LL), "/speculative_tokens",
       "must be between -2147483648 and 2147483647, got -2147483649"},
      {"negative unsigned", sampling_with("seed", -1), "/seed", "must be between 0 and 18446744073709551615, got -1"},
      {"huge float for integer", greedy_with("speculative_tokens", 1e300), "/speculative_tokens",
       "must be between -2147483648 and 2147483647, got 1e+300"},
      {"huge negative float for integer", greedy_with("speculative_tokens", -1e300), "/speculative_tokens",
       "must be between -2147483648 and 2147483647, got -1e+300"},
      {"fraction for integer", greedy_with("speculative_tokens", 2.5), "/speculative_tokens",
       "expected an integer, got 2.5"},
      {"NaN for integer", greedy_with("speculative_tokens", nan), "/speculative_tokens",
       "expected an integer, got a non-finite number"},
      {"NaN for number", sampling_with("temperature", nan), "/temperature", "expected a finite number"},
      {"infinity for number", sampling_with("temperature", inf), "/temperature", "expected a finite number"},
      {"string for number", sampling_with("temperature", "hot"), "/temperature", "expected a number, got string"},
      {"unknown enum value", sampling_with("tie_break", "highest_id"), "/tie_break",
       R"(unknown value "highest_id"; expected one of "lowest_id", "random")"},
      {"array expected", sampling_with("stop_tokens", "</s>"), "/stop_tokens", "expected an array, got string"},
      {"too many items", sampling_with("stop_tokens", json::array({"a", "b", "c", "d", "e", "f", "g", "h", "i"})),
       "/stop_tokens", "must have at most 8 items, got 9"},
      {"item too short", sampling_with("stop_tokens", json::array({"a", ""})), "/stop_tokens/1",
       "must have at least 1 character, got 0"},
      {"unknown field", greedy_with("temperature", 0.7), "/temperature",
       R"(unknown field; the fields are "speculative_tokens", "verifier_accept_k")"},
      {"unknown field is escaped", greedy_with("a/b~c", 1), "/a~1b~0c",
       R"(unknown field; the fields are "speculative_tokens", "verifier_accept_k")"},
  };
  expect_one_problem_each(cases);
}

TEST(ConfigErrors, EveryProblemIsListedAtOnce) {
  const json input = {{"proposal_type", "sampling"},
                      {"speculative_tokens", "many"},
                      {"temperature", -1},
                      {"top_p", nullptr},
                      {"stop_tokens", json::array({1, "", "ok"})},
                      {"tie_break", 3},
                      {"colour", "red"}};
  const std::vector<ConfigProblem> problems = problems_of(input);
  std::vector<std::string> pointers;
  for (const ConfigProblem& p : problems) pointers.push_back(p.pointer);
  // Unknown fields first, then the fields in declaration order.
  EXPECT_EQ(pointers, (std::vector<std::string>{"/colour", "/speculative_tokens", "/temperature", "/top_p",
                                                "/stop_tokens/0", "/stop_tokens/1", "/tie_break"}));
}

TEST(ConfigErrors, NestedProblemsPointIntoTheNesting) {
  const json input = {{"speculators_model_type", "eagle"},
                      {"proposal", {{"proposal_type", "greedy"}, {"speculative_tokens", -3}}},
                      {"fallbacks", json::array({{{"proposal_type", "beam"}}, 5})},
                      {"draft", {{"layers", 256}, {"path", ""}, {"extra", true}}},
                      {"verifier_draft", {{"layers", 0}}},
                      {"offsets", json::array({200})}};
  const std::vector<ConfigProblem> problems = problems_of<SpeculatorConfig>(input);
  std::vector<std::string> pointers;
  for (const ConfigProblem& p : problems) pointers.push_back(p.pointer);
  EXPECT_EQ(pointers, (std::vector<std::string>{"/proposal/speculative_tokens", "/fallbacks/0/proposal_type",
                                                "/fallbacks/1", "/draft/extra", "/draft/path", "/draft/layers",
                                                "/verifier_draft/layers", "/offsets/0"}));
}

TEST(ConfigErrors, UnknownFieldsAreIgnoredWhenAllowed) {
  const json input = {{"proposal_type", "greedy"}, {"speculative_tokens", 2}, {"colour", "red"}};
  const auto cfg = TokenProposalConfig::from_json(input, speculators::ParseOptions{.allow_unknown_fields = true});
  EXPECT_EQ(cfg->to_json(), json::parse(R"({"proposal_type":"greedy","speculative_tokens":2,"verifier_accept_k":1})"));
}

TEST(ConfigErrors, TheDiscriminatorMustNameTheClassAskedFor) {
  const std::vector<ConfigProblem> problems =
      problems_of<GreedyTokenProposalConfig>({{"proposal_type", "sampling"}, {"speculative_tokens", "x"}});
  ASSERT_EQ(problems.size(), 1u);  // the fields of the wrong class are not looked at
  EXPECT_EQ(problems[0].pointer, "/proposal_type");
  EXPECT_EQ(problems[0].message,
            R"("sampling" is cfgtest::SamplingTokenProposalConfig, not cfgtest::GreedyTokenProposalConfig )"
            "or a class derived from it");
}

TEST(ConfigErrors, ConfigErrorIsARegistryErrorNamingTheRegistry) {
  try {
    (void)TokenProposalConfig::from_json(json::array());
    FAIL();
  } catch (const speculators::RegistryError& e) {
    EXPECT_EQ(e.registry(), "cfgtest::TokenProposalConfig");
    EXPECT_NE(std::string(e.what()).find(R"(invalid config for registry "cfgtest::TokenProposalConfig" (1 problem))"),
              std::string::npos)
        << e.what();
  }
}

TEST(ConfigErrors, DeepNestingIsAProblemNotACrash) {
  // 100000 nested chain configs, built without recursion.
  json input = {{"speculators_model_type", "eagle"}};
  for (int i = 0; i < 100000; ++i) input = json{{"speculators_model_type", "chain"}, {"next", std::move(input)}};
  const std::vector<ConfigProblem> problems = problems_of<SpeculatorConfig>(input);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message, "nested deeper than 64 levels");
  EXPECT_EQ(std::count(problems[0].pointer.begin(), problems[0].pointer.end(), '/'), 64);

  // Within the limit it parses; the limit is an option.
  json shallow = {{"speculators_model_type", "eagle"}};
  for (int i = 0; i < 100; ++i) shallow = json{{"speculators_model_type", "chain"}, {"next", std::move(shallow)}};
  EXPECT_NO_THROW((void)SpeculatorConfig::from_json(shallow, speculators::ParseOptions{.max_depth = 101}));
  EXPECT_THROW((void)SpeculatorConfig::from_json(shallow, speculators::ParseOptions{.max_depth = 100}), ConfigError);
}

TEST(ConfigErrors, DeeplyNestedTextWhereAScalarBelongs) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const json input = {{"proposal_type", "greedy"}, {"speculative_tokens", json::parse(deep)}};
  const std::vector<ConfigProblem> problems = problems_of(input);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message, "expected an integer, got array");
}

TEST(ConfigErrors, NumbersBeyondEveryIntegerTypeAreOutOfRange) {
  // Too big for uint64: nlohmann reads it as a floating-point number.
  const json input = json::parse(R"({"proposal_type":"sampling","seed":123456789012345678901234567890})");
  const std::vector<ConfigProblem> problems = problems_of(input);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].pointer, "/seed");
  EXPECT_TRUE(problems[0].message.starts_with("must be between 0 and 18446744073709551615, got 1.2345678901234568e+29"))
      << problems[0].message;
}

// A registered class that is not a registry base's config cannot be dumped.
struct UnregisteredConfig : speculators::ConfigOf<UnregisteredConfig, TokenProposalConfig> {};

TEST(ConfigErrors, DumpingAnUnregisteredClassSaysSo) {
  const UnregisteredConfig config;
  try {
    (void)config.to_json();
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("UnregisteredConfig is not registered in registry "
                                         "\"cfgtest::TokenProposalConfig\""),
              std::string::npos)
        << e.what();
  }
}

TEST(ConfigErrors, ProblemsKeptAreCappedAndTheRestCounted) {
  // 200,000 bad items: the error keeps the first 100 problems and counts the others, so that
  // its size follows the input's, not the problems'.
  const json input = {{"speculators_model_type", "eagle"}, {"offsets", json::array()}};
  json many = input;
  for (int i = 0; i < 200000; ++i) many["offsets"].push_back(1000);
  try {
    (void)SpeculatorConfig::from_json(many);
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.problems().size(), 100u);
    EXPECT_EQ(e.problem_count(), 200000u);
    EXPECT_EQ(e.problems()[99].pointer, "/offsets/99");
    const std::string what = e.what();
    EXPECT_TRUE(what.starts_with(R"(invalid config for registry "cfgtest::SpeculatorConfig" (200000 problems):)"))
        << what.substr(0, 200);
    EXPECT_TRUE(what.ends_with("\n  /offsets/99: must be between -128 and 127, got 1000\n  and 199900 more")) << what;
  }
  // The cap is an option; every problem still counts.
  json three = input;
  for (int i = 0; i < 5; ++i) three["offsets"].push_back(-1000);
  try {
    (void)SpeculatorConfig::from_json(three, speculators::ParseOptions{.max_problems = 3});
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.problems().size(), 3u);
    EXPECT_EQ(e.problem_count(), 5u);
  }
  // Even none kept is still an error.
  EXPECT_THROW((void)SpeculatorConfig::from_json(three, speculators::ParseOptions{.max_problems = 0}), ConfigError);
}

// A class's cross-field check runs only on an object whose fields parsed without problems,
// also once the problems kept are capped: uncapped, a check on the defaults left by failed
// fields would add problems of its own.
TEST(ConfigErrors, ChecksAcrossFieldsSkipObjectsWithProblemsWhenTheCapIsReached) {
  // "name" is missing and "high" is not a number: two problems. Had the check run, "low" (50)
  // would also be over the default "high" (10).
  const json input = {{"layer_type", "range"}, {"low", 50}, {"high", "y"}};
  for (const std::size_t cap : {std::size_t{0}, std::size_t{1}, std::size_t{100}}) {
    try {
      (void)cfgtest::LayerConfig::from_json(input, speculators::ParseOptions{.max_problems = cap});
      FAIL() << "accepted";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.problem_count(), 2u) << "cap " << cap << ": " << e.what();
      EXPECT_EQ(e.problems().size(), std::min<std::size_t>(cap, 2)) << "cap " << cap;
    }
  }
}

TEST(ConfigErrors, StringsThatAreNotUtf8AreProblems) {
  // A json value built in code may hold any bytes; nlohmann::json would refuse to dump them.
  const std::vector<Case> cases = {
      {"lone continuation byte", sampling_with("stop_tokens", {"ok", "a\x80"}), "/stop_tokens/1",
       "not valid UTF-8 (byte 1 of the string); configs are JSON text"},
      {"invalid lead byte", sampling_with("stop_tokens", {"\xff"}), "/stop_tokens/0",
       "not valid UTF-8 (byte 0 of the string); configs are JSON text"},
      {"overlong encoding", sampling_with("stop_tokens", {"\xc0\xaf"}), "/stop_tokens/0",
       "not valid UTF-8 (byte 0 of the string); configs are JSON text"},
      {"surrogate", sampling_with("stop_tokens", {"x\xed\xa0\x80"}), "/stop_tokens/0",
       "not valid UTF-8 (byte 1 of the string); configs are JSON text"},
      {"truncated sequence", sampling_with("stop_tokens", {"\xe2\x82"}), "/stop_tokens/0",
       "not valid UTF-8 (byte 0 of the string); configs are JSON text"},
      {"past U+10FFFF", sampling_with("stop_tokens", {"\xf4\x90\x80\x80"}), "/stop_tokens/0",
       "not valid UTF-8 (byte 0 of the string); configs are JSON text"},
      {"enum value", sampling_with("tie_break", "\xff"), "/tie_break",
       "unknown value \"\xef\xbf\xbd\"; expected one of \"lowest_id\", \"random\""},
  };
  expect_one_problem_each(cases);
  // Well-formed UTF-8 of every length is a string like any other.
  const auto ok = TokenProposalConfig::from_json(
      sampling_with("stop_tokens", {"\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"}));
  EXPECT_EQ(ok->to_json()["stop_tokens"].dump(), "[\"\x7f\",\"\xc3\xa9\",\"\xe2\x82\xac\",\"\xf0\x9f\x98\x80\"]");
}

// The problems parse_config_text() throws for `text`.
std::vector<ConfigProblem> text_problems(std::string_view text) {
  try {
    (void)speculators::parse_config_text(text);
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.registry(), "");
    return e.problems();
  }
  ADD_FAILURE() << "no ConfigError for " << text;
  return {};
}

TEST(ConfigText, DuplicateKeysAreProblemsWithTheirPointer) {
  const std::string duplicate =
      "duplicate key; a key may appear once in an object (parsers disagree on which one wins)";
  const std::vector<std::pair<std::string_view, std::vector<std::string>>> cases = {
      {R"({"proposal_type":"greedy","proposal_type":"sampling"})", {"/proposal_type"}},
      {R"({"proposal_type":"greedy","speculative_tokens":2,"speculative_tokens":3})", {"/speculative_tokens"}},
      {R"({"a":[1,{"x":1,"y":{"x":2},"x":3}],"b":{},"b":{}})", {"/a/1/x", "/b"}},
      {R"({"a/b~":1,"a/b~":2})", {"/a~1b~0"}},
  };
  for (const auto& [text, pointers] : cases) {
    SCOPED_TRACE(text);
    std::vector<std::string> found;
    for (const ConfigProblem& p : text_problems(text)) {
      EXPECT_EQ(p.message, duplicate);
      found.push_back(p.pointer);
    }
    EXPECT_EQ(found, pointers);
  }
  // The same key in different objects is no duplicate, and the value is what json::parse gives.
  const std::string_view nested = R"({"proposal_type":"greedy","x":{"proposal_type":[1,2,{"x":null}]}})";
  EXPECT_EQ(speculators::parse_config_text(nested), json::parse(nested));
}

TEST(ConfigText, TextThatIsNotJsonSaysWhereItStops) {
  std::vector<ConfigProblem> problems = text_problems(R"({"proposal_type":"greedy","speculative_tokens":1e400})");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].pointer, "/speculative_tokens");
  EXPECT_EQ(problems[0].message, "number overflow parsing '1e400'");

  problems = text_problems(R"({"stop_tokens":["a",tru]})");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].pointer, "/stop_tokens/1");
  EXPECT_TRUE(problems[0].message.starts_with("not JSON: parse error at line 1, column 24: syntax error"))
      << problems[0].message;

  problems = text_problems("{\"a\":\"\xff\"}");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].pointer, "/a");
  EXPECT_NE(problems[0].message.find("ill-formed UTF-8 byte"), std::string::npos) << problems[0].message;

  EXPECT_EQ(text_problems("").size(), 1u);
}

TEST(ConfigText, AFileThatCannotBeReadSaysWhy) {
  const auto reason_for = [](const std::filesystem::path& path) {
    try {
      (void)speculators::read_config_file(path);
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.problems().size(), 1u);
      return std::string(e.what());
    }
    ADD_FAILURE() << path << " was read";
    return std::string();
  };
  const std::filesystem::path directory = SPECULATORS_TEST_BINARY_DIR;
  EXPECT_EQ(reason_for(directory), "cannot read " + directory.string() + ": Is a directory");
  EXPECT_EQ(reason_for(directory / "no-such-config.json"),
            "cannot read " + (directory / "no-such-config.json").string() + ": No such file or directory");

  const std::filesystem::path file = directory / "config-text-test.json";
  std::ofstream(file) << R"({"proposal_type":"greedy","speculative_tokens":2})";
  EXPECT_EQ(speculators::read_config_file(file), json::parse(R"({"proposal_type":"greedy","speculative_tokens":2})"));
  std::filesystem::remove(file);
}

}  // namespace
