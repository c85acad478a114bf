// A fixture plugin that registers through its entry point only, with a descriptor written by
// hand and no SPECULATORS_REGISTER line, so it carries no manifest (like an older build).
#include "fixture_bases.hpp"

namespace {

struct Manual : fx::Marked {};

fx::Marked* make_manual() { return new Manual; }

const SpeculatorsPluginEntry entries[] = {
    {"fx::Marked", "manual", "Manual", speculators::detail::signature_of<fx::Marked>::value.data(),
     "registered through the entry point only", reinterpret_cast<void (*)()>(&make_manual), nullptr}};

const SpeculatorsPluginDescriptor descriptor{SPECULATORS_PLUGIN_DESCRIPTOR_VERSION,
                                             static_cast<std::uint32_t>(sizeof(SpeculatorsPluginEntry)),
                                             SPECULATORS_ABI_TAG,
                                             SPECULATORS_COMPILER_TAG,
                                             1,
                                             entries};

}  // namespace

extern "C" FX_EXPORT const SpeculatorsPluginDescriptor* speculators_plugin_descriptor() { return &descriptor; }
