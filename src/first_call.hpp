// Where the code of a process's first discovery is placed, and how it reaches the caches.
#pragma once

/// Marks a function that the first discovery of a process runs (and with it every
/// registration and lookup). The compiler gives such functions a section of their own
/// (.text.hot, their rarely taken paths going to .text.unlikely) and the linker places them
/// together: the first call finds none of the library's code in the caches, and so touches
/// fewer of its pages (measured in bench/: discovery, 3-5% at 1 to 100 plugins).
#define SPECULATORS_FIRST_CALL [[gnu::hot]]

namespace speculators::detail {

#if defined(SPECULATORS_FIRST_CALL_RANGE)
// Set by src/first_call.ld around the marked functions, when the linker takes that script.
extern "C" [[gnu::visibility("hidden")]] const char speculators_first_call_begin[];
extern "C" [[gnu::visibility("hidden")]] const char speculators_first_call_end[];
#endif

/// Brings the marked functions into the caches ahead of their first run, once per process
/// (the first discovery calls it). Run cold, they arrive one cache miss at a time, each
/// waiting for memory; prefetched in one pass, they arrive many at a time. Each page is read
/// first: a prefetch of a page not yet mapped into the process is dropped. (Measured in
/// bench/: discovery at N = 1, about 4 us of a 120 us call.)
inline void prefetch_first_call_code() noexcept {
#if defined(SPECULATORS_FIRST_CALL_RANGE)
  constexpr long page = 4096;
  constexpr long line = 64;
  const char* const begin = speculators_first_call_begin;
  const long size = speculators_first_call_end - begin;
  for (long at = 0; at < size; at += page) static_cast<void>(*static_cast<const volatile char*>(begin + at));
  for (long at = 0; at < size; at += line) __builtin_prefetch(begin + at, 0, 2);  // into the second-level cache
#endif
}

}  // namespace speculators::detail
