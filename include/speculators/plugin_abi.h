/* The binary contract between a plugin and the host that loads it.
 *
 * A plugin exports one C function, SPECULATORS_PLUGIN_ENTRY_POINT, returning a
 * descriptor. The host reads `version` first and nothing else until it knows
 * the layout; then it checks `abi_tag` and each entry's `signature` against its
 * own before it casts a single factory pointer. Plugin authors never write this
 * by hand: `speculators_add_plugin()` compiles the entry point, and each
 * SPECULATORS_REGISTER line adds one entry.
 *
 * The layout only grows: a new field goes at the end of a struct and raises
 * SPECULATORS_PLUGIN_DESCRIPTOR_VERSION, and `entry_size` lets an older host
 * step over entries written by a newer plugin.
 */
#ifndef SPECULATORS_PLUGIN_ABI_H
#define SPECULATORS_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
/* Defines the standard library's version macros tested below, whatever was included first. */
#include <version>
#endif

#define SPECULATORS_PLUGIN_DESCRIPTOR_VERSION 1u
#define SPECULATORS_PLUGIN_ENTRY_POINT "speculators_plugin_descriptor"

#define SPECULATORS_DETAIL_STR2(x) #x
#define SPECULATORS_DETAIL_STR(x) SPECULATORS_DETAIL_STR2(x)

/* What must match between host and plugin for a C++ object to cross: the
 * standard library, its major release and its string ABI. The compiler itself
 * may differ (g++ and clang++ share the Itanium ABI on Linux). */
#if defined(SPECULATORS_ABI_TAG)
/* Set by the build: only ever done to make a plugin that the host must refuse, for tests. */
#elif defined(_LIBCPP_VERSION)
#define SPECULATORS_ABI_TAG "libc++" SPECULATORS_DETAIL_STR(_LIBCPP_VERSION)
#elif defined(__GLIBCXX__)
#define SPECULATORS_ABI_TAG \
  "libstdc++" SPECULATORS_DETAIL_STR(_GLIBCXX_RELEASE) "/cxx11abi" SPECULATORS_DETAIL_STR(_GLIBCXX_USE_CXX11_ABI)
#else
#define SPECULATORS_ABI_TAG "unknown-stdlib"
#endif

#if defined(__clang__)
#define SPECULATORS_COMPILER_TAG "clang++ " __clang_version__
#elif defined(__GNUC__)
#define SPECULATORS_COMPILER_TAG "g++ " __VERSION__
#else
#define SPECULATORS_COMPILER_TAG "unknown-compiler"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* One registered class. Strings are NUL-terminated and live as long as the
 * plugin stays loaded, which is the life of the process. */
typedef struct SpeculatorsPluginEntry {  // NOLINT(modernize-use-using): a C header
  const char* registry_key;              /* the base's registry key, e.g. "ns::TokenProposal" */
  const char* name;                      /* the class key, e.g. "greedy" */
  const char* type_name;                 /* the C++ type, e.g. "ns::GreedyProposal" */
  const char* signature;                 /* constructor-signature key, e.g. "ns::TokenProposal(int)" */
  const char* description;               /* help text; may be "" */
  void (*factory)(void);                 /* Base* (*)(CtorArgs...), erased; cast back only after `signature` matched */
  const void* extension; /* the registry kind's own table (config registries: detail::RegistryRef), or NULL */
} SpeculatorsPluginEntry;

typedef struct SpeculatorsPluginDescriptor {  // NOLINT(modernize-use-using): a C header
  uint32_t version;     /* SPECULATORS_PLUGIN_DESCRIPTOR_VERSION of the plugin's build; always first */
  uint32_t entry_size;  /* sizeof(SpeculatorsPluginEntry) in the plugin's build */
  const char* abi_tag;  /* SPECULATORS_ABI_TAG of the plugin's build */
  const char* compiler; /* SPECULATORS_COMPILER_TAG, for messages only */
  uint64_t entry_count;
  const SpeculatorsPluginEntry* entries;
} SpeculatorsPluginDescriptor;

typedef const SpeculatorsPluginDescriptor* (*SpeculatorsPluginEntryPoint)(void);  // NOLINT(modernize-use-using)

#ifdef __cplusplus
}
#endif

#endif /* SPECULATORS_PLUGIN_ABI_H */
