// Plugins: implementations in shared libraries, found and loaded on first use.
//
// A base with discovery on names the packages its implementations live in:
//
//   struct TokenProposal : speculators::AutoClassRegistryMixin<TokenProposal, const ProposalArgs&> {
//     static constexpr std::string_view auto_package = "speculators.proposals";
//     virtual ~TokenProposal() = default;
//   };
//
// A plugin is a shared library built with the CMake helper, holding ordinary
// SPECULATORS_REGISTER lines:
//
//   speculators_add_plugin(greedy PACKAGE speculators.proposals SOURCES greedy.cpp)
//
// Package "speculators.proposals" is the directory speculators/proposals under each entry
// of the plugin search path, in this order:
//   1. SPECULATORS_PLUGIN_PATH, colon-separated; only absolute entries (others are ignored
//      with a warning, never taken as the current directory);
//   2. directories added with add_plugin_directory();
//   3. the install default: speculators/plugins beside the installed shared library, found
//      from the library's own file at run time (a moved prefix keeps working);
//   4. the program's own places: <program dir>/plugins, <program dir>/../<libdir>/speculators/plugins
//      and <program dir>/../lib/speculators/plugins, each only where nobody but this user or
//      root can have made it (no directory on the way is writable by others, as /tmp is);
//   5. for a build of this library that is not installed, the build tree's plugin directory.
// Each default place is listed once, even where two of them are the same directory.
// The plugin files (*.so) under the package directory, searched recursively down to 32
// directory levels (a deeper directory is reported as refused, not searched), are its
// modules, named by their dotted path ("speculators.proposals.greedy") and loaded in sorted
// order, each once per process. When two entries hold the same module, the first wins; two
// files of one entry that make one name (a.b.so and a/b.so) are both refused.
//
// What is checked, and what is refused:
//  - a plugin file or directory writable by group or others (unless
//    allow_writable_plugins(true) or SPECULATORS_ALLOW_WRITABLE_PLUGINS=1);
//  - a symbolic link that leads out of its search-path entry;
//  - a file that is not an ELF shared object for this machine, before it is opened;
//  - a file with neither a manifest nor the entry point (a program, another library);
//  - after loading: the descriptor version, the standard-library ABI tag, and each entry's
//    constructor signature, before any factory pointer is used.
// A plugin's static initializers run when it is loaded; the checks above that come after
// loading cannot stop code that already ran. Load only plugins you trust. A plugin whose
// static initializer throws stops the process, with a message naming it: the exception has
// unwound through the dynamic loader, which cannot recover (SPECULATORS_REGISTER never throws
// there; its errors are reported like any plugin failure). A static initializer must not call
// the plugin machinery while its plugin loads: the functions below but read_plugin_manifest(),
// and discovery or create() of a class not loaded yet, then throw RegistryError naming the
// plugin (they would wait for the load they are part of, forever); a registry's find(),
// registry(), create() of a loaded class and register_class() work.
//
// Failures: by default, discovery loads every plugin that loads, then throws one
// PluginLoadError listing every failure. set_plugin_failure_handler() sends failures to a
// callback instead, and discovery then throws nothing.
//
// Lifetime: plugins are never unloaded; their classes stay registered for the life of the
// process.
#pragma once

#include <speculators/errors.hpp>
#include <speculators/registration_record.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace speculators {

/// One directory of the plugin search path, as resolved now.
struct SearchPathEntry {
  std::string directory;  ///< absolute path, as given
  std::string source;     ///< "SPECULATORS_PLUGIN_PATH", "add_plugin_directory", "install", "program" or "build tree"
  bool exists = false;    ///< whether it is a directory now
};

/// A plugin file that discovery would load for a package (found without loading it).
struct PluginModule {
  std::string name;     ///< dotted name, e.g. "speculators.proposals.greedy"
  std::string file;     ///< absolute path
  std::string root;     ///< the search-path entry it was found under
  bool loaded = false;  ///< whether this process has loaded it
};

/// One class a plugin registers (registry key, key, type, signature, description): the
/// registration record, owning its texts.
using PluginEntryInfo = BasicRegistrationRecord<std::string>;

/// What a plugin file declares: from its manifest (read_plugin_manifest), or from its
/// descriptor once loaded (load_plugin).
struct PluginInfo {
  std::string file;
  bool has_manifest = false;             ///< false: built without a manifest, so only loading it tells its classes
  std::uint32_t descriptor_version = 0;  ///< the descriptor's, or the manifest records' version
  std::string abi_tag;
  std::string compiler;
  std::vector<PluginEntryInfo> entries;
};

/// Adds `directory` to the search path, after SPECULATORS_PLUGIN_PATH and before the install
/// default. Packages already scanned are scanned again on their next discovery.
/// @throws RegistryError when `directory` is not absolute
void add_plugin_directory(const std::filesystem::path& directory);

/// The search path in the order it is searched, with the environment read now.
std::vector<SearchPathEntry> plugin_search_path();

/// The modules of `package` ("a.b"), found on the search path without loading anything; an
/// empty `package` finds every module under every entry. Files refused by the checks above
/// are reported through `refused` when given.
std::vector<PluginModule> find_package_modules(std::string_view package, std::vector<PluginFailure>* refused = nullptr);

/// Reads the manifest of a plugin file without loading it: none of the plugin's code runs.
/// @returns its entries; `has_manifest` is false (and `entries` empty) for a plugin built without one.
/// @throws PluginLoadError naming the file when it is not a loadable shared object for this
///         machine, its manifest is damaged, or it has neither a manifest nor the entry point
///         (a program, another library)
PluginInfo read_plugin_manifest(const std::filesystem::path& file);

/// Loads one plugin file (once per process) and registers its classes.
/// @returns its descriptor. @throws PluginLoadError naming the file and the reason
PluginInfo load_plugin(const std::filesystem::path& file);

/// The registry keys this process knows (every registry with a store: a typed base used, a
/// class registered, a plugin loaded) and those named by the manifests of the plugins on the
/// search path (read, not loaded), sorted and unique. Files that are not plugins name none.
std::vector<std::string> known_registry_keys();

/// The registry key that `name` means: `name` itself when it is a key of
/// known_registry_keys(), else the one key whose last namespace components are `name`
/// ("TokenProposalConfig" or "examples::TokenProposalConfig" for
/// "speculators::examples::TokenProposalConfig"). A key this process has is returned
/// without reading any manifest.
/// @throws UnknownKeyError when no known key, or more than one, is named so; the message
///         suggests the qualified keys it may mean
/// Example: `auto key = speculators::resolve_registry_key("TokenProposalConfig");`
std::string resolve_registry_key(std::string_view name);

/// Every plugin failure this process has met, in order.
std::vector<PluginFailure> plugin_failures();

using PluginFailureHandler = std::function<void(const PluginFailure&)>;

/// Sends plugin failures to `handler` instead of throwing them from discovery; an empty
/// handler restores the default. The handler runs with no lock of the library held, so it
/// may call the library. @returns the previous handler.
PluginFailureHandler set_plugin_failure_handler(PluginFailureHandler handler);

using WarningHandler = std::function<void(std::string_view)>;

/// Where warnings go (ignored path entries, plugins without manifest...); by default standard
/// error. An empty handler restores the default. The call that met a warning delivers it on
/// its own thread once it has done its work and holds no lock of the library, so the handler
/// may call the library; one warning is delivered at a time in the process. The handler may
/// throw: the exception reaches that call's caller, the warnings after it wait for the same
/// thread's next call that discovers, loads or lists plugins, and plugin failures of the same
/// discovery are thrown by the registry's next call. @returns the previous handler.
WarningHandler set_warning_handler(WarningHandler handler);

/// One decision of discovery about a plugin file or a search-path entry. With
/// SPECULATORS_DEBUG_PLUGINS=1 in the environment (read once, by the first traced step of the
/// process), each is written to standard error as one line, when its step ends:
///   speculators: plugin trace: <path>: <step>: <outcome> (<took> us)
/// to answer "why was my plugin not picked up?" without a debugger.
struct PluginTraceEvent {
  std::string path;  ///< the plugin file, or a search-path entry's package directory
  /// What was done: "search" (a search-path entry, for a package), "found" (a file kept as a
  /// module), "skip" (not taken, and not an error: shadowed, found twice, ignored by the
  /// base), "refuse" (not taken: a failure), "check" (the file and its manifest checked
  /// before any of its code runs), "list" (its classes listed from the manifest, not loaded),
  /// "open" (loaded by the dynamic loader), "load" (its registrations read and checked).
  std::string step;
  std::string outcome;                ///< what came of it, and why
  std::chrono::microseconds took{0};  ///< the time the step took: check, list, open and load
};

using PluginTraceHandler = std::function<void(const PluginTraceEvent&)>;

/// Sends the trace to `handler`, whether or not SPECULATORS_DEBUG_PLUGINS is set; an empty
/// handler restores the default. Delivered as warnings are (set_warning_handler()): on the
/// calling thread, once the call holds no lock of the library. @returns the previous handler.
PluginTraceHandler set_plugin_trace_handler(PluginTraceHandler handler);

/// Accepts plugin files and directories writable by group or others (refused by default).
void allow_writable_plugins(bool allow);

}  // namespace speculators
