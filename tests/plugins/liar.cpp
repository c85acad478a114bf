// Plugins whose descriptor lies, built by hand instead of by speculators_add_plugin(). Each
// build defines one FX_LIE_* macro naming the lie; the host must refuse the plugin before it
// uses any pointer of the descriptor it cannot trust. FX_LIE_COUNT claims 1,000,000 entries
// for the one it gives; with FX_LIE_LISTED the plugin also has a manifest listing that one.
#include "fixture_bases.hpp"

#include <speculators/plugin_abi.h>

namespace {

struct Honest : fx::Bad {
  explicit Honest(int /*value*/) {}
  int value() const override { return 1; }
};

fx::Bad* make_honest(int value) { return new Honest(value); }

const auto factory = reinterpret_cast<void (*)()>(&make_honest);

#if defined(FX_LIE_SIGNATURE)
constexpr const char* signature = "fx::Bad(double)";
#else
constexpr const char* signature = "fx::Bad(int)";
#endif

#if defined(FX_LIE_NULL_FIELD)
constexpr const char* entry_name = nullptr;
#else
constexpr const char* entry_name = "liar";
#endif

const SpeculatorsPluginEntry entries[] = {{"fx::Bad", entry_name, "fx::Honest", signature, "", factory}};

#if defined(FX_LIE_VERSION)
constexpr uint32_t version = 99;
#else
constexpr uint32_t version = SPECULATORS_PLUGIN_DESCRIPTOR_VERSION;
#endif

#if defined(FX_LIE_ABI)
constexpr const char* abi_tag = "libfoo++0/made-up";
#else
constexpr const char* abi_tag = SPECULATORS_ABI_TAG;
#endif

#if defined(FX_LIE_NULL_ENTRIES)
constexpr const SpeculatorsPluginEntry* entry_list = nullptr;
#else
constexpr const SpeculatorsPluginEntry* entry_list = entries;
#endif

#if defined(FX_LIE_COUNT)
constexpr uint64_t entry_count = 1000000;
#else
constexpr uint64_t entry_count = 1;
#endif

#if defined(FX_LIE_LISTED)
SPECULATORS_REGISTER(fx::Bad, Honest, "liar");  // only for its manifest: this entry point ignores it
#endif

const SpeculatorsPluginDescriptor descriptor{version,   sizeof(SpeculatorsPluginEntry), abi_tag, "fixture", entry_count,
                                             entry_list};

}  // namespace

extern "C" FX_EXPORT const SpeculatorsPluginDescriptor* speculators_plugin_descriptor() {
#if defined(FX_LIE_NULL_DESCRIPTOR)
  return nullptr;
#else
  return &descriptor;
#endif
}
