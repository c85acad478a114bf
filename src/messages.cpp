#include "messages.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <numeric>

namespace speculators::detail {

namespace {

constexpr std::size_t listed_keys_limit = 20;

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const bool same =
          std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string joined_quoted(const std::vector<std::string_view>& keys, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < keys.size() && i < limit; ++i) {
    if (i > 0) out += ", ";
    out += quoted(keys[i]);
  }
  if (keys.size() > limit) out += " and " + std::to_string(keys.size() - limit) + " more";
  return out;
}

std::string registry_text(std::string_view registry) { return "registry " + quoted(registry); }

}  // namespace

void MessagePart::append_to(std::string& out) const {
  if (!is_number_) {
    out += text_;
    return;
  }
  if (negative_) out += '-';
  out += std::to_string(number_);
}

std::string message(std::initializer_list<MessagePart> parts) {
  std::string out;
  for (const MessagePart& part : parts) part.append_to(out);
  return out;
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::vector<std::string_view> closest_keys(std::string_view key, const std::vector<std::string_view>& keys,
                                           std::size_t limit) {
  const std::size_t threshold = std::max<std::size_t>(2, key.size() / 3);
  std::vector<std::pair<std::size_t, std::string_view>> scored;
  for (std::string_view k : keys) {
    const std::size_t d = edit_distance(key, k);
    const bool prefix = !key.empty() && (k.starts_with(key) || key.starts_with(k));
    if (d <= threshold || prefix) scored.emplace_back(prefix ? std::min<std::size_t>(d, 1) : d, k);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < scored.size() && i < limit; ++i) out.push_back(scored[i].second);
  return out;
}

std::string invalid_key_message(std::string_view registry, std::string_view key, std::string_view problem) {
  return "speculators: cannot register key " + quoted(key) + " in " + registry_text(registry) + ": " +
         std::string(problem) +
         ". Use a non-empty name without surrounding white space or control characters, "
         "or leave the name out to use the class name.";
}

std::string duplicate_key_message(std::string_view registry, std::string_view key, std::string_view existing_type,
                                  std::string_view existing_origin, std::string_view new_type,
                                  std::string_view new_origin) {
  return "speculators: key " + quoted(key) + " is already registered in " + registry_text(registry) + " by class " +
         std::string(existing_type) + " (from " + std::string(existing_origin) + "); cannot register class " +
         std::string(new_type) + " (from " + std::string(new_origin) +
         ") under it. Give one of them another name, e.g. SPECULATORS_REGISTER(Base, " + std::string(new_type) +
         ", \"other_name\").";
}

std::string unknown_key_message(std::string_view registry, std::string_view key,
                                const std::vector<std::string_view>& keys) {
  std::string text =
      "speculators: no class is registered under key " + quoted(key) + " in " + registry_text(registry) + ".";
  const std::vector<std::string_view> close = closest_keys(key, keys);
  if (!close.empty()) text += " Did you mean " + joined_quoted(close, close.size()) + "?";
  if (keys.empty()) {
    text += " The registry is empty: register a class, or check that discovery found its plugins.";
  } else {
    text += " Registered keys: " + joined_quoted(keys, listed_keys_limit) + ".";
  }
  return text;
}

std::string unknown_registry_message(std::string_view name, const std::vector<std::string_view>& keys,
                                     const std::vector<std::string_view>& close) {
  std::string text = "speculators: no registry " + quoted(name) +
                     " is known to this process or named by the manifest of a plugin on the search path.";
  if (!close.empty()) text += " Did you mean " + joined_quoted(close, close.size()) + "?";
  if (keys.empty()) {
    text += " No registry is known: add the directory of its plugins to the search path (SPECULATORS_PLUGIN_PATH).";
  } else {
    text += " Known registries: " + joined_quoted(keys, listed_keys_limit) + ".";
  }
  return text;
}

std::string ambiguous_registry_message(std::string_view name, const std::vector<std::string_view>& matches) {
  return "speculators: registry name " + quoted(name) + " is ambiguous. Did you mean " +
         joined_quoted(matches, listed_keys_limit) + "? Name the registry with its namespace.";
}

std::string empty_registry_message(std::string_view registry) {
  return "speculators: registered_classes() must be called after registering classes: " + registry_text(registry) +
         " has none. Register one with SPECULATORS_REGISTER(Base, Derived), or turn on registry_auto_discovery "
         "with an auto_package whose plugins are on the plugin search path.";
}

std::string signature_mismatch_message(std::string_view registry, std::string_view key, std::string_view expected,
                                       std::string_view found, std::string_view origin) {
  std::string text = "speculators: constructor signature mismatch in " + registry_text(registry);
  if (!key.empty()) text += " for key " + quoted(key);
  if (!origin.empty()) text += " from " + std::string(origin);
  return text + ": expected " + quoted(expected) + ", found " + quoted(found) +
         ". Both sides must be built from the same definition of the base (same CtorArgs, same registry_name); "
         "rebuild the plugin against the host's headers.";
}

std::string discovery_disabled_message(std::string_view registry) {
  return "speculators: auto_populate_registry() was called but registry_auto_discovery is set to False for " +
         registry_text(registry) +
         ". Declare `static constexpr bool registry_auto_discovery = true;` in the base, or derive it from "
         "AutoClassRegistryMixin.";
}

std::string missing_package_message(std::string_view registry) {
  return "speculators: auto_package must be set to discover modules for " + registry_text(registry) +
         ". Declare `static constexpr std::string_view auto_package = \"a.b\";` (or a std::array of them) in the base.";
}

std::string plugin_failures_message(std::string_view registry, const std::vector<PluginFailure>& failures) {
  std::string text = "speculators: " + std::to_string(failures.size()) + " plugin" + (failures.size() == 1 ? "" : "s") +
                     " failed during discovery for " + registry_text(registry) + "; the others were registered:";
  for (const PluginFailure& f : failures) {
    text += "\n  " + f.file;
    if (!f.module.empty()) text += " (module " + f.module + ")";
    text += ": " + f.reason;
  }
  return text;
}

}  // namespace speculators::detail
