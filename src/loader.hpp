// What the files of discovery share: the loader's state, process-wide, and the step each of
// them gives the others. The files, by role: search_path.cpp (where plugins are looked for),
// package_scan.cpp (the walk of a package and its security checks), plugin_check.cpp (the
// check of a file before it is loaded), loader.cpp (modules, loaded once, and factories),
// populate.cpp (the one place touching a registry's discovery state) and diagnostics.cpp
// (warnings, failures and their handlers).
#pragma once

#include <speculators/plugins.hpp>

#include "formats/binary_format.hpp"
#include "manifest_reader.hpp"
#include "os.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace speculators::detail {

/// What check_plugin_file() learns of the file from the one open it checks.
struct CheckedFile {
  os::FileIdentity identity;
  bool writable_by_others = false;  ///< writable by its group or by others
};

/// The loader's state, process-wide. Never destroyed (plugins outlive every static).
struct Loader {
  std::mutex mutex;  // serializes loading; never held while waiting for a store's populate lock
  /// A plugin file, from its first sighting to loaded (or failed, for good).
  struct Module {
    enum class Stage {
      unread,   ///< nothing read yet
      checked,  ///< manifest read and checked, nothing registered, code not run
      listed,   ///< classes listed in their registries from the manifest, code not run
      opened,   ///< code loaded by the dynamic loader, its descriptor not read yet
      loaded,   ///< code loaded and its registrations checked (or failed: see `failure`)
    };
    Stage stage = Stage::unread;
    std::optional<std::string> failure;  // set: the module failed, with this reason
    std::string name;                    // dotted module name, once a package scan found it
    PluginInfo info;
    detail::CheckedFile checked;  // as checked with the manifest: the file that may be loaded
    detail::Manifest manifest;
    bool classes_listed = false;  // its classes were listed from its manifest (list_classes())
    os::Library library;          // once opened
    /// Once loaded: its descriptor, in the plugin's memory (never unmapped). `info.entries`
    /// is made from it when asked for (plugin_info()): discovery itself needs no copies.
    const SpeculatorsPluginDescriptor* descriptor = nullptr;
  };
  std::map<std::string, Module, std::less<>> modules;  // by canonical file path; nodes never move
  struct PackageScan {
    std::vector<PluginModule> modules;
    std::vector<PluginFailure> refused;  // reported to the first base that does not ignore them
  };
  std::map<std::string, PackageScan, std::less<>> package_cache;
  std::set<std::string, std::less<>> reported_refusals;  // files, so that a rescan reports nothing twice
  std::vector<std::string> code_directories;
  std::vector<PluginFailure> failures;
  PluginFailureHandler failure_handler;
  WarningHandler warning_handler;
  PluginTraceHandler trace_handler;
  bool allow_writable = false;
};

/// How far discovery takes a plugin: its file and manifest checked, its classes listed from
/// its manifest, its code loaded by the dynamic loader, or also its registrations read.
enum class Reach { check, list, open, load };

/// What the search path is resolved for: a scan, which warns about the entries it ignores, or
/// a report (plugin_search_path()), which says whether each entry exists. A scan does not need
/// to know: it opens each entry's package directory, and a missing one fails to open.
enum class SearchPathUse { scan, report };

/// The loader's state, made by the process's first call into the plugin machinery.
Loader& loader();

/// Throws when this thread is loading a plugin (a static initializer of it made `call`),
/// which would wait for a lock the load holds, forever. Every public call asks here first.
void refuse_while_loading(std::string_view call);

// --- diagnostics.cpp ---------------------------------------------------------

/// Keeps a warning for this thread's current call to deliver (deliver_warnings()).
void warn(std::string text);

/// Whether discovery's decisions are traced: a trace handler is set, or the environment
/// asks for it (SPECULATORS_DEBUG_PLUGINS, read once per process).
bool tracing(const Loader& state);

/// Traces one decision (loader lock held; call only when tracing()): written to stderr at
/// once, so that the line is out before a plugin that crashes the process runs, or kept for
/// the trace handler, delivered with the warnings.
void trace(const Loader& state, std::string path, std::string_view step, std::string outcome,
           std::chrono::steady_clock::time_point started = {});

/// Delivers this thread's warnings to the warning handler, or to stderr, and its trace to the
/// trace handler; called holding no lock.
void deliver_warnings();

/// Adds `failure` to the process's failure list (loader lock held). @returns it
PluginFailure record_failure(Loader& state, PluginFailure failure);

/// Throws the PluginLoadError of `failures`, for `registry`.
[[noreturn]] void throw_plugin_failures(std::string_view registry, std::vector<PluginFailure> failures);

/// Throws the PluginLoadError of a plugin file named to `call` ("load_plugin()"): of no registry.
[[noreturn]] void throw_file_failure(std::string_view call, PluginFailure failure);

// --- search_path.cpp ---------------------------------------------------------

/// Resolves the search path (loader lock held).
std::vector<SearchPathEntry> resolve_search_path(Loader& state, SearchPathUse use);

// --- package_scan.cpp --------------------------------------------------------

/// The modules of `package` over the search path (loader lock held); the files refused are
/// added to `refused`.
std::vector<PluginModule> scan_package(Loader& state, std::string_view package, std::vector<PluginFailure>& refused);

// --- plugin_check.cpp --------------------------------------------------------

/// Whether the file or directory at `path` is writable by its group or by others.
bool writable_by_others(const std::string& path);

/// Why a plugin writable by others is refused; `what` is "is", or names the directory that is.
std::string writable_problem(std::string_view what);

/// Whether plugins writable by others are accepted.
bool writable_allowed(const Loader& state);

/// Why a plugin built with another standard library (ABI tag) is refused.
std::string foreign_toolchain_problem(std::string_view abi_tag, std::string_view compiler);

/// Opens the file at `path` once and, from that one open, runs check_image() on it and fills
/// `checked`. @returns the problem, empty when the file may be given to the dynamic loader.
std::string check_plugin_file(const std::string& path, CheckedFile& checked, Manifest& manifest);

/// Checks `module`'s file and reads its manifest, none of its code run. @returns the problems
std::vector<std::string> read_checked_manifest(const Loader& state, Loader::Module& module);

/// The canonical path of a plugin file named to `call`. @throws PluginLoadError naming it
std::filesystem::path resolve_named_file(const std::filesystem::path& file, std::string_view call);

// --- loader.cpp --------------------------------------------------------------

/// The module of the plugin file at canonical path `file`, made if new (loader lock held).
Loader::Module& module_for(Loader& state, const std::string& file);

/// Takes `module` as far as `reach`, once per process (loader lock held). @returns the
/// failure this call caused, if it caused one: each failure is reported once.
std::optional<PluginFailure> advance_reporting(Loader& state, Loader::Module& module, Reach reach);

}  // namespace speculators::detail
