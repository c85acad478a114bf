// The type-erased core: stores, lock-free lookup, append-only registration.
#include "store.hpp"

#include "messages.hpp"
#include "os.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <new>
#include <set>

namespace speculators::detail {

namespace {

// Every store of the process. Deliberately never destroyed: registrations made by static
// initializers and used by static destructors of other libraries stay valid to the end.
struct StoreDirectory {
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<RegistryStore>, std::less<>> by_key;
  std::vector<RegistryStore*> in_order;
};

// A copy of `text` that lives as long as the process.
const char* intern(const std::string& text) {
  static std::mutex mutex;
  static auto* texts = new std::set<std::string, std::less<>>;  // never freed: pointers are handed out
  std::lock_guard lock(mutex);
  return texts->insert(text).first->c_str();
}

StoreDirectory& directory() {
  static auto* dir = new StoreDirectory;
  return *dir;
}

RegistryStore& store_locked(StoreDirectory& dir, std::string_view key) {
  auto it = dir.by_key.find(key);
  if (it == dir.by_key.end()) {
    it = dir.by_key.emplace(std::string(key), std::make_unique<RegistryStore>(key, std::string_view{})).first;
    dir.in_order.push_back(it->second.get());
  }
  return *it->second;
}

void insert_slot(Table& table, const Entry* entry) noexcept {
  const std::size_t mask = table.lookup.mask;
  std::size_t i = entry->hash & mask;
  while (table.slots[i].entry.load(std::memory_order_relaxed) != nullptr) i = (i + 1) & mask;
  table.slots[i].hash.store(entry->hash, std::memory_order_relaxed);
  table.slots[i].entry.store(entry, std::memory_order_release);
}

// A table that can take one more entry, made and published under the write lock if needed.
Table& table_with_room(RegistryStore& store) {
  Table* current = store.table.load(std::memory_order_relaxed);
  const std::size_t count = current == nullptr ? 0 : current->lookup.count.load(std::memory_order_relaxed);
  if (current != nullptr && count < current->capacity) return *current;
  auto grown = std::make_unique<Table>(current == nullptr ? 8 : 2 * current->capacity);
  for (std::size_t i = 0; i < count; ++i) {
    grown->order[i] = current->order[i];
    insert_slot(*grown, current->order[i]);
  }
  grown->lookup.count.store(count, std::memory_order_relaxed);
  Table* published = grown.get();
  store.tables.push_back(std::move(grown));
  store.table.store(published, std::memory_order_release);
  store.lookup.store(&published->lookup, std::memory_order_release);
  return *published;
}

// One block holds the entry and copies of the texts that may not outlive the call. The key
// is always copied, right behind the entry, so that comparing it stays on the entry's cache
// lines; compile-time texts (type name, signature) are pointed at, not copied, and so is a
// description that is the type name (none given).
const Entry& make_entry(RegistryStore& store, const EntryFields& fields) {
  const RegistrationRecord& given = fields.record;
  const bool copy_fixed = !fields.static_texts;
  const bool own_description = !given.description.empty() && given.description != given.type_name;
  const std::string_view texts[] = {given.name, copy_fixed ? given.type_name : std::string_view{},
                                    copy_fixed ? given.signature : std::string_view{},
                                    own_description ? given.description : std::string_view{}, fields.origin};
  std::size_t size = sizeof(Entry);
  for (std::string_view t : texts) size += t.size() + 1;
  auto block = std::make_unique<std::byte[]>(size);
  char* text = reinterpret_cast<char*>(block.get() + sizeof(Entry));
  std::string_view copies[std::size(texts)];
  for (std::size_t i = 0; i < std::size(texts); ++i) {
    // An empty view may have a null data(), which memcpy must not be given even for 0 bytes.
    if (!texts[i].empty()) std::memcpy(text, texts[i].data(), texts[i].size());
    text[texts[i].size()] = '\0';
    copies[i] = {text, texts[i].size()};
    text += texts[i].size() + 1;
  }
  RegistrationRecord stored{store.key, copies[0], copy_fixed ? copies[1] : given.type_name,
                            copy_fixed ? copies[2] : given.signature, copies[3]};
  if (!own_description) stored.description = stored.type_name;
  auto* entry = new (block.get())
      Entry{hash_key(stored.name), stored, {fields.factory}, fields.module, {}, fields.factory_context};
  entry->origin.store(fields.origin.empty() ? nullptr : copies[4].data(), std::memory_order_relaxed);
  store.entry_blocks.push_back(std::move(block));
  return *entry;
}

// Whether `fields` is the loaded code of `listed`, a class listed from the same plugin's manifest.
bool fills_listed_entry(const Entry& listed, const EntryFields& fields) noexcept {
  return listed.module != nullptr && listed.module == fields.module && fields.factory != nullptr &&
         listed.factory.load(std::memory_order_relaxed) == nullptr &&
         listed.record.type_name == fields.record.type_name;
}

void keep_extension(RegistryStore& store, const EntryFields& fields) noexcept {
  if (fields.extension != nullptr && store.extension.load(std::memory_order_relaxed) == nullptr) {
    store.extension.store(fields.extension, std::memory_order_release);
  }
}

}  // namespace

Table::Table(std::size_t cap)
    : capacity(cap),
      slots(std::make_unique<Slot[]>(2 * cap)),
      order(std::make_unique<const Entry*[]>(cap)),
      lookup{2 * cap - 1, slots.get(), order.get()} {}

RegistryStore::RegistryStore(std::string_view k, std::string_view sig) : key(k), signature(sig) {}

std::vector<RegistryStore*> all_stores() {
  StoreDirectory& dir = directory();
  std::lock_guard lock(dir.mutex);
  return dir.in_order;
}

RegistryStore* existing_store(std::string_view key) {
  StoreDirectory& dir = directory();
  std::lock_guard lock(dir.mutex);
  const auto it = dir.by_key.find(key);
  return it == dir.by_key.end() ? nullptr : it->second.get();
}

std::string conflicting_signature(RegistryStore& store, std::string_view signature) {
  std::lock_guard lock(store.write_mutex);
  return store.signature.empty() || store.signature == signature ? std::string() : store.signature;
}

RegistryStore& store_for_key(std::string_view key) {
  StoreDirectory& dir = directory();
  std::lock_guard lock(dir.mutex);
  return store_locked(dir, key);
}

namespace {

// The registry's signature came from elsewhere first (a plugin registering into a base this
// program had not used yet, or another definition of the base): names where its classes are.
[[noreturn, gnu::cold]] void throw_signature_conflict(const RegistryStore& store, std::string_view key,
                                                      std::string_view signature) {
  std::string origins;
  const std::size_t count = entry_count(store);
  for (std::size_t i = 0; i < count && i < 3; ++i) {
    origins += (origins.empty() ? "" : ", ") + std::string(entry_origin(*entry_at(store, i)));
  }
  if (count > 3) origins += " and " + std::to_string(count - 3) + " more";
  throw SignatureMismatchError(signature_mismatch_message(key, {}, signature, store.signature, origins),
                               std::string(key));
}

}  // namespace

RegistryStore& registry_store(std::string_view key, std::string_view signature, const DiscoverySpec* discovery) {
  StoreDirectory& dir = directory();
  std::lock_guard lock(dir.mutex);
  RegistryStore& store = store_locked(dir, key);
  std::lock_guard write(store.write_mutex);
  if (store.signature.empty()) {
    store.signature = signature;
  } else if (store.signature != signature) {
    throw_signature_conflict(store, key, signature);  // a base that is refused changes nothing
  }
  // The base's own settings win over ones read from manifests (AnyRegistry::open).
  if (discovery != nullptr) store.discovery.store(discovery, std::memory_order_release);
  return store;
}

const Entry* find_entry(const RegistryStore& store, std::string_view name) noexcept {
  const SlotTable* table = store.lookup.load(std::memory_order_acquire);
  return table == nullptr ? nullptr : find_in_table(*table, name);
}

const std::atomic<const SlotTable*>* inline_lookup(const RegistryStore& store, std::uint32_t layout) noexcept {
  return layout == lookup_layout ? &store.lookup : nullptr;
}

std::size_t entry_count(const RegistryStore& store) noexcept {
  const Table* table = store.table.load(std::memory_order_acquire);
  return table == nullptr ? 0 : table->lookup.count.load(std::memory_order_acquire);
}

const Entry* entry_at(const RegistryStore& store, std::size_t index) noexcept {
  const Table* table = store.table.load(std::memory_order_acquire);
  return table->order[index];
}

std::string key_problem(std::string_view key) {
  if (key.empty()) return message({"the key is empty"});
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  if (is_space(key.front()) || is_space(key.back())) return message({"the key has leading or trailing white space"});
  const auto control = std::find_if(key.begin(), key.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
  if (control != key.end()) return message({"the key holds a control character at offset ", control - key.begin()});
  return {};
}

// Takes the store's write lock itself; the one registration path of programs and plugins.
const Entry& add_entry(RegistryStore& store, const EntryFields& fields) {
  const RegistrationRecord& given = fields.record;
  const std::string problem = key_problem(given.name);
  if (!problem.empty()) {
    throw InvalidKeyError(invalid_key_message(store.key, given.name, problem), store.key, std::string(given.name));
  }
  std::lock_guard lock(store.write_mutex);
  if (store.signature.empty()) store.signature = given.signature;
  if (given.signature != store.signature) {
    throw SignatureMismatchError(
        signature_mismatch_message(store.key, given.name, store.signature, given.signature, fields.origin), store.key,
        std::string(given.name));
  }
  if (const Entry* existing = find_entry(store, given.name)) {
    if (fills_listed_entry(*existing, fields)) {
      // The plugin of a class listed from its manifest has loaded: the entry gets its code.
      const_cast<Entry*>(existing)->factory.store(fields.factory, std::memory_order_release);
      keep_extension(store, fields);
      return *existing;
    }
    const std::string new_origin = fields.origin.empty()
                                       ? os::binary_holding(reinterpret_cast<const void*>(fields.factory))
                                       : std::string(fields.origin);
    throw DuplicateKeyError(duplicate_key_message(store.key, given.name, existing->record.type_name,
                                                  entry_origin(*existing), given.type_name, new_origin),
                            store.key, std::string(given.name));
  }
  const Entry& entry = make_entry(store, fields);
  keep_extension(store, fields);
  Table& table = table_with_room(store);
  const std::size_t count = table.lookup.count.load(std::memory_order_relaxed);
  table.order[count] = &entry;
  insert_slot(table, &entry);
  table.lookup.count.store(count + 1, std::memory_order_release);
  return entry;
}

void defer_error(std::string_view registry_key, std::exception_ptr error) noexcept {
  try {
    RegistryStore& store = store_for_key(registry_key);
    std::lock_guard lock(store.write_mutex);
    store.deferred_errors.push_back(std::move(error));
    store.has_deferred_errors.store(true, std::memory_order_release);
  } catch (...) {
    // Out of memory before main: nothing is left to report with.
  }
}

void rethrow_deferred_errors(const RegistryStore& store) {
  if (!store.has_deferred_errors.load(std::memory_order_acquire)) return;
  auto& mutable_store = const_cast<RegistryStore&>(store);
  std::lock_guard lock(mutable_store.write_mutex);
  std::rethrow_exception(mutable_store.deferred_errors.front());
}

std::string_view entry_origin(const Entry& entry) {
  if (const char* known = entry.origin.load(std::memory_order_acquire)) return known;
  // The binary holding the factory: the executable or a shared library linked normally.
  // Interned, so the pointer stays valid; racing threads compute the same text.
  const char* found =
      intern(os::binary_holding(reinterpret_cast<const void*>(entry.factory.load(std::memory_order_acquire))));
  entry.origin.store(found, std::memory_order_release);
  return found;
}

void throw_unknown_key(const RegistryStore& store, std::string_view name) {
  std::vector<std::string_view> keys;
  const std::size_t count = entry_count(store);
  keys.reserve(count);
  for (std::size_t i = 0; i < count; ++i) keys.push_back(entry_at(store, i)->record.name);
  throw UnknownKeyError(unknown_key_message(store.key, name, keys), store.key, std::string(name));
}

void throw_empty_registry(const RegistryStore& store) {
  throw EmptyRegistryError(empty_registry_message(store.key), store.key);
}

void throw_empty_handle() {
  throw RegistryError(
      "speculators: create() was called on an empty ClassInfo (a failed find() or a default-"
      "constructed handle); check the handle before use: if (auto cls = Base::find(name)) ...");
}

}  // namespace speculators::detail
