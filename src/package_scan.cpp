// The scan of a package over the search path: the walk of its directories, and the security
// checks of what it finds (links out of an entry, directories writable by others).
#include "loader.hpp"

#include "messages.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
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
