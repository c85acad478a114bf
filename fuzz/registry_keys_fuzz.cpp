// Fuzz target: arbitrary bytes as registry keys. The first byte is a separator, the rest is
// split at it into up to 16 keys, each registered, found and built; every outcome must agree
// with the key rule (src/store.cpp key_problem) and with what was registered before, and the
// error texts must stay printable.
#include "fuzz_support.hpp"
#include "src/messages.hpp"
#include "src/store.hpp"

#include <speculators/registry.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

using fuzz_support::require;

namespace {

struct Keyed : speculators::ClassRegistryMixin<Keyed, int> {
  virtual ~Keyed() = default;
  virtual int id() const = 0;
};
template <int N>
struct Gen : Keyed {
  explicit Gen(int a) : arg(a) {}
  int id() const override { return N; }
  int arg;
};

// A registry with a few fixed classes, for find() and create() of unknown names.
const bool fixed_classes = [] {
  Keyed::register_class<Gen<0>>("greedy");
  Keyed::register_class<Gen<1>>("sampling");
  Keyed::register_class<Gen<2>>("top_k_sampling");
  return true;
}();

// The typed registry grows with every new valid key; past this size only invalid keys (which
// never register) are given to it, so that memory stays bounded over a long run and the
// suggestions listed for an unknown key stay quick to compute.
constexpr std::size_t typed_registry_cap = 64;
constexpr std::size_t max_keys = 16;

bool printable(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n') || u == 0x7F) return false;
  }
  return true;
}

std::vector<std::string_view> split(std::string_view input) {
  std::vector<std::string_view> keys;
  if (input.empty()) return keys;
  const char separator = input.front();
  input.remove_prefix(1);
  while (keys.size() < max_keys) {
    const std::size_t end = input.find(separator);
    keys.push_back(input.substr(0, end));
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  return keys;
}

// One key into a store of its own input: the outcome must match the key rule and the store.
void register_into(speculators::detail::RegistryStore& store, std::string_view key, int n) {
  using namespace speculators;
  const std::string problem = detail::key_problem(key);
  const detail::Entry* before = detail::find_entry(store, key);
  const std::size_t count = detail::entry_count(store);
  const detail::EntryFields fields = n % 2 == 0 ? detail::entry_fields<Keyed, Gen<10>, int>(key, key)
                                                : detail::entry_fields<Keyed, Gen<11>, int>(key, {});
  try {
    const detail::Entry& entry = detail::add_entry(store, fields);
    require(problem.empty() && before == nullptr);
    require(detail::find_entry(store, key) == &entry && entry.record.name == key);
    require(detail::entry_count(store) == count + 1 && detail::entry_at(store, count) == &entry);
    const Keyed::class_info handle = Keyed::find("greedy");
    require(handle && handle.create(n)->id() == 0);
  } catch (const InvalidKeyError& e) {
    require(!problem.empty() && e.key() == key && printable(e.what()));
  } catch (const DuplicateKeyError& e) {
    require(problem.empty() && before != nullptr && e.key() == key && printable(e.what()));
  }
  require(detail::find_entry(store, key) != nullptr || !problem.empty());
}

// The public API on a registry that outlives the input.
void use_typed_registry(std::string_view key, int n) {
  using namespace speculators;
  const bool valid = detail::key_problem(key).empty();
  if (!valid || Keyed::registry()->size() < typed_registry_cap) {
    try {
      const Keyed::class_info cls = Keyed::register_class<Gen<3>>(key);
      require(valid && cls.name() == key && cls.create(n)->id() == 3);
    } catch (const InvalidKeyError&) {
      require(!valid);
    } catch (const DuplicateKeyError&) {
      require(valid && Keyed::find(key));
    }
  }
  const Keyed::class_info found = Keyed::find(key);
  require(!found || found.name() == key);
  try {
    const std::unique_ptr<Keyed> made = Keyed::create(key, n);
    require(found && made->id() == found.create(n)->id());
  } catch (const UnknownKeyError& e) {
    require(!found && printable(e.what()));
  }
}

// The message helpers: a key is always shown quoted and escaped, whatever it holds; texts
// that are not keys (registry names, types, origins) are taken as given.
void use_messages(const std::vector<std::string_view>& keys) {
  using namespace speculators::detail;
  constexpr std::string_view registry = "fuzz::Keyed";
  const std::string_view first = keys.front();
  const std::string_view last = keys.back();
  const std::string shown = quoted(first);
  require(printable(shown) && shown.size() >= first.size() + 2);
  for (const std::string_view k : closest_keys(first, keys)) {
    require(std::find(keys.begin(), keys.end(), k) != keys.end());
  }
  const auto shows_key = [&shown](const std::string& text) {
    return printable(text) && text.find(shown) != std::string::npos;
  };
  require(shows_key(invalid_key_message(registry, first, "the key is empty")));
  require(shows_key(unknown_key_message(registry, first, keys)));
  require(shows_key(duplicate_key_message(registry, first, "A", "here", "B", "there")));
  // A signature mismatch may concern a whole plugin, not one key: an empty key is left out.
  const std::string mismatch = signature_mismatch_message(registry, first, "(int)", "()", "plugin.so");
  require(first.empty() ? printable(mismatch) : shows_key(mismatch));
  require(!duplicate_key_message(last, first, last, first, last, first).empty());
  require(!signature_mismatch_message(last, first, last, first, last).empty());
  require(!empty_registry_message(first).empty() && !discovery_disabled_message(first).empty() &&
          !missing_package_message(last).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string_view> keys = split({reinterpret_cast<const char*>(data), size});
  if (keys.empty()) return 0;
  speculators::detail::RegistryStore store("fuzz::Keyed", speculators::detail::signature_of<Keyed, int>::value);
  int n = 0;
  for (const std::string_view key : keys) {
    register_into(store, key, n);
    use_typed_registry(key, n);
    ++n;
  }
  use_messages(keys);
  return 0;
}
