// FX_EXPORT marks what a fixture library exports by hand: its own entry point, or the counters
// the tests read from the copy the host loaded.
#pragma once

#if defined(_WIN32)
#define FX_EXPORT __declspec(dllexport)
#else
#define FX_EXPORT __attribute__((visibility("default")))
#endif
