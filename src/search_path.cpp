// The plugin search path: SPECULATORS_PLUGIN_PATH, add_plugin_directory(), and the default
// places found from where this copy of the library and the program are.
#include "loader.hpp"

#include "messages.hpp"
#include "path_text.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

namespace detail {

namespace {

std::vector<std::string> split_path_list(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t separator = std::min(text.find(os::path_list_separator, start), text.size());
    out.emplace_back(text.substr(start, separator - start));
    start = separator + 1;
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

/// Whether nobody but this user or root can have made the directory `below` (relative, '/'
/// between its components) under `base`: each directory from `base` down to the first that
/// does not exist is owned by one of them and not writable by others. The scan then checks the
/// entry and what it holds as any other. A program place is searched only then: a program in
/// /tmp, whose plugins/ anybody could create, has none.
bool made_by_owner_only(std::string directory, std::string_view below) {
  for (std::size_t start = 0;;) {
    const std::optional<os::Permissions> permissions = os::permissions_of(directory);
    if (!permissions) return true;  // its parent, checked, lets nobody else make it
    if (!permissions->owned_by_this_user_or_root || permissions->others_may_write) return false;
    if (start >= below.size()) return true;
    const std::size_t slash = std::min(below.find('/', start), below.size());
    directory = detail::joined_path(directory, below.substr(start, slash - start));
    start = slash + 1;
  }
}

/// `path` under `base`, as std::filesystem's operator/ joins them: an absolute `path` (an
/// absolute CMAKE_INSTALL_LIBDIR) stands for itself.
std::string under(const std::string& base, const std::string& path) {
  return detail::is_absolute_path(path) ? path : detail::joined_path(base, path);
}

/// The places searched after the entries given (the environment, add_plugin_directory()),
/// from where this copy of the library and the program are (`exists` unset). Path text is
/// joined and split as strings: see normal_path().
std::vector<SearchPathEntry> find_default_directories() {
  std::vector<SearchPathEntry> found;
  const auto add = [&found](const std::string& directory, const char* source) {
    std::string normal = detail::normal_path(directory);
    const auto same = [&normal](const SearchPathEntry& e) { return e.directory == normal; };
    if (std::none_of(found.begin(), found.end(), same))
      found.push_back(SearchPathEntry{std::move(normal), source, false});
  };
  const std::string installed = detail::joined_path(SPECULATORS_INSTALL_LIBDIR, installed_plugins);
  // Where the library is now, as the dynamic loader names it (a prefix moved as a whole is
  // found where its files are); resolved only when that name does not already say it is the
  // build tree's copy, which a build tree on a linked path can hide.
  const void* self = reinterpret_cast<const void*>(&plugin_search_path);
  std::string library = detail::normal_path(os::binary_named(self));
  const std::string_view library_file = std::string_view(library).substr(detail::file_name_start(library));
#if defined(_WIN32)
  const bool shared = library_file.starts_with("libspeculators_registry") && library_file.ends_with(".dll");
#else
  const bool shared = library_file.starts_with("libspeculators_registry.so");
#endif
  bool in_build_tree = build_tree_binary(library, shared);
  if (std::error_code ec;
      !in_build_tree && !std::string_view(SPECULATORS_BUILD_DIR).empty() && fs::exists(SPECULATORS_BUILD_DIR, ec)) {
    library = os::binary_holding(self);
    in_build_tree = build_tree_binary(library, shared);
  }
  const std::string library_dir = detail::parent_of(library);
  // An installed shared library keeps its plugins beside it; a static copy's install
  // default is the program's, below.
#if defined(_WIN32)
  // A DLL is installed with the programs, in <prefix>/bin; the plugins in <prefix>/<libdir>.
  if (shared && !in_build_tree) add(under(detail::parent_of(library_dir), installed), "install");
#else
  if (shared && !in_build_tree) add(detail::joined_path(library_dir, installed_plugins), "install");
#endif
  // The program's own places, as plugin hosts commonly search them: <program dir>/plugins
  // (a project's build tree: speculators_add_plugin() puts plugins there by default) and the
  // library directory of the prefix the program is installed in.
  if (const std::string program = os::program_file(); !program.empty()) {
    const std::string program_dir = detail::parent_of(detail::normal_path(program));
    const std::string prefix = detail::parent_of(program_dir);
    const auto add_owned = [&add](const std::string& base, const std::string& below) {
      // An absolute libdir is a place of its own, checked from its root.
      const std::size_t root = detail::is_absolute_path(below) ? detail::root_length(below) : 0;
      const std::string from = root > 0 ? below.substr(0, root) : base;
      if (made_by_owner_only(from, std::string_view(below).substr(root))) add(under(base, below), "program");
    };
    add_owned(program_dir, "plugins");
    add_owned(prefix, installed);
    if (std::string_view(SPECULATORS_INSTALL_LIBDIR) != "lib")
      add_owned(prefix, detail::joined_path("lib", installed_plugins));
  }
  if (in_build_tree) add(SPECULATORS_BUILD_PLUGIN_DIR, "build tree");
  return found;
}

}  // namespace

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
      if (!detail::is_absolute_path(entry)) {
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

}  // namespace detail

void add_plugin_directory(const fs::path& directory) {
  const std::string text = detail::utf8_of(directory);
  if (!detail::is_absolute_path(text)) {
    throw RegistryError("speculators: add_plugin_directory(" + detail::quoted(detail::utf8_of(directory)) +
                        "): the directory must be an absolute path; a relative one would depend on the "
                        "current directory. Pass std::filesystem::absolute(dir) if that is what you mean.");
  }
  detail::refuse_while_loading("add_plugin_directory()");
  detail::Loader& state = detail::loader();
  std::lock_guard lock(state.mutex);
  // A plain path is its own normal form: lexically_normal() would only copy it, at length.
  state.code_directories.push_back(detail::is_plain_path(text) ? text : detail::utf8_of(directory.lexically_normal()));
  state.package_cache.clear();
}

std::vector<SearchPathEntry> plugin_search_path() {
  detail::refuse_while_loading("plugin_search_path()");
  detail::Loader& state = detail::loader();
  std::lock_guard lock(state.mutex);
  return detail::resolve_search_path(state, detail::SearchPathUse::report);
}

}  // namespace speculators
