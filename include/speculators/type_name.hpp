// Compile-time names of C++ types, without RTTI.
//
// The registry needs three strings per class that must agree across shared
// libraries built separately: the default key ("Greedy"), the C++ type name
// shown to users ("ns::Greedy"), and the registry key of a base
// ("ns::TokenProposal"). `std::type_info::name()` is mangled, needs RTTI and can
// differ across libraries, so the names are cut out of `__PRETTY_FUNCTION__`
// at compile time and stored in static arrays (no allocation, no run-time cost).
//
//   static_assert(speculators::type_name<ns::Greedy>() == "ns::Greedy");
//   static_assert(speculators::short_type_name<ns::Greedy>() == "Greedy");
//   static_assert(speculators::short_type_name<ns::Box<ns::A, 3>>() == "Box<ns::A, 3>");
//
// Names are normalized so that g++ and clang++ agree on the common cases: a
// space is kept only between two identifier characters ("const X &" becomes
// "const X&"), and a comma is always followed by one space. They still differ on a few spellings ("long unsigned int"
// in g++, "unsigned long" in clang++); a plugin and a host built by different compilers then disagree on a signature,
// which the loader reports as an error rather than guessing.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace speculators {

template <class T>
constexpr std::string_view type_name() noexcept;

namespace detail {

template <class T>
constexpr std::string_view pretty_function() noexcept {
  return __PRETTY_FUNCTION__;
}

// The type as the compiler spells it, cut out of pretty_function<T>().
// clang:  "... pretty_function() [T = ns::Greedy]"
// g++:    "... pretty_function() [with T = ns::Greedy; std::string_view = ...]"
template <class T>
constexpr std::string_view raw_type_name() noexcept {
  constexpr std::string_view full = pretty_function<T>();
  constexpr std::string_view marker = "T = ";
  constexpr std::size_t begin = full.find(marker) + marker.size();
#if defined(__clang__)
  constexpr std::size_t end = full.rfind(']');
#else
  constexpr std::size_t semicolon = full.find(';', begin);
  constexpr std::size_t end = semicolon == std::string_view::npos ? full.rfind(']') : semicolon;
#endif
  static_assert(full.find(marker) != std::string_view::npos,
                "speculators: unsupported compiler: __PRETTY_FUNCTION__ has no 'T = '");
  return full.substr(begin, end - begin);
}

constexpr bool is_identifier_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Writes the normalized form of `raw` into `out` (if not null) and returns its
// length. One function serves both the sizing pass and the writing pass.
constexpr std::size_t normalize_type_name(std::string_view raw, char* out) noexcept {
  std::size_t n = 0;
  char last = '\0';  // the last character written: both passes decide alike
  const auto emit = [&](char c) {
    if (out != nullptr) out[n] = c;
    ++n;
    last = c;
  };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == ' ') {
      if (is_identifier_char(last) && i + 1 < raw.size() && is_identifier_char(raw[i + 1])) emit(' ');
      continue;
    }
    emit(c);
    if (c == ',') emit(' ');  // canonical ", " whatever the compiler printed
  }
  return n;
}

// Start of the unqualified name: just past the last "::" outside brackets.
constexpr std::size_t unqualified_start(std::string_view name) noexcept {
  std::size_t start = 0;
  int depth = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '<' || c == '(' || c == '[' || c == '{')
      ++depth;
    else if (c == '>' || c == ')' || c == ']' || c == '}')
      --depth;
    else if (depth == 0 && c == ':' && i + 1 < name.size() && name[i + 1] == ':')
      start = i + 2;
  }
  return start;
}

// Static storage for a string computed at compile time.
template <std::size_t N>
struct fixed_string {
  std::array<char, N + 1> chars{};
  constexpr std::string_view view() const noexcept { return {chars.data(), N}; }
};

template <class T>
struct type_name_storage {
  static constexpr std::string_view raw = raw_type_name<T>();
  static constexpr std::size_t size = normalize_type_name(raw, nullptr);
  static constexpr fixed_string<size> value = [] {
    fixed_string<size> s;
    normalize_type_name(raw, s.chars.data());
    return s;
  }();
};

// Concatenation of the compile-time strings in the static array `Parts`.
template <const auto& Parts>
struct concat_storage {
  static constexpr std::size_t size = [] {
    std::size_t n = 0;
    for (std::string_view part : Parts) n += part.size();
    return n;
  }();
  static constexpr fixed_string<size> value = [] {
    fixed_string<size> s;
    std::size_t n = 0;
    for (std::string_view part : Parts) n += part.copy(s.chars.data() + n, part.size());
    return s;
  }();
};

// "(A,B,C)": the argument part of a constructor-signature key.
template <class... Args>
struct argument_list {
  static constexpr std::array<std::string_view, 2 * sizeof...(Args) + 1> parts = [] {
    std::array<std::string_view, 2 * sizeof...(Args) + 1> p{};
    const std::array<std::string_view, sizeof...(Args) + 1> names{type_name<Args>()..., ""};
    p[0] = "(";
    for (std::size_t i = 0; i < sizeof...(Args); ++i) {
      p[2 * i + 1] = names[i];
      p[2 * i + 2] = i + 1 == sizeof...(Args) ? ")" : ", ";
    }
    if constexpr (sizeof...(Args) == 0) p[0] = "()";
    return p;
  }();
  static constexpr std::string_view value = concat_storage<parts>::value.view();
};

}  // namespace detail

/// The fully qualified name of `T`, normalized, e.g. "ns::Greedy".
template <class T>
constexpr std::string_view type_name() noexcept {
  return detail::type_name_storage<T>::value.view();
}

/// The name of `T` without its namespaces or enclosing classes; template
/// arguments are kept: "Greedy", "Box<ns::A, 3>".
template <class T>
constexpr std::string_view short_type_name() noexcept {
  constexpr std::string_view full = type_name<T>();
  return full.substr(detail::unqualified_start(full));
}

}  // namespace speculators
