// The bases the discovery benchmark's plugins register into (bench/probe_plugin.cpp) and its
// host program discovers (bench/discovery_probe.cpp). Both discover the same package; they
// differ only in when discovery loads the plugins.
#pragma once

#include <speculators/registry.hpp>

#include <string_view>

namespace bench {

/// Discovers package bench.probes and loads every plugin at discovery, as Python imports
/// every module of a package.
struct Probe : speculators::AutoClassRegistryMixin<Probe> {
  static constexpr std::string_view auto_package = "bench.probes";
  static constexpr bool registry_eager_load = true;
  virtual ~Probe() = default;
  virtual int id() const = 0;
};

/// Discovers the same package, lazily: its first registered_classes() lists the classes from
/// the plugins' manifests, and a plugin is loaded when one of its classes is first created.
struct LazyProbe : speculators::AutoClassRegistryMixin<LazyProbe> {
  static constexpr std::string_view auto_package = "bench.probes";
  virtual ~LazyProbe() = default;
  virtual int id() const = 0;
};

}  // namespace bench
