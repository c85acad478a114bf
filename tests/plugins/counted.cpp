// A fixture plugin that counts its static initializations and descriptor reads, so that a
// test can tell how many times the host loaded it. It exports its own entry point (wrapping
// the usual one), so it is built without speculators_add_plugin().
#include "fixture_bases.hpp"

#include <atomic>
#include <filesystem>
#include <iterator>
#include <system_error>

namespace {

std::atomic<int> initializations{0};
std::atomic<int> descriptor_reads{0};

std::atomic<int> open_descriptors_at_initialization{-1};

struct CountInitialization {
  CountInitialization() {
    initializations.fetch_add(1);
    // Counted as the tests count them (the iterator's own descriptor included).
    std::error_code ec;
    open_descriptors_at_initialization.store(static_cast<int>(std::distance(
        std::filesystem::directory_iterator("/proc/self/fd", ec), std::filesystem::directory_iterator())));
  }
} count_initialization;

struct CountedShape : fx::Shape {
  explicit CountedShape(int /*sides*/) {}
  int sides() const override { return 0; }
};
SPECULATORS_REGISTER(fx::Shape, CountedShape, "counted");

}  // namespace

extern "C" FX_EXPORT const SpeculatorsPluginDescriptor* speculators_plugin_descriptor() {
  descriptor_reads.fetch_add(1);
  return speculators::detail::plugin::descriptor();
}

extern "C" FX_EXPORT int fx_counted_initializations() { return initializations.load(); }
extern "C" FX_EXPORT int fx_counted_descriptor_reads() { return descriptor_reads.load(); }
extern "C" FX_EXPORT int fx_counted_open_descriptors() { return open_descriptors_at_initialization.load(); }
