// speculators-registry: what is discoverable, and is this plugin or config right?
//
// A thin client of the public API: everything it prints, a program can get from
// <speculators/plugins.hpp> and <speculators/registry.hpp>.
//
// Exit codes: 0 success, 1 the input was rejected (a bad plugin, a bad config), 2 wrong usage.
#include <speculators/config.hpp>
#include <speculators/plugins.hpp>
#include <speculators/registry.hpp>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
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
  return Style{!json_output && ::isatty(STDOUT_FILENO) != 0 && !colour_refused};
}

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
        rows.push_back({module.name, "-", "-", "-", no_manifest_note, module.file});
      }
      for (const auto& e : inspection.info->entries) {
        m["entries"].push_back(entry_json(e));
        rows.push_back({module.name, e.registry_key, e.name, e.type_name, e.description, module.file});
      }
    } else {
      rejected = true;
      m["error"] = inspection.failure;
      rows.push_back({module.name, "-", "-", "-", style.red("refused: " + inspection.failure), module.file});
    }
    out["modules"].push_back(std::move(m));
  }
  for (const auto& f : refused) {
    out["refused"].push_back(failure_json(f));
    rows.push_back({f.module.empty() ? "-" : f.module, "-", "-", "-", style.red("refused: " + f.reason), f.file});
  }
  if (json_output) {
    std::cout << out.dump(2) << '\n';
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
      std::cout << json{{"file", file}, {"error", inspection.failure}}.dump(2) << '\n';
    } else {
      std::cerr << style.red("refused: ") << file << ": " << inspection.failure << '\n';
    }
    return exit_rejected;
  }
  const speculators::PluginInfo& info = *inspection.info;
  if (json_output) {
    json out = {{"file", info.file},
                {"read_from", load ? "descriptor" : "manifest"},
                {"has_manifest", info.has_manifest},
                {"descriptor_version", info.descriptor_version},
                {"abi_tag", info.abi_tag},
                {"compiler", info.compiler},
                {"entries", json::array()}};
    for (const auto& e : info.entries) out["entries"].push_back(entry_json(e));
    std::cout << out.dump(2) << '\n';
    return exit_ok;
  }
  std::cout << style.bold("file") << "                " << info.file << '\n'
            << style.bold("read from") << "           "
            << (load ? "its descriptor (loaded)" : "its manifest (not loaded)") << '\n'
            << style.bold("descriptor version") << "  " << info.descriptor_version << '\n'
            << style.bold("abi tag") << "             " << info.abi_tag << '\n'
            << style.bold("compiler") << "            " << info.compiler << '\n'
            << style.bold("entries") << "             " << info.entries.size() << "\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : info.entries) rows.push_back({e.registry_key, e.name, e.type_name, e.signature, e.description});
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
      std::cerr << "speculators-registry: skipped " << module.file << ": " << loaded.failure << '\n';
    }
  }
}

int run_schema(const std::string& name) {
  const std::string registry = speculators::resolve_registry_key(name);
  load_plugins_of(registry);
  std::cout << speculators::config_schema(registry).dump(2) << '\n';
  return exit_ok;
}

int run_validate(const std::string& name, const std::string& file, bool allow_unknown, bool json_output) {
  const Style style = style_for(json_output);
  std::ifstream in(file);
  if (!in) {
    std::cerr << "speculators-registry: cannot read " << file << '\n';
    return exit_rejected;
  }
  json config;
  try {
    config = json::parse(in);
  } catch (const json::parse_error& e) {
    std::cerr << file << ": not JSON: " << e.what() << '\n';
    return exit_rejected;
  }
  const std::string registry = speculators::resolve_registry_key(name);
  load_plugins_of(registry);
  try {
    json normalized = speculators::normalize_config(registry, config, {.allow_unknown_fields = allow_unknown});
    std::cout << (json_output ? json{{"valid", true}, {"config", normalized}} : normalized).dump(2) << '\n';
    return exit_ok;
  } catch (const speculators::ConfigError& e) {
    if (json_output) {
      json out = {{"valid", false}, {"problems", json::array()}};
      for (const auto& p : e.problems()) out["problems"].push_back({{"pointer", p.pointer}, {"message", p.message}});
      std::cout << out.dump(2) << '\n';
    } else {
      std::cerr << style.red("invalid: ") << file << '\n';
      for (const auto& p : e.problems())
        std::cerr << "  " << (p.pointer.empty() ? "/" : p.pointer) << ": " << p.message << '\n';
    }
    return exit_rejected;
  }
}

int run_doctor(bool json_output, bool load, const std::vector<std::string>& warnings) {
  const Style style = style_for(json_output);
  const auto path = speculators::plugin_search_path();
  std::vector<speculators::PluginFailure> refused;
  const auto modules = speculators::find_package_modules("", &refused);
  std::vector<speculators::PluginFailure> failed;
  for (const auto& module : modules) {
    if (Inspection inspection = inspect_file(module.file, load); !inspection.info) {
      failed.push_back({module.file, module.name, inspection.failure});
    }
  }
  const bool healthy = refused.empty() && failed.empty() && warnings.empty();
  if (json_output) {
    json out = {{"search_path", json::array()}, {"ignored", warnings},     {"modules", modules.size()},
                {"refused", json::array()},     {"failed", json::array()}, {"healthy", healthy}};
    for (const auto& e : path)
      out["search_path"].push_back({{"directory", e.directory}, {"source", e.source}, {"exists", e.exists}});
    for (const auto& f : refused) out["refused"].push_back(failure_json(f));
    for (const auto& f : failed) out["failed"].push_back(failure_json(f));
    std::cout << out.dump(2) << '\n';
    return healthy ? exit_ok : exit_rejected;
  }
  std::cout << style.bold("plugin search path") << " (searched in this order)\n";
  for (std::size_t i = 0; i < path.size(); ++i) {
    std::cout << "  " << i + 1 << ". " << path[i].directory << "  [" << path[i].source << "] "
              << (path[i].exists ? style.green("exists") : style.red("missing")) << '\n';
  }
  for (const auto& w : warnings) std::cout << "  " << style.red("ignored: ") << w << '\n';
  std::cout << style.bold("modules found") << ": " << modules.size() << '\n';
  for (const auto& f : refused) std::cout << "  " << style.red("refused: ") << f.file << ": " << f.reason << '\n';
  for (const auto& f : failed) std::cout << "  " << style.red("failed: ") << f.file << ": " << f.reason << '\n';
  std::cout << (healthy ? style.green("no problems found") : style.red("problems found")) << '\n';
  return healthy ? exit_ok : exit_rejected;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Lists and checks speculators-registry plugins and configs.", "speculators-registry"};
  app.require_subcommand(1);
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
  if (*doctor) speculators::set_warning_handler([&warnings](std::string_view w) { warnings.emplace_back(w); });
  try {
    for (const std::string& dir : plugin_paths) speculators::add_plugin_directory(std::filesystem::absolute(dir));
    if (*list) return run_list(packages, json_output, load);
    if (*inspect) return run_inspect(file, json_output, load);
    if (*schema) return run_schema(registry);
    if (*validate) return run_validate(registry, config_file, allow_unknown, json_output);
    if (*doctor) return run_doctor(json_output, load, warnings);
  } catch (const speculators::RegistryError& e) {
    std::cerr << e.what() << '\n';
    return exit_rejected;
  }
  return exit_usage;
}
