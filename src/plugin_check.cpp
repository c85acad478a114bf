// The check of a plugin file before any of its code runs: its image and manifest, its mode,
// and what the manifest shows is wrong for this host.
#include "loader.hpp"

#include "messages.hpp"
#include "path_text.hpp"
#include "store.hpp"

#include <array>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace speculators {

namespace fs = std::filesystem;

namespace detail {

namespace {

/// An open plugin file, read in pieces as the checks ask for them: a piece is read exactly,
/// not rounded to pages, because each new page of memory a process touches costs a page
/// fault, and the first discovery of a process pays for all of them (measured in bench/:
/// discovery at N = 1). Every piece read is kept until the object goes, so the spans given
/// out stay valid. The first piece, the head of the file that every check reads and that
/// usually holds all it needs, is kept in the object itself: no allocation.
class PluginFileBytes final : public ImageBytes {
 public:
  explicit PluginFileBytes(os::File& file) noexcept : ImageBytes(file.size()), file_(file) {}

  std::span<const unsigned char> at(std::uint64_t offset, std::size_t length) override {
    if (!readable(offset, length)) return {};
    if (holds(offset, length, head_offset_, head_length_)) return {head_.data() + (offset - head_offset_), length};
    for (const Piece& piece : pieces_) {
      if (holds(offset, length, piece.offset, piece.length))
        return {piece.bytes.get() + (offset - piece.offset), length};
    }
    if (head_length_ == 0 && length <= head_.size()) {
      if (file_.read_at(offset, {head_.data(), length}) != length) return {};
      head_offset_ = offset;
      head_length_ = length;
      return {head_.data(), length};
    }
    Piece piece{offset, length, std::make_unique_for_overwrite<unsigned char[]>(length)};
    if (file_.read_at(offset, {piece.bytes.get(), length}) != length) return {};  // shrunk meanwhile, or unreadable
    pieces_.push_back(std::move(piece));
    return {pieces_.back().bytes.get(), length};
  }

 private:
  struct Piece {
    std::uint64_t offset;
    std::size_t length;
    std::unique_ptr<unsigned char[]> bytes;
  };
  // Whether [offset, offset + length) lies in the piece at [start, start + held).
  static bool holds(std::uint64_t offset, std::size_t length, std::uint64_t start, std::size_t held) {
    return offset >= start && length <= held && offset - start <= held - length;
  }
  os::File& file_;
  std::array<unsigned char, head_size> head_;  // not zeroed: only what was read is handed out
  std::uint64_t head_offset_ = 0;
  std::size_t head_length_ = 0;
  std::vector<Piece> pieces_;
};

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
  const std::optional<os::Permissions> permissions = os::permissions_of(path);
  return permissions && permissions->group_or_others_may_write;
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

std::string check_plugin_file(const std::string& path, CheckedFile& checked, Manifest& manifest) {
  os::Error error;
  os::File file = os::File::open(path, error);
  if (error.cause == os::Cause::not_a_file) {
    return message({"is not a regular file (a directory, a pipe or a device); a plugin is a shared library file"});
  }
  if (error) {
    return message(
        {"cannot be opened: ", error.text, "; check that the file exists and that this process may read it"});
  }
  checked.identity = file.identity();
  checked.writable_by_others = file.writable_by_others();
  PluginFileBytes bytes(file);
  return check_image(bytes, manifest);
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
  os::Error error;
  fs::path real = path_of_utf8(os::canonical_path(utf8_of(file), error));
  if (error) throw_file_failure(call, {utf8_of(file), {}, "cannot be resolved: " + error.text + "; check the path"});
  return real;
}

}  // namespace detail

PluginInfo read_plugin_manifest(const fs::path& file) {
  const fs::path real = detail::resolve_named_file(file, "read_plugin_manifest()");
  detail::CheckedFile checked;
  detail::Manifest manifest;
  if (std::string problem = detail::check_plugin_file(detail::utf8_of(real), checked, manifest); !problem.empty()) {
    detail::throw_file_failure("read_plugin_manifest()", {detail::utf8_of(real), {}, std::move(problem)});
  }
  PluginInfo info;
  info.file = detail::utf8_of(real);
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
