// The one exported symbol of a plugin; compiled into every plugin by speculators_add_plugin().
#include <speculators/registry.hpp>

#if !defined(SPECULATORS_PLUGIN)
#error "speculators_plugin_entry.cpp belongs to a plugin: build it with speculators_add_plugin()"
#endif

#if defined(_WIN32)
#define SPECULATORS_DETAIL_ENTRY_EXPORT __declspec(dllexport)
#else
#define SPECULATORS_DETAIL_ENTRY_EXPORT __attribute__((visibility("default")))
#endif

extern "C" SPECULATORS_DETAIL_ENTRY_EXPORT const SpeculatorsPluginDescriptor* speculators_plugin_descriptor() {
  return speculators::detail::plugin::descriptor();
}
