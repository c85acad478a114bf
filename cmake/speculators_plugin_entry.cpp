// The one exported symbol of a plugin; compiled into every plugin by speculators_add_plugin().
#include <speculators/registry.hpp>

#if !defined(SPECULATORS_PLUGIN)
#error "speculators_plugin_entry.cpp belongs to a plugin: build it with speculators_add_plugin()"
#endif

extern "C" __attribute__((visibility("default"))) const SpeculatorsPluginDescriptor* speculators_plugin_descriptor() {
  return speculators::detail::plugin::descriptor();
}
