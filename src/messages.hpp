// Every error text of the library is written here, so that all of them follow one form:
// what happened, to which registry and key (and file), and what to do.
#pragma once

#include <speculators/errors.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace speculators::detail {

/// `text` in double quotes, with control characters escaped (\n, \x01, ...).
std::string quoted(std::string_view text);

/// Up to `limit` registered keys closest to `key` (edit distance, case-insensitive first).
std::vector<std::string_view> closest_keys(std::string_view key, const std::vector<std::string_view>& keys,
                                           std::size_t limit = 3);

std::string invalid_key_message(std::string_view registry, std::string_view key, std::string_view problem);
std::string duplicate_key_message(std::string_view registry, std::string_view key, std::string_view existing_type,
                                  std::string_view existing_origin, std::string_view new_type,
                                  std::string_view new_origin);
std::string unknown_key_message(std::string_view registry, std::string_view key,
                                const std::vector<std::string_view>& keys);
std::string empty_registry_message(std::string_view registry);
std::string signature_mismatch_message(std::string_view registry, std::string_view key, std::string_view expected,
                                       std::string_view found, std::string_view origin);
std::string discovery_disabled_message(std::string_view registry);
std::string missing_package_message(std::string_view registry);
std::string plugin_failures_message(std::string_view registry, const std::vector<PluginFailure>& failures);

}  // namespace speculators::detail
