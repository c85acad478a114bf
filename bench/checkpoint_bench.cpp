// Reading a speculator checkpoint's config.json: parse, dispatch on speculators_model_type,
// typed structs and every check, against a bare nlohmann::json::parse of the same text, in the
// same run. The file is a real EAGLE-3 checkpoint config (tests/data/checkpoints).
#include <speculators/checkpoints.hpp>

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

namespace {

const std::string& config_text() {
  static const std::string text = [] {
    std::ifstream in(SPECULATORS_BENCH_EAGLE3_CONFIG);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }();
  return text;
}

void json_parse(benchmark::State& state) {
  const std::string& text = config_text();
  for (auto _ : state) benchmark::DoNotOptimize(nlohmann::json::parse(text));
}
BENCHMARK(json_parse);

void read_and_validate(benchmark::State& state) {
  const std::string& text = config_text();
  namespace ckpt = speculators::checkpoints;
  if (ckpt::parse_speculator_config(nlohmann::json::parse(text))->discriminator_value() != "eagle3")
    state.SkipWithError("not read as eagle3");
  for (auto _ : state) benchmark::DoNotOptimize(ckpt::parse_speculator_config(nlohmann::json::parse(text)));
}
BENCHMARK(read_and_validate);

}  // namespace

BENCHMARK_MAIN();
