// A fixture plugin of the lazy-loading tests: one class of fx::Lazy under FX_LAZY_KEY, and an
// exported count of the plugin's static initializations, so that a test can tell whether and
// how often its code ran. With FX_LAZY_NEEDS_GONE it also needs a library that is nowhere on
// disk, so its manifest reads well but the dynamic loader refuses it.
#include "fixture_bases.hpp"

#include <atomic>

#if defined(FX_LAZY_NEEDS_GONE)
extern "C" int fx_gone_function();
#endif

namespace {

std::atomic<int> initializations{0};

struct CountInitialization {
  CountInitialization() { initializations.fetch_add(1); }
} count_initialization;

struct LazyImpl : fx::Lazy {
  explicit LazyImpl(int value) : value_(value) {}
  int value() const override {
#if defined(FX_LAZY_NEEDS_GONE)
    return fx_gone_function();
#else
    return value_;
#endif
  }
  int value_;
};

}  // namespace

SPECULATORS_REGISTER(fx::Lazy, LazyImpl, FX_LAZY_KEY, "a lazily loaded fixture");

extern "C" FX_EXPORT int fx_lazy_initializations() { return initializations.load(); }
