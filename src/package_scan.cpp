// The scan of a package over the search path: the walk of its directories, and the security
// checks of what it finds (links out of an entry, directories writable by others).
#include "loader.hpp"

#include "messages.hpp"
#include "path_text.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace speculators {

namespace fs = std::filesystem;

namespace detail {

namespace {

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
  relative.remove_suffix(os::plugin_suffix.size());
  std::string name;
  name.reserve(package.size() + 1 + relative.size());
  name = package;
  if (!name.empty()) name += '.';
  name += relative;
  std::replace(name.begin() + static_cast<std::ptrdiff_t>(name.size() - relative.size()), name.end(), '/', '.');
  return name;
}

// Why a directory of a package cannot be read, and what to do: the advice depends on the cause.
[[gnu::cold]] std::string unreadable_directory_problem(const os::Error& error) {
  const char* advice = "Fix its permissions or move the plugins out";
  if (error.cause == os::Cause::too_many_open_files) {
    advice = "The process has too many files open; raise its limit of open files (ulimit -n) or open fewer";
  } else if (error.cause == os::Cause::name_too_long) {
    advice = "Its path is longer than the system allows; move the plugins to a shorter path";
  } else if (error.cause != os::Cause::access_denied) {
    advice = "Check the file system";
  }
  return detail::message({"cannot be read: ", error.text, "; plugins in it are not found. ", advice});
}

// The dynamic loader opens a plugin by its path, which the system refuses past its limit.
[[gnu::cold]] std::string path_too_long_problem(std::size_t length, const os::PathLimit& limit) {
  return detail::message({"has a path of ", length, " bytes, longer than the system allows (", limit.name, ", ",
                          limit.length, "), so it cannot be loaded: ", limit.text,
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
};

// Appends the plugin files of the open `directory` (at `prefix` below the package directory)
// to `walk.found`, and the names of its subdirectories to `subdirectories`. The type of each
// entry comes from the directory itself, so a file costs no system call here, and directory
// links are not followed, so a link loop cannot trap the walk.
void read_directory(os::Directory& directory, const std::string& prefix, PackageWalk& walk,
                    std::vector<std::string>& subdirectories) {
  os::Error error;
  while (std::optional<os::DirectoryEntry> entry = directory.next(error)) {
    const std::string& name = entry->name;
    if (entry->kind == os::Kind::directory) {
      subdirectories.push_back(name);
    } else if (name.size() > os::plugin_suffix.size() && name.ends_with(os::plugin_suffix) &&
               entry->kind != os::Kind::unknown) {  // a file named ".so" alone is not a module
      std::string relative;
      relative.reserve(prefix.size() + name.size());
      relative.append(prefix).append(name);
      walk.found.push_back({std::move(relative), entry->kind == os::Kind::link, entry->kind == os::Kind::file});
    }
  }
  if (error) walk.unreadable.emplace_back(prefix, unreadable_directory_problem(error));
}

// Appends the plugin files below the open package directory `package` to `walk.found`, and
// the directories it does not walk to `walk.unreadable`, to be reported: plugins in them would
// be missed without a word otherwise. Walked depth first without recursion, at most
// max_package_depth levels down, each directory opened in its parent.
void find_plugin_files(os::Directory package, PackageWalk& walk) {
  struct Level {
    os::Directory directory;
    std::string prefix;                       // below the package directory, ending in '/'; empty for it
    std::vector<std::string> subdirectories;  // walked once the directory is read
    std::size_t next = 0;
  };
  std::vector<Level> levels;
  levels.push_back({std::move(package), {}, {}});
  read_directory(levels.back().directory, levels.back().prefix, walk, levels.back().subdirectories);
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
    os::Error error;
    os::Directory child = level.directory.open_child(name, error);
    if (!child) {
      walk.unreadable.emplace_back(level.prefix + name, unreadable_directory_problem(error));
      continue;
    }
    Level deeper{std::move(child), level.prefix + name + "/", {}};
    read_directory(deeper.directory, deeper.prefix, walk, deeper.subdirectories);
    levels.push_back(std::move(deeper));  // `level` and `name` are not used after this
  }
}

/// A package directory of one search-path entry, open for the walk, and the canonical names
/// of the entry and of the directory, from which the files below are named.
struct OpenPackage {
  os::Directory directory;
  std::string real_root;
  std::string real_package;
};

// Whether `error` says there is nothing at a path (or something that is not a directory).
bool nothing_there(const os::Error& error) {
  return error.cause == os::Cause::not_found || error.cause == os::Cause::not_a_directory;
}

// Opens `directory` (ending in '/'), the package's directory under search-path entry `root`,
// by its canonical name. @returns nothing when the directory cannot be opened: `error` is
// then why, or none when the entry has no such directory.
std::optional<OpenPackage> open_package_directory(const std::string& root, const std::string& directory,
                                                  os::Error& error) {
  error = {};
  os::Error resolving;
  std::string real_package = os::canonical_path(directory, resolving);
  if (resolving) {
    if (!nothing_there(resolving)) error = std::move(resolving);
    return std::nullopt;
  }
  os::Directory opened = os::Directory::open(real_package, error);
  if (!opened) {
    if (nothing_there(error)) error = {};
    return std::nullopt;
  }
  // A directory named canonically as it stands lies below an entry named so too.
  std::string real_root = real_package == without_trailing_slash(directory) ? without_trailing_slash(root)
                                                                            : os::canonical_path(root, resolving);
  if (resolving) return std::nullopt;  // moved or removed since it was opened
  return OpenPackage{std::move(opened), std::move(real_root), std::move(real_package)};
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

}  // namespace

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
  const os::PathLimit path_limit = os::path_limit();
  PackageWalk walk;
  const bool traced = tracing(state);
  // Every refusal of the scan is traced as it is made.
  const auto refuse = [&refused, &state, traced](std::string path, std::string name, std::string problem) {
    if (traced) trace(state, path, "refuse", problem);
    refused.push_back({std::move(path), std::move(name), std::move(problem)});
  };
  const auto search_path = resolve_search_path(state, SearchPathUse::scan);
  for (const SearchPathEntry& entry : search_path) {
    // Per entry: a directory checked up to one entry is not checked up to another (entries
    // may lie inside one another).
    CheckedDirectories checked;
    std::string dir_text = entry.directory;
    if (!dir_text.ends_with('/')) dir_text += '/';
    if (!relative.empty()) dir_text += relative + '/';
    os::Error open_error;
    std::optional<OpenPackage> opened = open_package_directory(entry.directory, dir_text, open_error);
    if (!opened) {
      if (open_error) {
        refuse(detail::without_trailing_slash(dir_text), std::string(package),
               unreadable_directory_problem(open_error));
      } else if (traced) {
        trace(state, detail::without_trailing_slash(dir_text), "search",
              detail::message({"not here: search-path entry ", entry.directory, " (", entry.source, ") ",
                               package.empty() ? std::string("is missing or not a directory")
                                               : "has no directory for package " + std::string(package)}));
      }
      continue;  // this entry does not hold the package
    }
    const std::string& real_root = opened->real_root;
    const std::string& real_package = opened->real_package;
    walk.found.clear();
    walk.unreadable.clear();
    find_plugin_files(std::move(opened->directory), walk);
    if (traced) {
      trace(state, detail::without_trailing_slash(dir_text), "search",
            detail::message({std::to_string(walk.found.size()), " files named like plugins, in search-path entry ",
                             entry.directory, " (", entry.source, ")"}));
    }
    for (auto& [below, problem] : walk.unreadable) refuse(dir_text + below, std::string(package), std::move(problem));
    for (const FoundFile& file : walk.found) {
      // Lexical: the name is where the file sits, even when it is a link to elsewhere.
      std::string name = module_name(package, file.relative);
      const auto place = by_name.lower_bound(std::string_view(name));  // where it goes, if it is kept
      const bool named_before = place != by_name.end() && place->name == name;
      if (named_before && place->root != entry.directory) {  // shadowed by an earlier entry
        if (traced) {
          trace(state, dir_text + file.relative, "skip",
                detail::message(
                    {"module ", name, " is ", place->file, ", of the earlier search-path entry ", place->root}));
        }
        continue;
      }
      if (const auto ambiguous = ambiguous_names.find(name); ambiguous != ambiguous_names.end()) {
        if (ambiguous->second.first == entry.directory) {  // a third file of the same entry
          refuse(dir_text + file.relative, name, same_module_problem(name, ambiguous->second.second));
        } else if (traced) {
          trace(state, dir_text + file.relative, "skip",
                detail::message({"module ", name, " is taken by two files of the earlier search-path entry ",
                                 ambiguous->second.first}));
        }
        continue;
      }
      std::error_code type_ec;
      const auto path = [&] { return dir_text + file.relative; };  // where it was found, as reported
      if (file.is_link) {
        const fs::file_status target = fs::status(path(), type_ec);
        if (type_ec || !fs::is_regular_file(target)) {
          refuse(path(), name,
                 type_ec ? detail::message({"is a dangling or looping symbolic link (", type_ec.message(),
                                            "); fix or remove the link"})
                         : detail::message({"is a symbolic link to a directory or a special file, not to a plugin "
                                            "file; remove the link"}));
          continue;
        }
      } else if (!file.is_regular) {  // a pipe or a device named like a plugin: nothing the loader could use
        if (traced) trace(state, path(), "skip", "not a regular file (a pipe, a socket or a device)");
        continue;
      }
      os::Error resolving;
      std::string real_file =
          file.is_link ? os::canonical_path(path(), resolving) : joined_path(real_package, file.relative);
      std::string problem =
          resolving ? detail::message({"cannot be resolved: ", resolving.text, "; fix or remove the link"})
          : real_file.size() >= path_limit.length ? path_too_long_problem(real_file.size(), path_limit)
                                                  : security_problem(allow_writable, real_root, real_file, checked);
      if (!problem.empty()) {
        refuse(path(), name, std::move(problem));
        continue;
      }
      if (named_before) {
        if (place->file == real_file) {  // the same file: an entry listed twice
          if (traced)
            trace(state, path(), "skip", detail::message({"module ", name, " was found already, as ", place->file}));
          continue;
        }
        // Two files of one entry named alike (pk/a.b.so and pk/a/b.so): which one is meant
        // cannot be told, so neither is loaded, and the name stays taken for later entries.
        refuse(path(), name, same_module_problem(name, place->file));
        refuse(place->file, name, same_module_problem(name, path()));
        ambiguous_names.emplace(name, std::make_pair(entry.directory, place->file));
        by_name.erase(place);
        continue;
      }
      if (traced) trace(state, path(), "found", detail::message({"module ", name}));
      by_name.emplace_hint(place, PluginModule{std::move(name), std::move(real_file), entry.directory, false});
    }
  }
  std::vector<PluginModule> modules;
  modules.reserve(by_name.size());
  while (!by_name.empty()) modules.push_back(std::move(by_name.extract(by_name.begin()).value()));
  return modules;
}

}  // namespace detail

std::vector<PluginModule> find_package_modules(std::string_view package, std::vector<PluginFailure>* refused) {
  detail::refuse_while_loading("find_package_modules()");
  detail::Loader& state = detail::loader();
  std::vector<PluginModule> modules;
  {
    std::lock_guard lock(state.mutex);
    std::vector<PluginFailure> ignored;
    std::vector<PluginFailure>& refusals = refused != nullptr ? *refused : ignored;
    modules = detail::scan_package(state, package, refusals);
    // Discovery checks each file's mode when it reads the file (detail::read_checked_manifest()); a
    // listing reads no file, so it asks here, to refuse what discovery would.
    const bool allow_writable = detail::writable_allowed(state);
    std::erase_if(modules, [&](const PluginModule& m) {
      if (allow_writable || !detail::writable_by_others(m.file)) return false;
      refusals.push_back({m.file, m.name, detail::writable_problem("is")});
      if (detail::tracing(state)) detail::trace(state, m.file, "refuse", refusals.back().reason);
      return true;
    });
    for (PluginModule& m : modules) {
      const auto known = state.modules.find(m.file);
      m.loaded = known != state.modules.end() && known->second.stage == detail::Loader::Module::Stage::loaded &&
                 !known->second.failure;
    }
  }
  detail::deliver_warnings();
  return modules;
}

}  // namespace speculators
