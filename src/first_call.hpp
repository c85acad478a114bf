// Where the code of a process's first discovery is placed, and how it reaches the caches.
#pragma once

#include <cstdint>

/// Marks a function that the first discovery of a process runs (and with it every
/// registration and lookup). GCC, from -O2, gives such functions a section of their own
/// (.text.hot, their rarely taken paths going to .text.unlikely) and the linker places them
/// together: the first call finds none of the library's code in the caches, and so touches
/// fewer of its pages (measured in bench/: discovery, 3-5% at 1 to 100 plugins). Other
/// compilers and -O0 leave the range below empty: nothing is prefetched.
#define SPECULATORS_FIRST_CALL [[gnu::hot]]

namespace speculators::detail {

// Set around the marked functions by src/first_call.ld, when the library was linked with it
// (a shared library, by a linker that takes the script). Weak: elsewhere both are null.
extern "C" [[gnu::weak, gnu::visibility("hidden")]] const char speculators_first_call_begin[];
extern "C" [[gnu::weak, gnu::visibility("hidden")]] const char speculators_first_call_end[];

/// Brings the marked functions into the caches ahead of their first run, once per process
/// (when the plugin machinery's state is made, src/discovery.cpp). Run cold, they arrive one
/// cache miss at a time, each waiting for memory; prefetched in one pass, they arrive many
/// at a time. Each page is read first: a prefetch of a page not yet in the process's page
/// tables is dropped. (The library's code is readable, as usual; a build linked for
/// execute-only code would need the reads removed.) Measured in bench/: discovery at N = 1,
/// about 4 us of a 120 us call.
inline void prefetch_first_call_code() noexcept {
  constexpr std::uintptr_t page = 4096;
  constexpr std::uintptr_t line = 64;
  const auto begin = reinterpret_cast<std::uintptr_t>(speculators_first_call_begin);
  const auto end = reinterpret_cast<std::uintptr_t>(speculators_first_call_end);
  if (begin == 0 || end <= begin) return;
  for (std::uintptr_t at = begin & ~(page - 1); at < end; at += page) {
    static_cast<void>(*reinterpret_cast<const volatile char*>(at));  // the page holding `at` is the library's
  }
  for (std::uintptr_t at = begin; at < end; at += line) {
    __builtin_prefetch(reinterpret_cast<const void*>(at), 0, 2);  // into the second-level cache
  }
}

}  // namespace speculators::detail
