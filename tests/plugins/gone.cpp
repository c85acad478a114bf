// The dependency of missing_dep.so, linked under a name that no file on disk has.
extern "C" __attribute__((visibility("default"))) int fx_gone_function() { return 42; }
