// The check of a plugin file before any of its code runs: its image and manifest, its mode,
// and what the manifest shows is wrong for this host.
#include "loader.hpp"

#include "messages.hpp"
#include "store.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace speculators {

namespace fs = std::filesystem;

namespace detail {

namespace {

// What the manifest shows is wrong before any of the plugin's code runs: a foreign standard
// library, a signature that differs from its registry's, a key that is already taken.
std::vector<std::string> manifest_problems(const detail::Manifest& manifest) {
  std::vector<std::string> problems;
  for (const detail::manifest::Record& record : manifest.entries) {
    if (record.abi_tag != SPECULATORS_ABI_TAG) {
      problems.push_back(foreign_toolchain_problem(record.abi_tag, record.compiler));
      break;  // one toolchain per plugin: once is enough
    }
    const RegistrationRecord& e = record.registration;
    if (std::string bad_key = detail::key_problem(e.name); !bad_key.empty()) {
      problems.push_back(detail::invalid_key_message(e.registry_key, e.name, bad_key));
      continue;
    }
    detail::RegistryStore* store = detail::existing_store(e.registry_key);
    if (store == nullptr) continue;
    if (const std::string expected = detail::conflicting_signature(*store, e.signature); !expected.empty()) {
      problems.push_back(detail::signature_mismatch_message(e.registry_key, e.name, expected, e.signature, {}));
    } else if (const detail::Entry* taken = detail::find_entry(*store, e.name)) {
      problems.push_back(detail::duplicate_key_message(e.registry_key, e.name, taken->record.type_name,
                                                       detail::entry_origin(*taken), e.type_name, "this plugin"));
    }
  }
  return problems;
}

}  // namespace

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

// Why a plugin built with another standard library (ABI tag) is refused.
[[gnu::cold]] std::string foreign_toolchain_problem(std::string_view abi_tag, std::string_view compiler) {
  return detail::message({"was built for standard library ", detail::quoted(abi_tag), " (", compiler,
                          "), this host uses ", detail::quoted(SPECULATORS_ABI_TAG),
                          "; objects cannot cross between them. Rebuild the plugin with the host's toolchain"});
}

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

// The canonical path of a plugin file named to `call`. @throws PluginLoadError naming it
fs::path resolve_named_file(const fs::path& file, std::string_view call) {
  std::error_code ec;
  fs::path real = detail::canonical_path(file.string(), ec);
  if (ec) throw_file_failure(call, {file.string(), {}, "cannot be resolved: " + ec.message() + "; check the path"});
  return real;
}

}  // namespace detail

PluginInfo read_plugin_manifest(const fs::path& file) {
  const fs::path real = detail::resolve_named_file(file, "read_plugin_manifest()");
  detail::CheckedFile checked;
  detail::Manifest manifest;
  if (std::string problem = detail::check_plugin_file(real.string(), checked, manifest); !problem.empty()) {
    detail::throw_file_failure("read_plugin_manifest()", {real.string(), {}, std::move(problem)});
  }
  PluginInfo info;
  info.file = real.string();
  info.has_manifest = manifest.present;
  if (!manifest.entries.empty()) {
    info.descriptor_version = manifest.entries.front().version;
    info.abi_tag = manifest.entries.front().abi_tag;
    info.compiler = manifest.entries.front().compiler;
  }
  for (const detail::manifest::Record& record : manifest.entries) info.entries.push_back(record.registration.owned());
  return info;
}

void allow_writable_plugins(bool allow) {
  detail::refuse_while_loading("allow_writable_plugins()");
  detail::Loader& state = detail::loader();
  std::lock_guard lock(state.mutex);
  state.allow_writable = allow;
}

}  // namespace speculators
