// The registry store: one per registry key per process, shared by every library.
//
// Readers take no lock. Registrations are append-only: an entry, once published, is never
// changed or freed, and a table, once published, is never freed either (a reader may still
// hold it). A writer holds `write_mutex`, fills the new entry, and publishes it with a
// release store; a reader's acquire load sees either nothing or the whole entry.
#pragma once

#include <speculators/registry.hpp>

#include <atomic>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace speculators::detail {

/// A store's table: the hash slots and the registration order, as lookups read them
/// (`lookup`, detail::SlotTable), and their storage. A full table is copied into one twice its
/// size, which is published.
struct Table {
  explicit Table(std::size_t capacity);
  std::size_t capacity;  ///< entries it can hold
  std::unique_ptr<Slot[]> slots;
  std::unique_ptr<const Entry*[]> order;
  SlotTable lookup;  ///< {2 * capacity - 1, slots, order, count}
};

struct RegistryStore {
  RegistryStore(std::string_view key, std::string_view signature);

  // What every lookup reads sits on a cache line of its own, away from what writers write.
  alignas(64) std::atomic<Table*> table{nullptr};
  std::atomic<const SlotTable*> lookup{nullptr};  ///< &table->lookup, published with it
  std::atomic<bool> populated{false};             ///< discovery has run (src/populate.cpp)

  alignas(64) const std::string key;
  std::string signature;  ///< empty until a typed base or a plugin entry names it
  std::mutex write_mutex;
  std::vector<std::unique_ptr<Table>> tables;              ///< every table published, kept for readers
  std::vector<std::unique_ptr<std::byte[]>> entry_blocks;  ///< each entry and its copied strings, one block
  std::vector<std::exception_ptr> deferred_errors;         ///< registrations that failed before main
  std::atomic<bool> has_deferred_errors{false};
  std::atomic<const void*> extension{nullptr};  ///< EntryFields::extension of the first entry that had one
  /// The discovery settings of the base, for code that reaches the store by key: a typed base's
  /// (registry_store), or ones read from the manifests of the plugins that name the key.
  std::atomic<const DiscoverySpec*> discovery{nullptr};

  // Discovery state (src/populate.cpp).
  std::mutex populate_mutex;
  std::vector<std::string> imported_modules;    ///< under populate_mutex
  std::vector<PluginFailure> pending_failures;  ///< kept by find() for the next throwing call
};

/// Every store of the process, in creation order (for listings and the loader).
std::vector<RegistryStore*> all_stores();

/// The store for `key` if one exists, else null; makes nothing.
RegistryStore* existing_store(std::string_view key);

/// The store's signature when it is set and differs from `signature`, read under its lock;
/// empty when they agree or the store has none yet (a typed base or a plugin entry names it).
std::string conflicting_signature(RegistryStore& store, std::string_view signature);

/// The store for `key`, made if missing, with no signature check (the plugin loader's view).
RegistryStore& store_for_key(std::string_view key);

/// The key check shared by every registration: empty, padded or control characters are refused.
/// @returns an empty string when `key` is valid, else the reason.
std::string key_problem(std::string_view key);

}  // namespace speculators::detail
