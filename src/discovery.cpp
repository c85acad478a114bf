// Discovery: the plugin search path, package scans, and loading each plugin once.
#include <speculators/plugins.hpp>

#include "elf_check.hpp"
#include "manifest_reader.hpp"
#include "messages.hpp"
#include "platform.hpp"
#include "store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

#ifndef SPECULATORS_INSTALL_LIBDIR
#define SPECULATORS_INSTALL_LIBDIR "lib"
#endif
#ifndef SPECULATORS_BUILD_LIBRARY_DIR
#define SPECULATORS_BUILD_LIBRARY_DIR ""
#endif
#ifndef SPECULATORS_BUILD_DIR
#define SPECULATORS_BUILD_DIR ""
#endif
#ifndef SPECULATORS_BUILD_PLUGIN_DIR
#define SPECULATORS_BUILD_PLUGIN_DIR ""
#endif

namespace speculators {

namespace fs = std::filesystem;

namespace {

// The loader's state, process-wide. Never destroyed (plugins outlive every static).
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
    bool classes_listed = false;    // its classes were listed from its manifest (list_classes())
    detail::LibraryHandle library;  // once opened
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
  bool allow_writable = false;
};

Loader& loader() {
  static auto* state = new Loader;
  return *state;
}

// The plugin file this thread is loading (its static initializers run), or null.
thread_local const std::string* file_loading_on_this_thread = nullptr;

// Throws when this thread is loading a plugin: `call` is made from the plugin's static
// initializer, and would wait for a lock the load it is part of holds (the loader's, or the
// registry's under discovery), forever. Every public call that takes one asks here first.
void refuse_while_loading(std::string_view call) {
  if (file_loading_on_this_thread == nullptr) return;
  constexpr std::string_view why =
      " while it loads; the call would wait for the load to end, forever. A plugin must not call the plugin "
      "machinery or discover a registry while it loads: move the call out of the initializer";
  throw RegistryError(detail::message(
      {"speculators: ", call, " was called from a static initializer of plugin ", *file_loading_on_this_thread, why}));
}

// The warnings this thread's current call has met (under the loader lock). The call delivers
// them once it holds no lock (deliver_warnings()), so that the handler may call the library,
// and so that what the handler throws reaches that call's caller.
// A pointer, set on the first warning: a thread that meets none never registers the
// cleanup of a thread_local vector.
thread_local std::vector<std::string>* warnings_met = nullptr;

void warn(std::string text) {
  thread_local std::vector<std::string> warnings;
  warnings_met = &warnings;
  warnings.push_back(std::move(text));
}

// Delivers this thread's warnings. One delivery runs at a time in the process, as when
// handlers ran under the loader lock; a handler may still call the library, whose calls
// deliver their own warnings from inside it. When the handler throws, the exception reaches
// the caller and the warnings after that one wait for this thread's next call.
void deliver_warnings() {
  if (warnings_met == nullptr || warnings_met->empty()) return;
  WarningHandler handler;
  {
    Loader& state = loader();
    std::lock_guard lock(state.mutex);
    handler = state.warning_handler;
  }
  static auto* delivering = new std::recursive_mutex;  // never destroyed, like the loader
  std::lock_guard serial(*delivering);
  std::vector<std::string> warnings = std::exchange(*warnings_met, {});
  for (auto it = warnings.begin(); it != warnings.end(); ++it) {
    if (!handler) {
      std::cerr << "speculators: warning: " << *it << '\n';
      continue;
    }
    try {
      handler(*it);
    } catch (...) {
      warnings_met->insert(warnings_met->begin(), std::make_move_iterator(it + 1),
                           std::make_move_iterator(warnings.end()));
      throw;
    }
  }
}

bool writable_by_others(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  return (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
}

// Why a plugin writable by others is refused; `what` is "is" for the file itself, or names
// the directory that is.
[[gnu::cold]] std::string writable_problem(std::string_view what) {
  return detail::message({what,
                          " writable by group or others, so another user could replace it; fix the permissions "
                          "(chmod go-w) or opt in with speculators::allow_writable_plugins(true)"});
}

// Whether plugins writable by others are accepted: allow_writable_plugins(true), or
// SPECULATORS_ALLOW_WRITABLE_PLUGINS=1.
bool writable_allowed(const Loader& state) {
  const char* value = std::getenv("SPECULATORS_ALLOW_WRITABLE_PLUGINS");
  return state.allow_writable || (value != nullptr && std::string_view(value) == "1");
}

std::string entry_text(const char* text) { return text == nullptr ? std::string() : std::string(text); }

// Why a plugin built with another standard library (ABI tag) is refused.
[[gnu::cold]] std::string foreign_toolchain_problem(std::string_view abi_tag, std::string_view compiler) {
  return detail::message({"was built for standard library ", detail::quoted(abi_tag), " (", compiler,
                          "), this host uses ", detail::quoted(SPECULATORS_ABI_TAG),
                          "; objects cannot cross between them. Rebuild the plugin with the host's toolchain"});
}

// The description defaults to the type name, as ClassInfo::description() and the manifest have it.
std::string_view description_of(const SpeculatorsPluginEntry& entry) {
  return entry.description != nullptr && *entry.description != '\0' ? entry.description : entry.type_name;
}

// Lists the classes of a checked manifest in their registries, without their code: each
// entry gets its factory when the plugin loads (detail::load_factory).
std::vector<std::string> list_classes(Loader::Module& module) {
  std::vector<std::string> problems;
  module.classes_listed = true;
  for (const detail::ManifestEntry& e : module.manifest.entries) {
    detail::EntryFields fields;
    fields.name = e.name;
    fields.type_name = e.type_name;
    fields.signature = e.signature;
    fields.description = e.description;
    fields.origin = module.info.file;
    fields.module = &module;
    try {
      detail::add_entry(detail::store_for_key(e.registry_key), fields);
    } catch (const RegistryError& error) {
      problems.emplace_back(error.what());
    }
  }
  return problems;
}

// The most entries a descriptor may declare, and the largest entry it may have: a plugin of
// 2,000 classes is tested (tests/plugins/hostile_many.cpp). Larger counts are a damaged or
// lying descriptor, refused before any entry is read.
constexpr std::uint64_t max_descriptor_entries = 1U << 16;
constexpr std::uint32_t max_entry_size = 1U << 12;

// The registration of `raw`, an entry of `module`'s descriptor, with or without its factory.
detail::EntryFields descriptor_entry_fields(const SpeculatorsPluginEntry& raw, Loader::Module& module, bool with_code) {
  detail::EntryFields fields;
  fields.name = raw.name;
  fields.type_name = raw.type_name;  // in the plugin's memory, which is never unmapped
  fields.signature = raw.signature;
  fields.static_texts = true;
  fields.description = description_of(raw);
  fields.origin = module.info.file;
  fields.factory = with_code ? raw.factory : nullptr;
  fields.extension = with_code ? raw.extension : nullptr;
  fields.module = &module;  // fills the entries listed from this plugin's manifest
  return fields;
}

// Reads and checks the descriptor of an opened library, then registers its entries. Every
// entry is first listed without its code, and gets its factory only once the whole plugin
// passed: a plugin refused for any reason leaves no usable factory, and create() of one of
// its keys goes to detail::load_factory(), which throws its failure.
// @returns the failure reasons, empty on full success.
std::vector<std::string> register_descriptor(detail::LibraryHandle library, Loader::Module& module) {
  PluginInfo& info = module.info;
  void* symbol = detail::find_symbol(library, SPECULATORS_PLUGIN_ENTRY_POINT);
  if (symbol == nullptr) {
    return {detail::message({"has no entry point " SPECULATORS_PLUGIN_ENTRY_POINT
                             "(); it is not a speculators plugin. Build it with speculators_add_plugin()"})};
  }
  const auto entry_point = reinterpret_cast<SpeculatorsPluginEntryPoint>(symbol);
  const SpeculatorsPluginDescriptor* descriptor = entry_point();
  if (descriptor == nullptr) {
    return {detail::message({"its entry point returned no descriptor (null); rebuild the plugin"})};
  }
  info.descriptor_version = descriptor->version;
  if (descriptor->version == 0 || descriptor->version > SPECULATORS_PLUGIN_DESCRIPTOR_VERSION) {
    return {detail::message({"has descriptor version ", descriptor->version, ", this host reads versions 1 to ",
                             SPECULATORS_PLUGIN_DESCRIPTOR_VERSION,
                             "; rebuild the plugin against this host's speculators-registry"})};
  }
  if (descriptor->entry_size < sizeof(SpeculatorsPluginEntry) || descriptor->entry_size > max_entry_size) {
    return {
        detail::message({"has entries of ", descriptor->entry_size, " bytes, expected ", sizeof(SpeculatorsPluginEntry),
                         " to ", max_entry_size, "; the descriptor is damaged, rebuild the plugin"})};
  }
  if (const std::string_view abi_tag = descriptor->abi_tag != nullptr ? descriptor->abi_tag : "";
      abi_tag != SPECULATORS_ABI_TAG) {
    info.abi_tag = abi_tag;
    info.compiler = entry_text(descriptor->compiler);
    return {foreign_toolchain_problem(info.abi_tag, info.compiler)};
  }
  // Counts first: an entry is read only once the count is known to be sane. A count that
  // differs from the manifest's may be a lie, so the classes listed are the manifest's.
  if (module.manifest.present && descriptor->entry_count != module.manifest.entries.size()) {
    std::vector<std::string> problems{detail::manifest_disagreement(module.manifest, *descriptor)};
    if (!module.classes_listed) {
      std::vector<std::string> listing = list_classes(module);
      problems.insert(problems.end(), listing.begin(), listing.end());
    }
    return problems;
  }
  if (descriptor->entry_count > max_descriptor_entries) {
    return {detail::message({"declares ", descriptor->entry_count, " entries, more than the ", max_descriptor_entries,
                             " a plugin may have; the descriptor is damaged, rebuild the plugin"})};
  }
  if (descriptor->entry_count > 0 && descriptor->entries == nullptr) {
    return {detail::message({"declares ", descriptor->entry_count, " entries but gives none; rebuild the plugin"})};
  }
  module.descriptor = descriptor;
  std::vector<std::string> problems;
  detail::for_each_entry(*descriptor, [&](std::uint64_t i, const SpeculatorsPluginEntry& raw) {
    if (!detail::is_complete(raw)) {
      problems.push_back(detail::message({"entry ", i, " is incomplete (a null field); rebuild the plugin"}));
    }
  });
  if (problems.empty() && module.manifest.present) {
    if (std::string disagreement = detail::manifest_disagreement(module.manifest, *descriptor); !disagreement.empty()) {
      problems.push_back(std::move(disagreement));
    }
  }
  // Listed without code, unless listed from the manifest already (which then agrees with the
  // descriptor, and was refused at listing had it named one key twice).
  detail::for_each_entry(*descriptor, [&](std::uint64_t, const SpeculatorsPluginEntry& raw) {
    if (!detail::is_complete(raw)) return;
    detail::RegistryStore& store = detail::store_for_key(raw.registry_key);
    if (const detail::Entry* listed = detail::find_entry(store, raw.name);
        module.classes_listed && listed != nullptr && listed->module == &module) {
      return;
    }
    try {
      detail::add_entry(store, descriptor_entry_fields(raw, module, false));
    } catch (const RegistryError& e) {
      problems.emplace_back(e.what());
    }
  });
  if (!problems.empty()) return problems;
  try {
    detail::for_each_entry(*descriptor, [&](std::uint64_t, const SpeculatorsPluginEntry& raw) {
      detail::add_entry(detail::store_for_key(raw.registry_key), descriptor_entry_fields(raw, module, true));
    });
  } catch (const RegistryError& e) {  // each entry is this plugin's, listed above: not expected
    problems.emplace_back(e.what());
  }
  return problems;
}

// What `module` declares: its file, and once loaded, its descriptor's toolchain and complete
// entries.
const PluginInfo& plugin_info(Loader::Module& module) {
  if (module.descriptor != nullptr && module.info.abi_tag.empty()) {
    module.info.abi_tag = entry_text(module.descriptor->abi_tag);
    module.info.compiler = entry_text(module.descriptor->compiler);
  }
  if (module.descriptor != nullptr && module.info.entries.empty()) {
    detail::for_each_entry(*module.descriptor, [&module](std::uint64_t, const SpeculatorsPluginEntry& raw) {
      if (!detail::is_complete(raw)) return;
      module.info.entries.push_back(
          {raw.registry_key, raw.name, raw.type_name, raw.signature, std::string(description_of(raw))});
    });
  }
  return module.info;
}

// What the manifest shows is wrong before any of the plugin's code runs: a foreign standard
// library, a signature that differs from its registry's, a key that is already taken.
std::vector<std::string> manifest_problems(const detail::Manifest& manifest) {
  std::vector<std::string> problems;
  for (const detail::ManifestEntry& e : manifest.entries) {
    if (e.abi_tag != SPECULATORS_ABI_TAG) {
      problems.push_back(foreign_toolchain_problem(e.abi_tag, e.compiler));
      break;  // one toolchain per plugin: once is enough
    }
    if (std::string bad_key = detail::key_problem(e.name); !bad_key.empty()) {
      problems.push_back(detail::invalid_key_message(e.registry_key, e.name, bad_key));
      continue;
    }
    detail::RegistryStore* store = detail::existing_store(e.registry_key);
    if (store == nullptr) continue;
    if (const std::string expected = detail::conflicting_signature(*store, e.signature); !expected.empty()) {
      problems.push_back(detail::signature_mismatch_message(e.registry_key, e.name, expected, e.signature, {}));
    } else if (const detail::Entry* taken = detail::find_entry(*store, e.name)) {
      problems.push_back(detail::duplicate_key_message(e.registry_key, e.name, taken->type_name,
                                                       detail::entry_origin(*taken), e.type_name, "this plugin"));
    }
  }
  return problems;
}

/// An open descriptor, closed when this goes unless handed on: none is left open when an
/// allocation throws on the way.
class OwnedDescriptor {
 public:
  explicit OwnedDescriptor(int fd) noexcept : fd_(fd) {}
  OwnedDescriptor(OwnedDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  OwnedDescriptor& operator=(OwnedDescriptor&&) = delete;
  OwnedDescriptor(const OwnedDescriptor&) = delete;
  OwnedDescriptor& operator=(const OwnedDescriptor&) = delete;
  ~OwnedDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const noexcept { return fd_; }
  /// Hands the descriptor on: this no longer closes it.
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Reads the manifest of `module` and checks it against the host; none of the plugin's code
// runs. A plugin found by a package scan must not be writable by others: its mode comes from
// the descriptor the check read, so it is the mode of the very file checked, for no extra
// system call (the scan checked the directories above it).
std::vector<std::string> read_checked_manifest(const Loader& state, Loader::Module& module) {
  if (std::string problem = detail::check_plugin_file(module.info.file, module.checked, module.manifest);
      !problem.empty()) {
    return {std::move(problem)};
  }
  const bool found_by_scan = !module.name.empty();
  if (found_by_scan && module.checked.writable_by_others && !writable_allowed(state)) {
    return {writable_problem("is")};
  }
  module.info.has_manifest = module.manifest.present;
  return manifest_problems(module.manifest);
}

// Loads the code of a module whose manifest was checked: its static initializers run here.
// The file is looked at again by the path the dynamic loader opens: a file (or a directory
// above it) replaced in between would otherwise load what was never checked.
std::vector<std::string> open_code(Loader::Module& module) {
  const detail::FileIdentity now = detail::identity_of(module.info.file);
  if (now == detail::FileIdentity{}) {
    return {detail::message({"cannot be looked at again before it is loaded: ", std::strerror(errno),
                             "; check that the file is still there and readable"})};
  }
  if (now != module.checked.identity) {
    // Replaced since the check: what was checked is not what would run.
    return {
        "changed after its manifest was checked; install plugins by writing a new file and renaming it over "
        "the old one, and start the program again to use the new file"};
  }
  std::string error;
  file_loading_on_this_thread = &module.info.file;
  module.library = detail::open_library(module.info.file, error);
  file_loading_on_this_thread = nullptr;
  if (module.library.native == nullptr) {
    return {detail::message({"could not be loaded by the dynamic loader: ", error})};
  }
  return {};
}

// Reads the descriptor of an opened module and registers what it declares.
std::vector<std::string> register_code(Loader::Module& module) {
  std::vector<std::string> problems = register_descriptor(module.library, module);
  if (!module.manifest.present && problems.empty()) {
    warn(detail::message({module.info.file,
                          " has no manifest (built without one, or by an older speculators_add_plugin); it was "
                          "loaded to find its classes. Rebuild it so that it can be checked before it runs"}));
  }
  return problems;
}

/// How far discovery takes a plugin: its file and manifest checked, its classes listed from
/// its manifest, its code loaded by the dynamic loader, or also its registrations read.
enum class Reach { check, list, open, load };

// Takes `module` as far as `reach` asks, once per process (loader lock held). A plugin
// without a manifest is loaded even to list it: its code is the only place its classes are
// named. @returns the module's failure, kept for good once set.
std::optional<std::string> advance(Loader& state, Loader::Module& module, Reach reach) {
  using Stage = Loader::Module::Stage;
  if (module.failure || module.stage == Stage::loaded) return module.failure;
  std::vector<std::string> problems;
  if (module.stage == Stage::unread) {
    problems = read_checked_manifest(state, module);  // refused here, none of the plugin's code has run
    module.stage = Stage::checked;
  }
  const bool load = reach == Reach::load || (reach == Reach::list && !module.manifest.present);
  if (problems.empty() && reach == Reach::list && !load && module.stage == Stage::checked) {
    module.stage = Stage::listed;
    problems = list_classes(module);
  }
  if (problems.empty() && (load || reach == Reach::open) && module.stage != Stage::opened) {
    problems = open_code(module);
    module.stage = Stage::opened;  // not before: should open_code() throw, the module is still to be opened
  }
  if (problems.empty() && load) {
    module.stage = Stage::loaded;
    problems = register_code(module);
  }
  if (problems.empty()) return std::nullopt;
  std::string reason;
  for (const std::string& p : problems) reason += (reason.empty() ? "" : "; ") + p;
  module.failure = reason;
  return reason;
}

Loader::Module& module_for(Loader& state, const std::string& file) {
  auto [it, inserted] = state.modules.try_emplace(file);
  if (inserted) it->second.info.file = file;
  return it->second;
}

PluginFailure record_failure(Loader& state, PluginFailure failure) {
  state.failures.push_back(failure);
  return failure;
}

// advance(), and the failure it caused, if it caused one now: each failure is reported once.
std::optional<PluginFailure> advance_reporting(Loader& state, Loader::Module& module, Reach reach) {
  const bool failed_before = module.failure.has_value();
  const std::optional<std::string> failure = advance(state, module, reach);
  if (!failure || failed_before) return std::nullopt;
  return record_failure(state, {module.info.file, module.name, *failure});
}

std::vector<std::string> split_path_list(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t colon = std::min(text.find(':', start), text.size());
    out.emplace_back(text.substr(start, colon - start));
    start = colon + 1;
  }
  return out;
}

// Where an install keeps plugins, under a library directory: <libdir>/speculators/plugins.
constexpr std::string_view installed_plugins = "speculators/plugins";

// Whether this copy of the library runs from its build tree rather than an install. The shared
// library must sit where the build put it (an install prefix may itself lie inside the build
// tree); a static copy counts when the program holding it is under the build tree.
bool build_tree_binary(const std::string& library, bool shared) {
  const std::string build_dir = SPECULATORS_BUILD_DIR;
  if (build_dir.empty()) return false;
  return shared ? library.substr(0, library.rfind('/')) == SPECULATORS_BUILD_LIBRARY_DIR
                : library.starts_with(build_dir + "/");
}

/// Whether nobody but this user or root can have made `entry`, which lies under `base`: each
/// directory from `base` down to the first that does not exist is owned by one of them and not
/// writable by others. The scan then checks the entry and what it holds as any other. A program
/// place is searched only then: a program in /tmp, whose plugins/ anybody could create, has none.
bool made_by_owner_only(const fs::path& base, const fs::path& entry) {
  const fs::path below = entry.lexically_relative(base);
  fs::path directory = base;
  for (auto component = below.begin();; directory /= *component++) {
    struct stat status {};
    if (::stat(directory.c_str(), &status) != 0) return true;  // its parent, checked, lets nobody else make it
    if ((status.st_uid != 0 && status.st_uid != ::geteuid()) || (status.st_mode & S_IWOTH) != 0) return false;
    if (component == below.end()) return true;
  }
}

/// The places searched after the entries given (the environment, add_plugin_directory()),
/// from where this copy of the library and the program are (`exists` unset).
std::vector<SearchPathEntry> find_default_directories() {
  std::vector<SearchPathEntry> found;
  const auto add = [&found](const fs::path& directory, const char* source) {
    std::string normal = detail::without_trailing_slash(directory.lexically_normal().string());
    const auto same = [&normal](const SearchPathEntry& e) { return e.directory == normal; };
    if (std::none_of(found.begin(), found.end(), same))
      found.push_back(SearchPathEntry{std::move(normal), source, false});
  };
  // Where the library is now, as the dynamic loader names it (a prefix moved as a whole is
  // found where its files are); resolved only when that name does not already say it is the
  // build tree's copy, which a build tree on a linked path can hide.
  const void* self = reinterpret_cast<const void*>(&plugin_search_path);
  std::string library = fs::path(detail::binary_named(self)).lexically_normal().string();
  const bool shared = fs::path(library).filename().string().starts_with("libspeculators_registry.so");
  bool in_build_tree = build_tree_binary(library, shared);
  if (!in_build_tree && !std::string_view(SPECULATORS_BUILD_DIR).empty() &&
      ::access(SPECULATORS_BUILD_DIR, F_OK) == 0) {
    library = detail::binary_holding(self);
    in_build_tree = build_tree_binary(library, shared);
  }
  const fs::path library_dir = fs::path(library).parent_path();
  // An installed shared library keeps its plugins beside it; a static copy's install
  // default is the program's, below.
  if (shared && !in_build_tree) add(library_dir / installed_plugins, "install");
  // The program's own places, as plugin hosts commonly search them: <program dir>/plugins
  // (a project's build tree: speculators_add_plugin() puts plugins there by default) and the
  // library directory of the prefix the program is installed in.
  if (const std::string program = detail::program_file(); !program.empty()) {
    const fs::path program_dir = fs::path(program).parent_path();
    const fs::path prefix = program_dir.parent_path();
    const auto add_owned = [&add](const fs::path& base, const fs::path& directory) {
      if (made_by_owner_only(base, directory)) add(directory, "program");
    };
    add_owned(program_dir, program_dir / "plugins");
    add_owned(prefix, prefix / SPECULATORS_INSTALL_LIBDIR / installed_plugins);
    if (std::string_view(SPECULATORS_INSTALL_LIBDIR) != "lib") add_owned(prefix, prefix / "lib" / installed_plugins);
  }
  if (in_build_tree) add(SPECULATORS_BUILD_PLUGIN_DIR, "build tree");
  return found;
}

/// What the search path is resolved for: a scan, which warns about the entries it ignores, or
/// a report (plugin_search_path()), which says whether each entry exists. A scan does not need
/// to know: it opens each entry's package directory, and a missing one fails to open.
enum class SearchPathUse { scan, report };

std::vector<SearchPathEntry> resolve_search_path(Loader& state, SearchPathUse use) {
  const bool warn_ignored = use == SearchPathUse::scan;
  std::vector<SearchPathEntry> path;
  path.reserve(6);  // a usual path: one entry added, the install default, the program's places
  const auto add = [&path, use](std::string directory, const char* source) {
    std::error_code ec;
    const bool exists = use == SearchPathUse::report && fs::is_directory(directory, ec);
    path.push_back(SearchPathEntry{std::move(directory), source, exists});
  };
  // A variable set to nothing (SPECULATORS_PLUGIN_PATH=) means no entries, as if unset.
  if (const char* env = std::getenv("SPECULATORS_PLUGIN_PATH"); env != nullptr && *env != '\0') {
    for (std::string& entry : split_path_list(env)) {
      if (entry.empty() || entry.front() != '/') {
        if (warn_ignored) {
          warn("SPECULATORS_PLUGIN_PATH entry " + detail::quoted(entry) +
               " is ignored: only absolute directories are searched (an empty or relative entry "
               "would mean the current directory)");
        }
        continue;
      }
      add(std::move(entry), "SPECULATORS_PLUGIN_PATH");
    }
  }
  for (const std::string& directory : state.code_directories) add(directory, "add_plugin_directory");
  // Where this copy of the library and the program are does not change while it runs.
  static const std::vector<SearchPathEntry> defaults = find_default_directories();
  for (const SearchPathEntry& entry : defaults) add(entry.directory, entry.source.c_str());
  return path;
}

std::string package_directory(std::string_view package) {
  std::string dir(package);
  std::replace(dir.begin(), dir.end(), '.', '/');
  return dir;
}

// Directories of one search-path entry's walk found not writable by group or others, each
// with every directory above it up to the entry: a directory is checked once, not once per file.
// Searched from the last added: the files of one directory are found together.
using CheckedDirectories = std::vector<std::string>;

// Why the scan refuses `real_file` under `real_root` (both canonical): a link leading out of
// the root, or a directory between them writable by others; empty when accepted. The file's
// own mode is checked with its manifest (read_checked_manifest()), from the descriptor the
// check reads: a stat here would cost a second walk of its path.
std::string security_problem(bool allow_writable, const std::string& real_root, const std::string& real_file,
                             CheckedDirectories& checked) {
  const bool below_root = real_root == "/" ? real_file.size() > 1
                                           : real_file.starts_with(real_root) && real_file.size() > real_root.size() &&
                                                 real_file[real_root.size()] == '/';
  if (!below_root) {
    return detail::message({"is a symbolic link leading out of its plugin directory ", real_root, " (to ", real_file,
                            "); copy the plugin into the directory instead"});
  }
  if (allow_writable) return {};
  // Each directory from the file's own up to the root, stopping at one already checked.
  std::vector<std::string_view> directories;
  for (std::string_view p = real_file; p.size() > real_root.size();) {
    p = p.substr(0, std::max<std::size_t>(p.rfind('/'), 1));  // a top-level entry's directory is "/"
    if (std::find(checked.rbegin(), checked.rend(), p) != checked.rend()) break;
    if (writable_by_others(std::string(p))) {
      return writable_problem(detail::message({"is in directory ", p, ", which is"}));
    }
    directories.push_back(p);
  }
  for (std::string_view directory : directories) checked.emplace_back(directory);
  return {};
}

// The dotted name of the module at `relative` (a path below the package's directory).
std::string module_name(std::string_view package, std::string_view relative) {
  relative.remove_suffix(std::string_view(".so").size());
  std::string name;
  name.reserve(package.size() + 1 + relative.size());
  name = package;
  if (!name.empty()) name += '.';
  name += relative;
  std::replace(name.begin() + static_cast<std::ptrdiff_t>(name.size() - relative.size()), name.end(), '/', '.');
  return name;
}

// `directory` and `name` joined by one '/', in one allocation.
std::string joined_path(std::string_view directory, std::string_view name) {
  std::string path;
  path.reserve(directory.size() + 1 + name.size());
  path.append(directory).append(1, '/').append(name);
  return path;
}

// Why a directory of a package cannot be read, and what to do: the advice depends on the cause.
[[gnu::cold]] std::string unreadable_directory_problem(int error) {
  const char* advice = "Fix its permissions or move the plugins out";
  if (error == EMFILE || error == ENFILE) {
    advice = "The process has too many files open; raise its limit of open files (ulimit -n) or open fewer";
  } else if (error == ENAMETOOLONG) {
    advice = "Its path is longer than the system allows; move the plugins to a shorter path";
  } else if (error != EACCES && error != EPERM) {
    advice = "Check the file system";
  }
  return detail::message({"cannot be read: ", std::strerror(error), "; plugins in it are not found. ", advice});
}

// The dynamic loader opens a plugin by its path, which the system refuses past PATH_MAX.
[[gnu::cold]] std::string path_too_long_problem(std::size_t length) {
  return detail::message({"has a path of ", length, " bytes, longer than the system allows (PATH_MAX, ", PATH_MAX,
                          "), so it cannot be loaded: ", std::strerror(ENAMETOOLONG),
                          ". Move the plugin to a shorter path"});
}

/// How many directories deep below a package directory the scan looks for plugins: a limit, so
/// that no tree, however deep, costs more than this many open directories (the walk holds one
/// per level) and bounded time. A directory below the limit is reported, not walked.
constexpr std::size_t max_package_depth = 32;

[[gnu::cold]] std::string too_deep_problem() {
  return detail::message({"is more than ", max_package_depth,
                          " directories below its package directory, where the scan stops; plugins in it are "
                          "not found. Move them up"});
}

/// A *.so entry found below a package directory.
struct FoundFile {
  std::string relative;  ///< its path below the package directory
  bool is_link = false;
  bool is_regular = false;  ///< a regular file itself (a link is resolved later)
};

/// The walk of one package directory: what it finds, and where it reads.
struct PackageWalk {
  std::vector<FoundFile> found;                                 ///< the *.so entries
  std::vector<std::pair<std::string, std::string>> unreadable;  ///< directories it does not walk, and why
  std::array<char, 2048> buffer;                                ///< directory entries, read by every level in turn
};

// Appends the *.so entries of the open directory `directory_fd` (at `prefix` below the
// package directory) to `walk.found`, and the names of its subdirectories to `subdirectories`.
// The type of each entry comes from the directory itself, so a file costs no system call
// here, and directory links are not followed, so a link loop cannot trap the walk. The
// entries are read with getdents64 (readdir's DIR allocates 32 KiB and costs three more
// system calls a directory).
void read_directory(int directory_fd, const std::string& prefix, PackageWalk& walk,
                    std::vector<std::string>& subdirectories) {
  auto& buffer = walk.buffer;
  for (;;) {
    const ssize_t length = ::getdents64(directory_fd, buffer.data(), buffer.size());
    if (length <= 0) {
      if (length < 0) walk.unreadable.emplace_back(prefix, unreadable_directory_problem(errno));
      break;
    }
    for (ssize_t at = 0; at < length;) {
      const auto* entry = reinterpret_cast<const dirent64*>(buffer.data() + at);
      at += entry->d_reclen;
      const std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      unsigned char type = entry->d_type;
      if (type == DT_UNKNOWN) {  // a file system that does not say: ask
        struct stat st {};
        if (::fstatat(directory_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
      }
      if (type == DT_DIR) {
        subdirectories.emplace_back(name);
      } else if (name.size() > 3 && name.ends_with(".so")) {  // a file named ".so" alone is not a module
        std::string relative;
        relative.reserve(prefix.size() + name.size());
        relative.append(prefix).append(name);
        walk.found.push_back({std::move(relative), type == DT_LNK, type == DT_REG});
      }
    }
  }
}

// Appends the *.so entries below the open package directory `package` to `walk.found`, and
// the directories it does not walk to `walk.unreadable`, to be reported: plugins in them would
// be missed without a word otherwise. Walked depth first without recursion, at most
// max_package_depth levels down, each directory opened in its parent's descriptor.
void find_plugin_files(OwnedDescriptor package, PackageWalk& walk) {
  struct Level {
    OwnedDescriptor directory;
    std::string prefix;                       // below the package directory, ending in '/'; empty for it
    std::vector<std::string> subdirectories;  // walked once the directory is read: the buffer is shared
    std::size_t next = 0;
  };
  std::vector<Level> levels;
  levels.push_back({std::move(package), {}, {}});
  read_directory(levels.back().directory.get(), levels.back().prefix, walk, levels.back().subdirectories);
  while (!levels.empty()) {
    Level& level = levels.back();
    if (level.next == level.subdirectories.size()) {
      levels.pop_back();
      continue;
    }
    const std::string& name = level.subdirectories[level.next++];
    if (levels.size() > max_package_depth) {
      walk.unreadable.emplace_back(level.prefix + name, too_deep_problem());
      continue;
    }
    OwnedDescriptor child(
        ::openat(level.directory.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (child.get() < 0) {
      const int error = errno;
      walk.unreadable.emplace_back(level.prefix + name, unreadable_directory_problem(error));
      continue;
    }
    Level deeper{std::move(child), level.prefix + name + "/", {}};
    read_directory(deeper.directory.get(), deeper.prefix, walk, deeper.subdirectories);
    levels.push_back(std::move(deeper));  // `level` and `name` are not used after this
  }
}

/// A package directory of one search-path entry, open for the walk, and the canonical names
/// of the entry and of the directory, from which the files below are named.
struct OpenPackage {
  OwnedDescriptor fd;
  std::string real_root;
  std::string real_package;
};

// Opens `directory` (ending in '/'), the package's directory under search-path entry `root`.
// Where no component of the path is a link, the names are canonical as they stand: one
// system call. @returns nothing when the directory cannot be opened: `error` is then why, or
// 0 when the entry has no such directory.
std::optional<OpenPackage> open_package_directory(const std::string& root, const std::string& directory, int& error) {
  error = 0;
  if (const int fd = detail::open_canonical(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
    return OpenPackage{OwnedDescriptor(fd), detail::without_trailing_slash(root),
                       detail::without_trailing_slash(directory)};
  }
  if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
  // Not plain, a link on the way, or a kernel that cannot tell: opened and resolved below.
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT && errno != ENOTDIR) error = errno;
    return std::nullopt;
  }
  std::error_code ec;
  OpenPackage opened{OwnedDescriptor(fd), detail::canonical_path(root, ec), detail::canonical_path_of(fd)};
  if (!ec && opened.real_package.empty()) opened.real_package = detail::canonical_path(directory, ec);
  if (ec || opened.real_root.empty() || opened.real_package.empty()) {  // moved or removed since it was opened
    return std::nullopt;
  }
  return opened;
}

// Why a file is refused that has the module name of `other`, another file of the same entry.
[[gnu::cold]] std::string same_module_problem(std::string_view name, std::string_view other) {
  return detail::message({"is module ", name, ", and so is ", other,
                          " (a dot in a file name reads as a directory); neither is loaded. Rename or remove one"});
}

// Orders modules by dotted name, and finds one by its name alone.
struct ByModuleName {
  using is_transparent = void;
  bool operator()(const PluginModule& a, const PluginModule& b) const { return a.name < b.name; }
  bool operator()(const PluginModule& a, std::string_view b) const { return a.name < b; }
  bool operator()(std::string_view a, const PluginModule& b) const { return a < b.name; }
};

// Scans one package over the search path (lock held). Refused files are reported in `refused`.
// A canonical path costs system calls, so the entry and the package directory are resolved
// once and the files below from them: the walk follows no directory links, so only a file that
// is itself a link needs resolving (measured in bench/: discovery).
std::vector<PluginModule> scan_package(Loader& state, std::string_view package, std::vector<PluginFailure>& refused) {
  std::set<PluginModule, ByModuleName> by_name;  // the first root wins
  // Names that two files of one entry have: to its entry, and the first of the files.
  std::map<std::string, std::pair<std::string, std::string>, std::less<>> ambiguous_names;
  const std::string relative = package_directory(package);
  const bool allow_writable = writable_allowed(state);
  PackageWalk walk{{}, {}, {}};
  const auto search_path = resolve_search_path(state, SearchPathUse::scan);
  for (const SearchPathEntry& entry : search_path) {
    // Per entry: a directory checked up to one entry is not checked up to another (entries
    // may lie inside one another).
    CheckedDirectories checked;
    std::string dir_text = entry.directory;
    if (!dir_text.ends_with('/')) dir_text += '/';
    if (!relative.empty()) dir_text += relative + '/';
    int open_error = 0;
    std::optional<OpenPackage> opened = open_package_directory(entry.directory, dir_text, open_error);
    if (!opened) {
      if (open_error != 0) {
        refused.push_back(
            {detail::without_trailing_slash(dir_text), std::string(package), unreadable_directory_problem(open_error)});
      }
      continue;  // this entry does not hold the package
    }
    const std::string& real_root = opened->real_root;
    const std::string& real_package = opened->real_package;
    walk.found.clear();
    walk.unreadable.clear();
    find_plugin_files(std::move(opened->fd), walk);
    for (auto& [below, problem] : walk.unreadable) {
      refused.push_back({dir_text + below, std::string(package), std::move(problem)});
    }
    for (const FoundFile& file : walk.found) {
      // Lexical: the name is where the file sits, even when it is a link to elsewhere.
      std::string name = module_name(package, file.relative);
      const auto place = by_name.lower_bound(std::string_view(name));  // where it goes, if it is kept
      const bool named_before = place != by_name.end() && place->name == name;
      if (named_before && place->root != entry.directory) continue;  // shadowed by an earlier entry
      if (const auto ambiguous = ambiguous_names.find(name); ambiguous != ambiguous_names.end()) {
        if (ambiguous->second.first == entry.directory) {  // a third file of the same entry
          refused.push_back({dir_text + file.relative, name, same_module_problem(name, ambiguous->second.second)});
        }
        continue;
      }
      std::error_code type_ec;
      const auto path = [&] { return dir_text + file.relative; };  // where it was found, as reported
      if (file.is_link) {
        const fs::file_status target = fs::status(path(), type_ec);
        if (type_ec || !fs::is_regular_file(target)) {
          refused.push_back(
              {path(), name,
               type_ec ? detail::message({"is a dangling or looping symbolic link (", type_ec.message(),
                                          "); fix or remove the link"})
                       : detail::message({"is a symbolic link to a directory or a special file, not to a plugin file; "
                                          "remove the link"})});
          continue;
        }
      } else if (!file.is_regular) {
        continue;  // a pipe or a device named like a plugin: nothing the loader could use
      }
      std::string real_file =
          file.is_link ? detail::canonical_path(path(), type_ec) : joined_path(real_package, file.relative);
      std::string problem =
          type_ec ? detail::message({"cannot be resolved: ", type_ec.message(), "; fix or remove the link"})
          : real_file.size() >= PATH_MAX ? path_too_long_problem(real_file.size())
                                         : security_problem(allow_writable, real_root, real_file, checked);
      if (!problem.empty()) {
        refused.push_back({path(), name, std::move(problem)});
        continue;
      }
      if (named_before) {
        if (place->file == real_file) continue;  // the same file: an entry listed twice
        // Two files of one entry named alike (pk/a.b.so and pk/a/b.so): which one is meant
        // cannot be told, so neither is loaded, and the name stays taken for later entries.
        refused.push_back({path(), name, same_module_problem(name, place->file)});
        refused.push_back({place->file, name, same_module_problem(name, path())});
        ambiguous_names.emplace(name, std::make_pair(entry.directory, place->file));
        by_name.erase(place);
        continue;
      }
      by_name.emplace_hint(place, PluginModule{std::move(name), std::move(real_file), entry.directory, false});
    }
  }
  std::vector<PluginModule> modules;
  modules.reserve(by_name.size());
  while (!by_name.empty()) modules.push_back(std::move(by_name.extract(by_name.begin()).value()));
  return modules;
}

bool is_ignored(std::string_view module, std::span<const std::string_view> ignored) {
  return std::any_of(ignored.begin(), ignored.end(), [module](std::string_view pattern) {
    return module == pattern ||
           (module.starts_with(pattern) && module.size() > pattern.size() && module[pattern.size()] == '.');
  });
}

// Discovers the modules of every package of `spec` not loaded yet (loader lock taken here).
// @returns the dotted names of the package's modules, and adds failures to `failures`.
std::vector<std::string> import_packages(const detail::DiscoverySpec& spec, std::vector<PluginFailure>& failures) {
  Loader& state = loader();
  refuse_while_loading("discovery");
  std::lock_guard lock(state.mutex);
  // Eagerly, every plugin is checked first, then all are opened back to back, then the
  // registrations of all are read: work between two dlopen calls evicts the dynamic loader's
  // own lists from the caches, and each dlopen walks them (measured in bench/: discovery).
  const Reach first_reach = spec.eager ? Reach::check : Reach::list;
  std::vector<std::pair<Loader::Module*, std::string_view>> taken;
  // Names of modules taken from an earlier package of this base (views of the package cache's
  // names, kept while the lock is held); needed only when the base names several packages.
  std::optional<std::set<std::string_view>> seen;
  if (spec.packages.size() > 1) seen.emplace();
  for (std::string_view package : spec.packages) {
    auto cached = state.package_cache.find(package);
    if (cached == state.package_cache.end()) {
      Loader::PackageScan scan;
      scan.modules = scan_package(state, package, scan.refused);
      cached = state.package_cache.emplace(std::string(package), std::move(scan)).first;
    }
    for (const PluginFailure& f : cached->second.refused) {
      if (is_ignored(f.module, spec.ignored_modules) || !state.reported_refusals.insert(f.file).second) continue;
      failures.push_back(record_failure(state, f));
    }
    for (const PluginModule& module : cached->second.modules) {
      if (is_ignored(module.name, spec.ignored_modules)) continue;
      // In an earlier package of this base too (names are unique within one package's scan).
      if (seen && !seen->insert(module.name).second) continue;
      Loader::Module& known = module_for(state, module.file);
      if (known.name.empty()) known.name = module.name;
      if (std::optional<PluginFailure> failure = advance_reporting(state, known, first_reach)) {
        failures.push_back(std::move(*failure));
      }
      taken.emplace_back(&known, module.name);
    }
  }
  if (spec.eager) {
    for (const Reach reach : {Reach::open, Reach::load}) {
      for (auto [known, name] : taken) {
        if (std::optional<PluginFailure> failure = advance_reporting(state, *known, reach)) {
          failures.push_back(std::move(*failure));
        }
      }
    }
  }
  std::vector<std::string> names;
  for (auto [known, name] : taken) {
    if (!known->failure) names.emplace_back(name);
  }
  return names;
}

// Throws the PluginLoadError of `failures`, for `registry`.
[[noreturn]] void throw_plugin_failures(std::string_view registry, std::vector<PluginFailure> failures) {
  std::string message = detail::plugin_failures_message(registry, failures);  // before failures is moved
  throw PluginLoadError(message, std::string(registry), std::move(failures));
}

// Throws the PluginLoadError of a plugin file named to `call` ("load_plugin()"): of no registry.
[[noreturn]] void throw_file_failure(std::string_view call, PluginFailure failure) {
  std::string message = detail::plugin_file_message(call, failure);
  throw PluginLoadError(message, {}, {std::move(failure)});
}

// Keeps `failures` for the store's next call to report (see populate()): a warning handler
// threw before this call could report them.
void keep_failures_pending(detail::RegistryStore& store, std::vector<PluginFailure> failures) {
  std::lock_guard lock(store.populate_mutex);
  store.pending_failures.insert(store.pending_failures.end(), std::make_move_iterator(failures.begin()),
                                std::make_move_iterator(failures.end()));
  store.populated.store(false, std::memory_order_release);
}

// The canonical path of a plugin file named to `call`. @throws PluginLoadError naming it
fs::path resolve_named_file(const fs::path& file, std::string_view call) {
  std::error_code ec;
  fs::path real = detail::canonical_path(file.string(), ec);
  if (ec) throw_file_failure(call, {file.string(), {}, "cannot be resolved: " + ec.message() + "; check the path"});
  return real;
}

}  // namespace

void add_plugin_directory(const fs::path& directory) {
  const std::string& text = directory.native();
  if (!text.starts_with('/')) {
    throw RegistryError("speculators: add_plugin_directory(" + detail::quoted(directory.string()) +
                        "): the directory must be an absolute path; a relative one would depend on the "
                        "current directory. Pass std::filesystem::absolute(dir) if that is what you mean.");
  }
  refuse_while_loading("add_plugin_directory()");
  Loader& state = loader();
  std::lock_guard lock(state.mutex);
  // A plain path is its own normal form: lexically_normal() would only copy it, at length.
  state.code_directories.push_back(detail::is_plain_path(text) ? text : directory.lexically_normal().string());
  state.package_cache.clear();
}

std::vector<SearchPathEntry> plugin_search_path() {
  refuse_while_loading("plugin_search_path()");
  Loader& state = loader();
  std::lock_guard lock(state.mutex);
  return resolve_search_path(state, SearchPathUse::report);
}

std::vector<PluginModule> find_package_modules(std::string_view package, std::vector<PluginFailure>* refused) {
  refuse_while_loading("find_package_modules()");
  Loader& state = loader();
  std::vector<PluginModule> modules;
  {
    std::lock_guard lock(state.mutex);
    std::vector<PluginFailure> ignored;
    std::vector<PluginFailure>& refusals = refused != nullptr ? *refused : ignored;
    modules = scan_package(state, package, refusals);
    // Discovery checks each file's mode when it reads the file (read_checked_manifest()); a
    // listing reads no file, so it asks here, to refuse what discovery would.
    const bool allow_writable = writable_allowed(state);
    std::erase_if(modules, [&](const PluginModule& m) {
      if (allow_writable || !writable_by_others(m.file)) return false;
      refusals.push_back({m.file, m.name, writable_problem("is")});
      return true;
    });
    for (PluginModule& m : modules) {
      const auto known = state.modules.find(m.file);
      m.loaded = known != state.modules.end() && known->second.stage == Loader::Module::Stage::loaded &&
                 !known->second.failure;
    }
  }
  deliver_warnings();
  return modules;
}

PluginInfo read_plugin_manifest(const fs::path& file) {
  const fs::path real = resolve_named_file(file, "read_plugin_manifest()");
  detail::CheckedFile checked;
  detail::Manifest manifest;
  if (std::string problem = detail::check_plugin_file(real.string(), checked, manifest); !problem.empty()) {
    throw_file_failure("read_plugin_manifest()", {real.string(), {}, std::move(problem)});
  }
  PluginInfo info;
  info.file = real.string();
  info.has_manifest = manifest.present;
  if (!manifest.entries.empty()) {
    info.descriptor_version = manifest.entries.front().version;
    info.abi_tag = manifest.entries.front().abi_tag;
    info.compiler = manifest.entries.front().compiler;
  }
  for (const detail::ManifestEntry& e : manifest.entries) {
    info.entries.push_back({std::string(e.registry_key), std::string(e.name), std::string(e.type_name),
                            std::string(e.signature), std::string(e.description)});
  }
  return info;
}

PluginInfo load_plugin(const fs::path& file) {
  refuse_while_loading("load_plugin()");
  Loader& state = loader();
  const fs::path real = resolve_named_file(file, "load_plugin()");
  std::optional<PluginFailure> failure;  // kept by the module: every call for the file reports it
  PluginInfo info;
  {
    std::lock_guard lock(state.mutex);
    Loader::Module& module = module_for(state, real.string());
    advance_reporting(state, module, Reach::load);
    if (module.failure) {
      failure = PluginFailure{real.string(), module.name, *module.failure};
    } else {
      info = plugin_info(module);
    }
  }
  deliver_warnings();
  if (failure) throw_file_failure("load_plugin()", std::move(*failure));
  return info;
}

std::vector<PluginFailure> plugin_failures() {
  refuse_while_loading("plugin_failures()");
  Loader& state = loader();
  std::lock_guard lock(state.mutex);
  return state.failures;
}

PluginFailureHandler set_plugin_failure_handler(PluginFailureHandler handler) {
  refuse_while_loading("set_plugin_failure_handler()");
  Loader& state = loader();
  std::lock_guard lock(state.mutex);
  return std::exchange(state.failure_handler, std::move(handler));
}

WarningHandler set_warning_handler(WarningHandler handler) {
  refuse_while_loading("set_warning_handler()");
  Loader& state = loader();
  std::lock_guard lock(state.mutex);
  return std::exchange(state.warning_handler, std::move(handler));
}

void allow_writable_plugins(bool allow) {
  refuse_while_loading("allow_writable_plugins()");
  Loader& state = loader();
  std::lock_guard lock(state.mutex);
  state.allow_writable = allow;
}

namespace detail {

bool is_populated(const RegistryStore& store) noexcept { return store.populated.load(std::memory_order_acquire); }

std::vector<std::string> import_package_modules(RegistryStore& store, const DiscoverySpec& spec) {
  refuse_while_loading("auto_import_package_modules()");
  if (spec.packages.empty()) throw DiscoveryError(missing_package_message(store.key), store.key);
  std::vector<PluginFailure> failures;
  std::vector<std::string> names = import_packages(spec, failures);
  {
    std::lock_guard lock(store.populate_mutex);
    std::set<std::string, std::less<>> known(store.imported_modules.begin(), store.imported_modules.end());
    for (const std::string& name : names) {
      if (known.insert(name).second) store.imported_modules.push_back(name);
    }
  }
  try {
    deliver_warnings();
  } catch (...) {
    // The failures are not lost: with discovery on, the registry's next call reports them
    // (without it, plugin_failures() still lists them).
    if (!failures.empty() && spec.enabled) keep_failures_pending(store, std::move(failures));
    throw;
  }
  if (!failures.empty()) throw_plugin_failures(store.key, std::move(failures));
  return names;
}

bool populate(RegistryStore& store, const DiscoverySpec& spec, bool throw_failures) {
  if (!spec.enabled) throw DiscoveryError(discovery_disabled_message(store.key), store.key);
  refuse_while_loading("discovery");  // before the populate lock, which this thread's discovery may hold
  bool discovered = false;
  std::vector<PluginFailure> failures;  // to be reported by this call
  PluginFailureHandler handler;
  {
    std::lock_guard lock(store.populate_mutex);
    if (store.pending_failures.empty()) {
      if (store.populated.load(std::memory_order_acquire)) return false;
      if (spec.packages.empty()) throw DiscoveryError(missing_package_message(store.key), store.key);
      store.imported_modules = import_packages(spec, failures);
      discovered = true;
    } else {  // kept by an earlier call that throws nothing (find), or whose warning handler threw
      failures = std::exchange(store.pending_failures, {});
    }
    {
      Loader& state = loader();
      std::lock_guard loader_lock(state.mutex);
      handler = state.failure_handler;
    }
    if (!failures.empty() && !handler && !throw_failures) {
      // find() reports absence only: the next call that throws reports these. Until then the
      // registry does not count as populated, so that the next lookup comes back here.
      store.pending_failures = std::exchange(failures, {});
    } else {
      store.populated.store(true, std::memory_order_release);
    }
  }
  // No lock is held from here on: the handlers may call the library.
  try {
    deliver_warnings();
  } catch (...) {
    if (!failures.empty()) keep_failures_pending(store, std::move(failures));
    throw;
  }
  if (!failures.empty() && !handler) throw_plugin_failures(store.key, std::move(failures));
  for (auto it = failures.begin(); it != failures.end(); ++it) {
    try {
      handler(*it);
    } catch (...) {
      // The exception reaches the caller; the failures after this one go to the handler
      // with the registry's next call.
      if (it + 1 != failures.end()) {
        keep_failures_pending(store, {std::make_move_iterator(it + 1), std::make_move_iterator(failures.end())});
      }
      throw;
    }
  }
  return discovered;
}

ErasedFactory load_factory(const Entry& entry) {
  refuse_while_loading("create() of a class not loaded yet");
  std::optional<PluginFailure> failure;
  if (entry.module != nullptr) {
    {
      Loader& state = loader();
      std::lock_guard lock(state.mutex);
      // The entry's token is the module that listed it (list_classes): a node of `modules`.
      auto& module = *static_cast<Loader::Module*>(const_cast<void*>(entry.module));
      advance_reporting(state, module, Reach::load);
      if (module.failure) failure = PluginFailure{module.info.file, module.name, *module.failure};
    }
    deliver_warnings();
  }
  if (failure) throw_plugin_failures(entry.registry_key, {std::move(*failure)});
  if (const ErasedFactory factory = entry.factory.load(std::memory_order_acquire)) return factory;
  throw_plugin_failures(entry.registry_key, {{std::string(entry_origin(entry)),
                                              {},
                                              "loaded without registering " + quoted(entry.name) +
                                                  ", which its manifest lists; rebuild the plugin"}});
}

std::vector<std::string> imported_modules(const RegistryStore& store) {
  refuse_while_loading("auto_imported_modules()");  // the populate lock may be held by this thread's discovery
  auto& mutable_store = const_cast<RegistryStore&>(store);
  std::lock_guard lock(mutable_store.populate_mutex);
  return mutable_store.imported_modules;
}

}  // namespace detail

}  // namespace speculators
