// The loader: each plugin file a module, taken from its check through its load once per
// process, and the factories of its classes.
#include "loader.hpp"

#include "messages.hpp"
#include "path_text.hpp"
#include "store.hpp"

#include <speculators/detail/plugin_entry.hpp>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace speculators {

namespace fs = std::filesystem;

namespace detail {

namespace {

// The plugin file this thread is loading (its static initializers run), or null.
thread_local const std::string* file_loading_on_this_thread = nullptr;

std::string entry_text(const char* text) { return text == nullptr ? std::string() : std::string(text); }

// Lists the classes of a checked manifest in their registries, without their code: each
// entry gets its factory when the plugin loads (detail::load_factory).
std::vector<std::string> list_classes(Loader::Module& module) {
  std::vector<std::string> problems;
  module.classes_listed = true;
  for (const manifest::Record& e : module.manifest.entries) {
    detail::EntryFields fields;
    fields.record = e.registration;
    fields.origin = module.info.file;
    fields.module = &module;
    try {
      detail::add_entry(detail::store_for_key(e.registration.registry_key), fields);
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
  fields.record = record_of(raw);
  fields.static_texts = true;  // in the plugin's memory, which is never unmapped
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
std::vector<std::string> register_descriptor(const os::Library& library, Loader::Module& module) {
  PluginInfo& info = module.info;
  void* symbol = library.symbol(SPECULATORS_PLUGIN_ENTRY_POINT);
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
    const RegistrationRecord record = record_of(raw);
    detail::RegistryStore& store = detail::store_for_key(record.registry_key);
    if (const detail::Entry* listed = detail::find_entry(store, record.name);
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
      const detail::EntryFields fields = descriptor_entry_fields(raw, module, true);
      detail::add_entry(detail::store_for_key(fields.record.registry_key), fields);
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
      if (detail::is_complete(raw)) module.info.entries.push_back(record_of(raw).owned());
    });
  }
  return module.info;
}

// Loads the code of a module whose manifest was checked: its static initializers run here.
// The file is looked at again by the path the dynamic loader opens: a file (or a directory
// above it) replaced in between would otherwise load what was never checked.
std::vector<std::string> open_code(Loader::Module& module) {
  os::Error looked;
#if defined(_WIN32)
  // Held open across the load, shared for reading only: nobody can replace or change the file
  // between this look and the loader's. (On POSIX a plugin's load opens no descriptor of ours.)
  const os::File held = os::File::open(module.info.file, looked);
  const os::FileIdentity now = held.identity();
#else
  const os::FileIdentity now = os::identity_of(module.info.file, looked);
#endif
  if (looked) {
    return {detail::message({"cannot be looked at again before it is loaded: ", looked.text,
                             "; check that the file is still there and readable"})};
  }
  if (now != module.checked.identity) {
    // Replaced since the check: what was checked is not what would run.
    return {
        "changed after its manifest was checked; install plugins by writing a new file and renaming it over "
        "the old one, and start the program again to use the new file"};
  }
  os::Error error;
  file_loading_on_this_thread = &module.info.file;
  module.library = os::Library::load(module.info.file, error);
  file_loading_on_this_thread = nullptr;
  if (!module.library) {
    return {detail::message({"could not be loaded by the dynamic loader: ", error.text})};
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

// Takes `module` as far as `reach` asks, once per process (loader lock held). A plugin
// without a manifest is loaded even to list it: its code is the only place its classes are
// named. @returns the module's failure, kept for good once set.
std::optional<std::string> advance(Loader& state, Loader::Module& module, Reach reach) {
  using Stage = Loader::Module::Stage;
  if (module.failure || module.stage == Stage::loaded) return module.failure;
  const auto joined = [](const std::vector<std::string>& problems) {
    std::string reason;
    for (const std::string& p : problems) reason += (reason.empty() ? "" : "; ") + p;
    return reason;
  };
  // Each stage is timed and traced when the trace is on: what it did, or why it failed.
  const bool traced = tracing(state);
  std::chrono::steady_clock::time_point started;
  const auto start = [&started, traced] {
    if (traced) started = std::chrono::steady_clock::now();
  };
  // `done` makes the text of a stage that passed, only when the trace is on.
  const auto traced_stage = [&](std::string_view step, const std::vector<std::string>& problems, const auto& done) {
    if (traced)
      trace(state, module.info.file, step, problems.empty() ? done() : "failed: " + joined(problems), started);
  };
  const auto classes = [](std::size_t count) { return std::to_string(count) + (count == 1 ? " class" : " classes"); };
  std::vector<std::string> problems;
  if (module.stage == Stage::unread) {
    start();
    problems = read_checked_manifest(state, module);  // refused here, none of the plugin's code has run
    module.stage = Stage::checked;
    traced_stage("check", problems, [&] {
      return module.manifest.present
                 ? "passed, none of its code run: its manifest lists " + classes(module.manifest.entries.size())
                 : std::string("passed, but it has no manifest: it is loaded to find its classes");
    });
  }
  const bool load = reach == Reach::load || (reach == Reach::list && !module.manifest.present);
  if (problems.empty() && reach == Reach::list && !load && module.stage == Stage::checked) {
    start();
    module.stage = Stage::listed;
    problems = list_classes(module);
    traced_stage("list", problems,
                 [&] { return classes(module.manifest.entries.size()) + " listed from the manifest, not loaded"; });
  }
  if (problems.empty() && (load || reach == Reach::open) && module.stage != Stage::opened) {
    start();
    problems = open_code(module);
    module.stage = Stage::opened;  // not before: should open_code() throw, the module is still to be opened
    traced_stage("open", problems, [] { return std::string("loaded by the dynamic loader"); });
  }
  if (problems.empty() && load) {
    start();
    module.stage = Stage::loaded;
    problems = register_code(module);
    traced_stage("load", problems, [&] {
      return module.descriptor != nullptr ? classes(module.descriptor->entry_count) + " registered"
                                          : std::string("registered");
    });
  }
  if (problems.empty()) return std::nullopt;
  std::string reason = joined(problems);
  module.failure = reason;
  return reason;
}

}  // namespace

Loader& loader() {
  static auto* state = new Loader;
  return *state;
}

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

Loader::Module& module_for(Loader& state, const std::string& file) {
  auto [it, inserted] = state.modules.try_emplace(file);
  if (inserted) it->second.info.file = file;
  return it->second;
}

// advance(), and the failure it caused, if it caused one now: each failure is reported once.
std::optional<PluginFailure> advance_reporting(Loader& state, Loader::Module& module, Reach reach) {
  const bool failed_before = module.failure.has_value();
  const std::optional<std::string> failure = advance(state, module, reach);
  if (!failure || failed_before) return std::nullopt;
  return record_failure(state, {module.info.file, module.name, *failure});
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
  if (failure) throw_plugin_failures(entry.record.registry_key, {std::move(*failure)});
  if (const ErasedFactory factory = entry.factory.load(std::memory_order_acquire)) return factory;
  throw_plugin_failures(entry.record.registry_key, {{std::string(entry_origin(entry)),
                                                     {},
                                                     "loaded without registering " + quoted(entry.record.name) +
                                                         ", which its manifest lists; rebuild the plugin"}});
}

}  // namespace detail

PluginInfo load_plugin(const fs::path& file) {
  detail::refuse_while_loading("load_plugin()");
  detail::Loader& state = detail::loader();
  const fs::path real = detail::resolve_named_file(file, "load_plugin()");
  std::optional<PluginFailure> failure;  // kept by the module: every call for the file reports it
  PluginInfo info;
  {
    std::lock_guard lock(state.mutex);
    detail::Loader::Module& module = detail::module_for(state, detail::utf8_of(real));
    detail::advance_reporting(state, module, detail::Reach::load);
    if (module.failure) {
      failure = PluginFailure{detail::utf8_of(real), module.name, *module.failure};
    } else {
      info = detail::plugin_info(module);
    }
  }
  detail::deliver_warnings();
  if (failure) detail::throw_file_failure("load_plugin()", std::move(*failure));
  return info;
}

}  // namespace speculators
