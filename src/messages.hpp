// How the library's error texts are built (message(), quoted(), the suggestions of close
// keys), and the texts that several files give (a key taken, a signature that differs, a
// plugin's failures): every text follows one form, what happened, to which registry and key
// (and file), and what to do. A text that one file alone gives is written where it is found.
#pragma once

#include <speculators/errors.hpp>

#include <concepts>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace speculators::detail {

/// A number a message() writes in decimal; a char or a bool is not taken for one.
template <class T>
concept MessageNumber = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char>;

/// One piece of a message(): a text, or a number. Made implicitly from either, so that a
/// message is written as the list of its pieces.
class MessagePart {
 public:
  MessagePart(std::string_view text) noexcept : text_(text) {}
  MessagePart(const std::string& text) noexcept : text_(text) {}
  MessagePart(const char* text) noexcept : text_(text != nullptr ? text : "") {}
  template <MessageNumber Number>
  MessagePart(Number number) noexcept : number_(static_cast<unsigned long long>(number)), is_number_(true) {
    if constexpr (std::is_signed_v<Number>) {
      negative_ = number < 0;
      if (negative_) number_ = 0ULL - number_;
    }
  }
  void append_to(std::string& out) const;

 private:
  std::string_view text_;
  unsigned long long number_ = 0;
  bool is_number_ = false;
  bool negative_ = false;
};

/// The parts joined into one text. Cold and out of line: the code that builds an error
/// message stays out of the code, and the cache lines, of the calls that succeed (a first
/// discovery runs mostly code that was never run before: measured in bench/: discovery).
[[gnu::cold]] std::string message(std::initializer_list<MessagePart> parts);

/// `text` in double quotes, with control characters escaped (\n, \x01, ...).
[[gnu::cold]] std::string quoted(std::string_view text);

/// Up to `limit` registered keys closest to `key` (edit distance, case-insensitive first).
[[gnu::cold]] std::vector<std::string_view> closest_keys(std::string_view key,
                                                         const std::vector<std::string_view>& keys,
                                                         std::size_t limit = 3);

[[gnu::cold]] std::string invalid_key_message(std::string_view registry, std::string_view key,
                                              std::string_view problem);
[[gnu::cold]] std::string duplicate_key_message(std::string_view registry, std::string_view key,
                                                std::string_view existing_type, std::string_view existing_origin,
                                                std::string_view new_type, std::string_view new_origin);
[[gnu::cold]] std::string unknown_key_message(std::string_view registry, std::string_view key,
                                              const std::vector<std::string_view>& keys);
[[gnu::cold]] std::string unknown_registry_message(std::string_view name, const std::vector<std::string_view>& keys,
                                                   const std::vector<std::string_view>& close);
[[gnu::cold]] std::string ambiguous_registry_message(std::string_view name,
                                                     const std::vector<std::string_view>& matches);
[[gnu::cold]] std::string empty_registry_message(std::string_view registry);
[[gnu::cold]] std::string signature_mismatch_message(std::string_view registry, std::string_view key,
                                                     std::string_view expected, std::string_view found,
                                                     std::string_view origin);
[[gnu::cold]] std::string discovery_disabled_message(std::string_view registry);
[[gnu::cold]] std::string missing_package_message(std::string_view registry);
[[gnu::cold]] std::string plugin_failures_message(std::string_view registry,
                                                  const std::vector<PluginFailure>& failures);
/// The failure of a plugin file named to `call` ("load_plugin()"), which no registry asked for.
[[gnu::cold]] std::string plugin_file_message(std::string_view call, const PluginFailure& failure);

}  // namespace speculators::detail
