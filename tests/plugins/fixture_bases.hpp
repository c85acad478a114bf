// The bases of the plugin test fixtures, shared by the fixture plugins and the tests.
#pragma once

#include <speculators/registry.hpp>

#include "fx_export.hpp"

#include <array>
#include <string_view>

namespace fx {

/// Discovers package fx.good, except its fx.good.skipped sub-package, loading every plugin.
struct Shape : speculators::AutoClassRegistryMixin<Shape, int> {
  static constexpr std::string_view auto_package = "fx.good";
  static constexpr bool registry_eager_load = true;
  static constexpr std::array<std::string_view, 1> auto_ignore_modules = {"fx.good.skipped"};
  virtual ~Shape() = default;
  virtual int sides() const = 0;
};

/// Discovers package fx.colors, lazily; fx.good's alpha plugin registers into it too.
struct Color : speculators::AutoClassRegistryMixin<Color> {
  static constexpr std::string_view auto_package = "fx.colors";
  virtual ~Color() = default;
};

/// A second base over package fx.good, with nothing ignored, lazily.
struct ShapeTwin : speculators::AutoClassRegistryMixin<ShapeTwin> {
  static constexpr std::string_view auto_package = "fx.good";
  virtual ~ShapeTwin() = default;
};

/// Discovers package fx.bad: good plugins among every kind of broken one, all loaded at discovery.
struct Bad : speculators::AutoClassRegistryMixin<Bad, int> {
  static constexpr std::string_view auto_package = "fx.bad";
  static constexpr bool registry_eager_load = true;
  virtual ~Bad() = default;
  virtual int value() const = 0;
};

/// Registered into from an executable, a static library, a shared library and a plugin.
struct Where : speculators::AutoClassRegistryMixin<Where> {
  static constexpr std::string_view auto_package = "fx.where";
  virtual ~Where() = default;
};

/// Discovers package fx.throws, whose plugin throws from a static initializer.
struct Throws : speculators::AutoClassRegistryMixin<Throws> {
  static constexpr std::string_view auto_package = "fx.throws";
  static constexpr bool registry_eager_load = true;
  virtual ~Throws() = default;
};

/// Plugins whose static initializer leaves a marker file, to show whether their code ran.
struct Marked : speculators::AutoClassRegistryMixin<Marked> {
  static constexpr std::string_view auto_package = "fx.marked";
  virtual ~Marked() = default;
};

/// The same package loaded eagerly: discovery runs each plugin's code (the plugins register
/// into Marked; this registry stays empty).
struct MarkedEager : speculators::AutoClassRegistryMixin<MarkedEager> {
  static constexpr std::string_view auto_package = "fx.marked";
  static constexpr bool registry_eager_load = true;
  virtual ~MarkedEager() = default;
};

/// Lazily discovered plugins that count how often their code was initialized.
struct Lazy : speculators::AutoClassRegistryMixin<Lazy, int> {
  static constexpr std::string_view auto_package = "fx.lazy";
  virtual ~Lazy() = default;
  virtual int value() const = 0;
};

/// Package fx.reentry: a plugin whose static initializer calls the library (reentrant.cpp),
/// discovered lazily (Reentry, which it registers into) and eagerly (ReentryEager, empty).
struct Reentry : speculators::AutoClassRegistryMixin<Reentry> {
  static constexpr std::string_view auto_package = "fx.reentry";
  virtual ~Reentry() = default;
};

struct ReentryEager : speculators::AutoClassRegistryMixin<ReentryEager> {
  static constexpr std::string_view auto_package = "fx.reentry";
  static constexpr bool registry_eager_load = true;
  virtual ~ReentryEager() = default;
};

/// Discovery on, but no package named.
struct NoPackage : speculators::AutoClassRegistryMixin<NoPackage> {
  virtual ~NoPackage() = default;
};

}  // namespace fx
