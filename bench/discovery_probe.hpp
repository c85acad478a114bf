// The base the discovery benchmark's plugins register into (bench/probe_plugin.cpp) and its
// host program discovers (bench/discovery_probe.cpp).
#pragma once

#include <speculators/registry.hpp>

#include <string_view>

namespace bench {

/// Discovers package bench.probes: one class per plugin file.
struct Probe : speculators::AutoClassRegistryMixin<Probe> {
  static constexpr std::string_view auto_package = "bench.probes";
  virtual ~Probe() = default;
  virtual int id() const = 0;
};

}  // namespace bench
