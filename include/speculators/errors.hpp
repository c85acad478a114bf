// The exceptions of speculators-registry: one tree under RegistryError.
//
//   try {
//     auto proposal = TokenProposal::create(name);
//   } catch (const speculators::UnknownKeyError& e) {  // a bad name from a config
//     std::cerr << e.what() << '\n';                   // names the registry, the key, the closest names
//   } catch (const speculators::RegistryError& e) {    // anything else the registry reports
//     ...
//   }
//
// Every message says what happened, to which registry and key (and for plugins,
// which file), and what to do about it. The phrases of the Python
// `speculators.utils.registry` are kept so that habits carry over: "already registered",
// "must be called after registering classes", "registry_auto_discovery is set to False",
// "auto_package must be set".
//
// Note: the constructors are inline so that code built into a plugin, which does not link the
// library, can throw these too (config_cast does).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace speculators {

/// Base of every error the library throws. A standard exception, so a plain
/// `catch (const std::exception&)` sees it too.
class RegistryError : public std::runtime_error {
 public:
  /// @param message  the full text, as `what()` returns it
  /// @param registry the registry key ("" when no registry is involved)
  /// @param key      the class key ("" when no key is involved)
  RegistryError(const std::string& message, std::string registry = {}, std::string key = {})
      : std::runtime_error(message), registry_(std::move(registry)), key_(std::move(key)) {}

  /// The registry key, e.g. "ns::TokenProposal"; empty when none applies.
  const std::string& registry() const noexcept { return registry_; }
  /// The class key, e.g. "greedy"; empty when none applies.
  const std::string& key() const noexcept { return key_; }

 private:
  std::string registry_;
  std::string key_;
};

/// A key that is empty, has leading or trailing white space, or holds control characters.
class InvalidKeyError : public RegistryError {
  using RegistryError::RegistryError;
};

/// A second class under a key that is taken ("already registered").
class DuplicateKeyError : public RegistryError {
  using RegistryError::RegistryError;
};

/// A key that no class is registered under; the message suggests the closest ones.
class UnknownKeyError : public RegistryError {
  using RegistryError::RegistryError;
};

/// `registered_classes()` on a registry that has none ("must be called after registering classes").
class EmptyRegistryError : public RegistryError {
  using RegistryError::RegistryError;
};

/// Discovery asked of a base whose `registry_auto_discovery` is false, or
/// without an `auto_package`.
class DiscoveryError : public RegistryError {
  using RegistryError::RegistryError;
};

/// A class whose constructor signature differs from its registry's, e.g. a
/// plugin built against another version of the base's header.
class SignatureMismatchError : public RegistryError {
  using RegistryError::RegistryError;
};

/// One plugin file that could not be used, and why.
struct PluginFailure {
  std::string file;    ///< absolute path of the plugin file (or directory)
  std::string module;  ///< dotted module name, e.g. "speculators.proposals.greedy"; may be empty
  std::string reason;  ///< what was wrong and what to do
};

/// One or more plugins of a discovery run failed. The good plugins of the same
/// run are registered all the same; `failures()` lists the bad ones.
class PluginLoadError : public RegistryError {
 public:
  PluginLoadError(const std::string& message, std::string registry, std::vector<PluginFailure> failures)
      : RegistryError(message, std::move(registry)), failures_(std::move(failures)) {}
  const std::vector<PluginFailure>& failures() const noexcept { return failures_; }

 private:
  std::vector<PluginFailure> failures_;
};

}  // namespace speculators
