// A shared library that is not a speculators plugin: it has no descriptor entry point.
extern "C" __attribute__((visibility("default"))) int fx_not_a_plugin() { return 1; }
