// The template plugin of the discovery benchmark: one class registered into each base of
// bench/discovery_probe.hpp, under the key "fleet_000000". bench/CMakeLists.txt builds it once
// and writes N copies with tests/support/make_fleet.cpp, each with the placeholder
// fleet_000000 replaced by its own name (fleet_000001, ...) in its keys, class names and
// manifest, so that the copies are distinct plugins that differ only in those names.
#include "discovery_probe.hpp"

namespace {

// The class names hold the placeholder too, so that each copy's classes have their own names.
struct Probe_fleet_000000 final : bench::Probe {
  int id() const override { return 0; }
};

struct LazyProbe_fleet_000000 final : bench::LazyProbe {
  int id() const override { return 0; }
};

}  // namespace

SPECULATORS_REGISTER(bench::Probe, Probe_fleet_000000, "fleet_000000");
SPECULATORS_REGISTER(bench::LazyProbe, LazyProbe_fleet_000000, "fleet_000000");
