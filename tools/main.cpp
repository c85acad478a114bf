// speculators-registry: what is discoverable, and is this plugin or config right?
//
// A thin client of the public API: everything it prints, a program can get from
// <speculators/plugins.hpp> and <speculators/registry.hpp>.
//
// Exit codes: 0 success, 1 the input was rejected (a bad plugin, a bad config), 2 wrong usage.
#include <speculators/checkpoints.hpp>
#include <speculators/config.hpp>
#include <speculators/plugins.hpp>
#include <speculators/registry.hpp>
#include <speculators/version.hpp>

#include "src/os.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace {

using nlohmann::json;

constexpr int exit_ok = 0;
constexpr int exit_rejected = 1;
constexpr int exit_usage = 2;

// Colour only on a terminal, never in JSON, and never when NO_COLOR is set.
struct Style {
  bool enabled = false;
  std::string bold(const std::string& s) const { return enabled ? "\033[1m" + s + "\033[0m" : s; }
  std::string red(const std::string& s) const { return enabled ? "\033[31m" + s + "\033[0m" : s; }
  std::string green(const std::string& s) const { return enabled ? "\033[32m" + s + "\033[0m" : s; }
};

Style style_for(bool json_output) {
  const char* no_color = std::getenv("NO_COLOR");  // set and not empty: no colour (no-color.org)
  const bool colour_refused = no_color != nullptr && *no_color != '\0';
  return Style{!json_output && speculators::detail::os::is_terminal(stdout) && !colour_refused};
}

// `text` safe to print on a terminal: control characters (C0, DEL, and C1 as UTF-8 encodes
// them) written as \n, \t, \xNN, so that a name from a plugin file can neither forge lines
// nor send escape sequences. `keep_newlines` for messages whose lines are part of their form.
std::string printable(std::string_view text, bool keep_newlines = false) {
  constexpr std::string_view hex = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  const auto escape = [&](unsigned char u) { out.append("\\x").append(1, hex[u >> 4]).append(1, hex[u & 0xF]); };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    const auto next = static_cast<unsigned char>(i + 1 < text.size() ? text[i + 1] : '\0');
    if (u == '\n') {
      out += keep_newlines ? "\n" : "\\n";
    } else if (u == '\t') {
      out += "\\t";
    } else if (u == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7F) {
      escape(u);
    } else if (u == 0xC2 && next >= 0x80 && next <= 0x9F) {
      escape(u);
      escape(next);
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

// JSON as the tool prints it: bytes that are not UTF-8 (a file name may hold any) are
// replaced by U+FFFD, where nlohmann::json would throw.
void print_json(const json& value) { std::cout << value.dump(2, ' ', false, json::error_handler_t::replace) << '\n'; }

// An aligned table: columns as wide as their widest cell; the last column is not padded.
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                 const Style& style) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  const auto line = [&](const std::vector<std::string>& cells, bool is_header) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      std::string cell = cells[c];
      if (c + 1 < cells.size()) cell.resize(width[c] + 2, ' ');
      out += cell;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    std::cout << (is_header ? style.bold(out) : out) << '\n';
  };
  line(header, true);
  for (const auto& row : rows) line(row, false);
}

json entry_json(const speculators::PluginEntryInfo& e) {
  return {{"registry", e.registry_key},
          {"key", e.name},
          {"type", e.type_name},
          {"signature", e.signature},
          {"description", e.description}};
}

json failure_json(const speculators::PluginFailure& f) {
  return {{"file", f.file}, {"module", f.module}, {"reason", f.reason}};
}

// What `file` declares, or the reason the library gives for refusing it. From the manifest,
// without running any of the plugin's code, unless `load` asks for the plugin to be loaded.
struct Inspection {
  std::optional<speculators::PluginInfo> info;
  std::string failure;
};

Inspection inspect_file(const std::string& file, bool load) {
  try {
    return {load ? speculators::load_plugin(file) : speculators::read_plugin_manifest(file), {}};
  } catch (const speculators::PluginLoadError& e) {
    return {std::nullopt, e.failures().empty() ? e.what() : e.failures().front().reason};
  }
}

constexpr const char* no_manifest_note = "no manifest: its classes are known only once loaded (--load)";

int run_list(const std::vector<std::string>& packages, bool json_output, bool load) {
  const Style style = style_for(json_output);
  std::vector<speculators::PluginFailure> refused;
  std::vector<speculators::PluginModule> modules;
  for (const std::string& package : packages.empty() ? std::vector<std::string>{""} : packages) {
    auto found = speculators::find_package_modules(package, &refused);
    modules.insert(modules.end(), found.begin(), found.end());
  }
  json out = {{"modules", json::array()}, {"refused", json::array()}};
  std::vector<std::vector<std::string>> rows;
  bool rejected = !refused.empty();
  for (const auto& module : modules) {
    const Inspection inspection = inspect_file(module.file, load);
    json m = {{"module", module.name}, {"file", module.file}, {"root", module.root}, {"entries", json::array()}};
    if (inspection.info) {
      m["has_manifest"] = inspection.info->has_manifest;
      if (!inspection.info->has_manifest && !load) {
        rows.push_back({printable(module.name), "-", "-", "-", no_manifest_note, printable(module.file)});
      }
      for (const auto& e : inspection.info->entries) {
        m["entries"].push_back(entry_json(e));
        rows.push_back({printable(module.name), printable(e.registry_key), printable(e.name), printable(e.type_name),
                        printable(e.description), printable(module.file)});
      }
    } else {
      rejected = true;
      m["error"] = inspection.failure;
      rows.push_back({printable(module.name), "-", "-", "-", style.red("refused: " + printable(inspection.failure)),
                      printable(module.file)});
    }
    out["modules"].push_back(std::move(m));
  }
  for (const auto& f : refused) {
    out["refused"].push_back(failure_json(f));
    rows.push_back({f.module.empty() ? "-" : printable(f.module), "-", "-", "-",
                    style.red("refused: " + printable(f.reason)), printable(f.file)});
  }
  if (json_output) {
    print_json(out);
  } else if (rows.empty()) {
    std::cout << "no plugin modules found; see `speculators-registry doctor` for the search path\n";
  } else {
    print_table({"MODULE", "REGISTRY", "KEY", "TYPE", "DESCRIPTION", "FILE"}, rows, style);
  }
  return rejected ? exit_rejected : exit_ok;
}

int run_inspect(const std::string& file, bool json_output, bool load) {
  const Style style = style_for(json_output);
  const Inspection inspection = inspect_file(file, load);
  if (!inspection.info) {
    if (json_output) {
      print_json({{"file", file}, {"error", inspection.failure}});
    } else {
      std::cerr << style.red("refused: ") << printable(file) << ": " << printable(inspection.failure) << '\n';
    }
    return exit_rejected;
  }
  const speculators::PluginInfo& info = *inspection.info;
  if (json_output) {
    // A plugin read without a manifest has none of these: null, not 0 or "".
    const auto present = [](const auto& value, bool is_present) { return is_present ? json(value) : json(nullptr); };
    json out = {{"file", info.file},
                {"read_from", load ? "descriptor" : "manifest"},
                {"has_manifest", info.has_manifest},
                {"descriptor_version", present(info.descriptor_version, info.descriptor_version != 0)},
                {"abi_tag", present(info.abi_tag, !info.abi_tag.empty())},
                {"compiler", present(info.compiler, !info.compiler.empty())},
                {"entries", json::array()}};
    for (const auto& e : info.entries) out["entries"].push_back(entry_json(e));
    print_json(out);
    return exit_ok;
  }
  const auto field = [&style](const std::string& label, const std::string& value) {
    std::cout << style.bold(label) << std::string(20 - label.size(), ' ') << value << '\n';
  };
  field("file", printable(info.file));
  field("read from", load ? "its descriptor (loaded)" : "its manifest (not loaded)");
  if (info.descriptor_version != 0) field("descriptor version", std::to_string(info.descriptor_version));
  if (!info.abi_tag.empty()) field("abi tag", printable(info.abi_tag));
  if (!info.compiler.empty()) field("compiler", printable(info.compiler));
  field("entries", std::to_string(info.entries.size()));
  std::cout << '\n';
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : info.entries) {
    rows.push_back({printable(e.registry_key), printable(e.name), printable(e.type_name), printable(e.signature),
                    printable(e.description)});
  }
  if (!info.has_manifest && !load) std::cout << no_manifest_note << '\n';
  print_table({"REGISTRY", "KEY", "TYPE", "SIGNATURE", "DESCRIPTION"}, rows, style);
  return exit_ok;
}

// Loads the discoverable plugins whose manifest names `registry`, so that the config classes
// they hold are registered; no other plugin's code runs. Plugins that fail are reported on
// stderr and skipped (the good ones still count).
void load_plugins_of(const std::string& registry) {
  for (const auto& module : speculators::find_package_modules("")) {
    const Inspection manifest = inspect_file(module.file, false);
    if (!manifest.info) continue;
    const auto& entries = manifest.info->entries;
    const auto names_registry = [&registry](const auto& e) { return e.registry_key == registry; };
    if (std::none_of(entries.begin(), entries.end(), names_registry)) continue;
    if (Inspection loaded = inspect_file(module.file, true); !loaded.info) {
      std::cerr << "speculators-registry: skipped " << printable(module.file) << ": " << printable(loaded.failure)
                << '\n';
    }
  }
}

int run_schema(const std::string& name) {
  const std::string registry = speculators::resolve_registry_key(name);
  load_plugins_of(registry);
  print_json(speculators::config_schema(registry));
  return exit_ok;
}

// Reports a refused config (`file` names it in text output) and returns the exit code.
int report_invalid(const speculators::ConfigError& e, const std::string& file, bool json_output, const Style& style) {
  const std::size_t omitted = e.problem_count() - e.problems().size();
  if (json_output) {
    json out = {{"valid", false}, {"problems", json::array()}, {"problem_count", e.problem_count()}};
    for (const auto& p : e.problems()) out["problems"].push_back({{"pointer", p.pointer}, {"message", p.message}});
    print_json(out);
  } else {
    std::cerr << style.red("invalid: ") << printable(file) << '\n';
    for (const auto& p : e.problems())
      std::cerr << "  " << printable(p.pointer.empty() ? "/" : p.pointer) << ": " << printable(p.message) << '\n';
    if (omitted > 0) std::cerr << "  and " << omitted << " more\n";
  }
  return exit_rejected;
}

int run_validate(const std::string& name, const std::string& file, bool allow_unknown, bool json_output) {
  const Style style = style_for(json_output);
  const speculators::ParseOptions options{.allow_unknown_fields = allow_unknown};
  json config;
  try {
    config = speculators::read_config_file(file, options);
  } catch (const speculators::ConfigError& e) {
    return report_invalid(e, file, json_output, style);
  }
  const std::string registry = speculators::resolve_registry_key(name);
  load_plugins_of(registry);
  try {
    json normalized = speculators::normalize_config(registry, config, options);
    print_json(json_output ? json{{"valid", true}, {"config", normalized}} : normalized);
    return exit_ok;
  } catch (const speculators::ConfigError& e) {
    return report_invalid(e, file, json_output, style);
  }
}

// What discovery would refuse that no file shows alone, among the modules that passed their
// own checks (in discovery's order, with what each declares): a hard link to another module
// (loaded once, so its classes would be registered twice), and a key that another module
// lists in the same registry (the later module is refused: the key is taken).
std::vector<speculators::PluginFailure> conflicts_between(
    const std::vector<std::pair<speculators::PluginModule, speculators::PluginInfo>>& passed) {
  namespace fs = std::filesystem;
  std::vector<speculators::PluginFailure> conflicts;
  std::vector<std::string> linked;  // files with more than one name, compared with each other only
  std::map<std::pair<std::string, std::string>, std::string> first_with_key;  // (registry, key) -> file
  for (const auto& [module, info] : passed) {
    std::string reason;
    std::error_code ec;
    if (fs::hard_link_count(module.file, ec) > 1 && !ec) {
      for (const std::string& other : linked) {
        if (fs::equivalent(module.file, other, ec)) {
          reason = "is a hard link to " + other +
                   ", which discovery loads first; the dynamic loader takes both as "
                   "one library, so its classes would be registered twice. Remove one of the names";
          break;
        }
      }
      linked.push_back(module.file);
    }
    for (const auto& e : info.entries) {
      const auto [first, added] = first_with_key.try_emplace({e.registry_key, e.name}, module.file);
      if (!added && reason.empty()) {
        reason = "registers key \"" + e.name + "\" in registry " + e.registry_key + ", as " + first->second +
                 " does, which discovery loads first; discovery refuses this one. Give one of the classes another "
                 "name, or remove one of the plugins";
      }
    }
    if (!reason.empty()) conflicts.push_back({module.file, module.name, std::move(reason)});
  }
  return conflicts;
}

int run_doctor(bool json_output, bool load, const std::vector<std::string>& warnings) {
  const Style style = style_for(json_output);
  const auto path = speculators::plugin_search_path();
  // The library's trace of what follows (SPECULATORS_DEBUG_PLUGINS=1 prints the same), with
  // the check of each module's manifest, which reading one file outside discovery does not trace.
  std::vector<speculators::PluginTraceEvent> trace;
  speculators::set_plugin_trace_handler([&trace](const speculators::PluginTraceEvent& e) { trace.push_back(e); });
  std::vector<speculators::PluginFailure> refused;
  const auto modules = speculators::find_package_modules("", &refused);
  std::vector<speculators::PluginFailure> failed;
  std::vector<std::pair<speculators::PluginModule, speculators::PluginInfo>> passed;
  for (const auto& module : modules) {
    const auto started = std::chrono::steady_clock::now();
    Inspection inspection = inspect_file(module.file, load);
    if (!load) {
      const auto took =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
      const auto classes = [](std::size_t n) { return std::to_string(n) + (n == 1 ? " class" : " classes"); };
      std::string outcome = !inspection.info ? "failed: " + inspection.failure
                            : inspection.info->has_manifest
                                ? "manifest read: " + classes(inspection.info->entries.size())
                                : std::string(no_manifest_note);
      trace.push_back({module.file, "check", std::move(outcome), took});
    }
    if (!inspection.info) {
      failed.push_back({module.file, module.name, inspection.failure});
    } else {
      passed.emplace_back(module, std::move(*inspection.info));
    }
  }
  speculators::set_plugin_trace_handler({});
  for (speculators::PluginFailure& f : conflicts_between(passed)) failed.push_back(std::move(f));
  const bool healthy = refused.empty() && failed.empty() && warnings.empty();
  if (json_output) {
    json out = {{"search_path", json::array()}, {"ignored", warnings},     {"modules", modules.size()},
                {"refused", json::array()},     {"failed", json::array()}, {"healthy", healthy}};
    for (const auto& e : path)
      out["search_path"].push_back({{"directory", e.directory}, {"source", e.source}, {"exists", e.exists}});
    for (const auto& f : refused) out["refused"].push_back(failure_json(f));
    for (const auto& f : failed) out["failed"].push_back(failure_json(f));
    out["trace"] = json::array();
    for (const auto& e : trace) {
      out["trace"].push_back({{"path", e.path}, {"step", e.step}, {"outcome", e.outcome}, {"took_us", e.took.count()}});
    }
    print_json(out);
    return healthy ? exit_ok : exit_rejected;
  }
  std::cout << style.bold("plugin search path") << " (searched in this order)\n";
  for (std::size_t i = 0; i < path.size(); ++i) {
    std::cout << "  " << i + 1 << ". " << printable(path[i].directory) << "  [" << path[i].source << "] "
              << (path[i].exists ? style.green("exists") : style.red("missing")) << '\n';
  }
  for (const auto& w : warnings) std::cout << "  " << style.red("ignored: ") << printable(w) << '\n';
  std::cout << style.bold("modules found") << ": " << modules.size() << '\n';
  for (const auto& f : refused) {
    std::cout << "  " << style.red("refused: ") << printable(f.file) << ": " << printable(f.reason) << '\n';
  }
  for (const auto& f : failed) {
    std::cout << "  " << style.red("failed: ") << printable(f.file) << ": " << printable(f.reason) << '\n';
  }
  std::cout << style.bold("trace")
            << " (discovery's, as SPECULATORS_DEBUG_PLUGINS=1 writes it, and each manifest's check)\n";
  for (const auto& e : trace) {
    std::cout << "  " << e.step << std::string(e.step.size() < 7 ? 7 - e.step.size() : 0, ' ') << ' '
              << printable(e.path) << ": " << printable(e.outcome);
    if (e.took.count() > 0) std::cout << " (" << e.took.count() << " us)";
    std::cout << '\n';
  }
  std::cout << (healthy ? style.green("no problems found") : style.red("problems found")) << '\n';
  return healthy ? exit_ok : exit_rejected;
}

// Whether standard output took everything written to it; if not, says why on standard error.
bool output_written() {
  std::cout.flush();
  const bool failed = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout) != 0;
  if (failed) {
    const int error = errno;
    std::cerr << "speculators-registry: cannot write the output: "
              << (error != 0 ? std::generic_category().message(error) : std::string("write error")) << '\n';
  }
  return !failed;
}

int run_tool(int argc, char** argv) {
  CLI::App app{"Lists and checks speculators-registry plugins and configs.", "speculators-registry"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "speculators-registry " + std::string(speculators::version_string),
                       "Print the version and exit");
  std::vector<std::string> plugin_paths;
  bool json_output = false;
  bool load = false;
  app.add_option("--plugin-path", plugin_paths, "Also search this directory for plugins (repeatable)")
      ->check(CLI::ExistingDirectory);
  app.add_flag("--json", json_output, "Print JSON instead of text");
  app.footer("Exit codes: 0 success, 1 the input was rejected, 2 wrong usage.");

  std::vector<std::string> packages;
  CLI::App* list = app.add_subcommand("list", "List discoverable plugin modules and what they register");
  list->add_option("PACKAGE", packages, "Only these packages (dotted names, e.g. speculators.proposals)");
  list->footer("Example: speculators-registry list speculators.proposals --json");

  std::string file;
  CLI::App* inspect = app.add_subcommand("inspect", "Show one plugin's descriptor, or why it is refused");
  inspect->add_option("FILE", file, "The plugin file (.so)")->required();
  inspect->footer("Example: speculators-registry inspect build/plugins/speculators/proposals/greedy.so");

  std::string registry;
  CLI::App* schema = app.add_subcommand("schema", "Print the JSON Schema of a config registry found in plugins");
  schema
      ->add_option("REGISTRY", registry,
                   "The registry key, e.g. speculators::examples::TokenProposalConfig, or its unqualified name where "
                   "unambiguous")
      ->required();
  schema->footer("Example: speculators-registry schema speculators::examples::TokenProposalConfig");

  std::string config_file;
  bool allow_unknown = false;
  CLI::App* validate = app.add_subcommand(
      "validate", "Check a config file: print it normalized, or every problem with its JSON pointer");
  validate->add_option("REGISTRY", registry, "The config registry key, or its unqualified name where unambiguous")
      ->required();
  validate->add_option("CONFIG", config_file, "The config file (JSON)")->required();
  validate->add_flag("--allow-unknown-fields", allow_unknown, "Accept fields no class declares");
  validate->footer(
      "Example: speculators-registry validate speculators::examples::TokenProposalConfig examples/configs/greedy.json");

  CLI::App* doctor = app.add_subcommand("doctor", "Show the plugin search path and every refused file, with reasons");
  doctor->footer("Example: SPECULATORS_PLUGIN_PATH=/opt/plugins speculators-registry doctor");

  for (CLI::App* verb : {list, inspect, doctor}) {
    verb->add_flag("--load", load, "Load the plugins (runs their code) instead of reading their manifests");
  }
  // --json and --plugin-path are accepted after the verb too.
  for (CLI::App* verb : {list, inspect, schema, validate, doctor}) {
    verb->add_flag("--json", json_output, "Print JSON instead of text");
    verb->add_option("--plugin-path", plugin_paths, "Also search this directory for plugins (repeatable)")
        ->check(CLI::ExistingDirectory);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? exit_ok : exit_usage;
  }

  std::vector<std::string> warnings;  // doctor shows them in its report; other verbs print them to stderr
  if (*doctor) {
    speculators::set_warning_handler([&warnings](std::string_view w) { warnings.emplace_back(w); });
  } else {
    speculators::set_warning_handler(
        [](std::string_view w) { std::cerr << "speculators: warning: " << printable(w) << '\n'; });
  }
  try {
    for (const std::string& dir : plugin_paths) {
      std::error_code error;
      const std::filesystem::path absolute = std::filesystem::absolute(dir, error);
      if (error) {
        std::cerr << "speculators-registry: --plugin-path " << printable(dir)
                  << " cannot be made absolute: the current directory cannot be read (" << error.message() << ")\n";
        return exit_rejected;
      }
      speculators::add_plugin_directory(absolute);
    }
    if (*list) return run_list(packages, json_output, load);
    if (*inspect) return run_inspect(file, json_output, load);
    if (*schema) return run_schema(registry);
    if (*validate) return run_validate(registry, config_file, allow_unknown, json_output);
    if (*doctor) return run_doctor(json_output, load, warnings);
  } catch (const speculators::RegistryError& e) {
    std::cerr << printable(e.what(), true) << '\n';
    return exit_rejected;
  }
  return exit_usage;
}

}  // namespace

// The checkpoint formats register from the initializers of the checkpoints library, of which
// the tool calls nothing; a linker keeps only the shared libraries a program refers to (on
// Windows always, on Linux with --as-needed). This reference, which it must emit, keeps it.
extern auto* const speculators_checkpoints_in_the_tool = &speculators::checkpoints::parse_speculator_config;

int main(int argc, char** argv) {
  int code = exit_rejected;
  try {
    code = run_tool(argc, argv);
  } catch (const std::exception& e) {  // nothing aborts the tool: what no verb foresaw is reported too
    std::cerr << "speculators-registry: " << printable(e.what(), true) << '\n';
  } catch (...) {
    std::cerr << "speculators-registry: an unknown exception stopped the tool\n";
  }
  if (!output_written() && code == exit_ok) code = exit_rejected;
  return code;
}
