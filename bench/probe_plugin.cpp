// One plugin of the discovery benchmark: a single registration under the key "p<index>".
// bench/CMakeLists.txt builds this file once per index (a generated source defines it and
// includes this one), so that the plugins differ only in their key and class name.
#include "discovery_probe.hpp"

#ifndef SPECULATORS_BENCH_PROBE_INDEX
#error "bench/CMakeLists.txt generates a source defining SPECULATORS_BENCH_PROBE_INDEX"
#endif

#define SPECULATORS_BENCH_CAT2(a, b) a##b
#define SPECULATORS_BENCH_CAT(a, b) SPECULATORS_BENCH_CAT2(a, b)
#define SPECULATORS_BENCH_STR2(x) #x
#define SPECULATORS_BENCH_STR(x) SPECULATORS_BENCH_STR2(x)
#define SPECULATORS_BENCH_PROBE SPECULATORS_BENCH_CAT(Probe, SPECULATORS_BENCH_PROBE_INDEX)

namespace {

struct SPECULATORS_BENCH_PROBE final : bench::Probe {
  int id() const override { return SPECULATORS_BENCH_PROBE_INDEX; }
};

}  // namespace

SPECULATORS_REGISTER(bench::Probe, SPECULATORS_BENCH_PROBE, "p" SPECULATORS_BENCH_STR(SPECULATORS_BENCH_PROBE_INDEX));
