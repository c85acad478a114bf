// The core registry API as callers use it. The first test replays the examples of
// <speculators/registry.hpp> as written there.
//
// Every test uses bases of its own, so the suite also passes when all tests share one process.
#include <speculators/any_registry.hpp>
#include <speculators/registry.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core_static.hpp"
#include "plugin_test_support.hpp"

// --- the header's tutorial, as a caller writes it -----------------------------

struct Algorithm : speculators::ClassRegistryMixin<Algorithm> {
  virtual ~Algorithm() = default;
  virtual int run() = 0;
};
struct Concrete : Algorithm {
  int run() override { return 1; }
};
struct Another : Algorithm {
  int run() override { return 2; }
};
SPECULATORS_REGISTER(Algorithm, Concrete);                // key "Concrete"
SPECULATORS_REGISTER(Algorithm, Another, "custom_name");  // key "custom_name"

struct Third : Algorithm {
  int run() override { return 3; }
};
struct Fourth : Algorithm {
  int run() override { return 4; }
};

struct Proposal : speculators::ClassRegistryMixin<Proposal, int, std::string_view> {
  virtual ~Proposal() = default;
  int tokens = 0;
  std::string text;
};
struct Greedy : Proposal {
  Greedy(int t, std::string_view s) {
    tokens = t;
    text = s;
  }
};
SPECULATORS_REGISTER(Proposal, Greedy, "greedy", "picks the most likely token");

namespace {

std::vector<std::string> names_of(const auto& classes) {
  std::vector<std::string> names;
  for (auto cls : classes) names.emplace_back(cls.name());
  return names;
}

}  // namespace

TEST(CoreTutorial, HeaderExamples) {
  std::unique_ptr<Algorithm> a = Algorithm::create("custom_name");
  EXPECT_EQ(a->run(), 2);
  EXPECT_EQ(Algorithm::create("Concrete")->run(), 1);

  Algorithm::register_class<Third>();
  Algorithm::register_class<Fourth>("fourth");
  EXPECT_EQ(names_of(Algorithm::registered_classes()),
            (std::vector<std::string>{"Concrete", "custom_name", "Third", "fourth"}));
  EXPECT_EQ(Algorithm::create("Third")->run(), 3);
  EXPECT_EQ(Algorithm::create("fourth")->run(), 4);

  auto p = Proposal::create("greedy", 5, "text");
  EXPECT_EQ(p->tokens, 5);
  EXPECT_EQ(p->text, "text");
  EXPECT_NE(dynamic_cast<Greedy*>(p.get()), nullptr);
  EXPECT_EQ(Proposal::find("greedy").description(), "picks the most likely token");
}

// --- one registry per base -----------------------------------------------------

namespace separate {

struct Left : speculators::ClassRegistryMixin<Left> {
  virtual ~Left() = default;
};
struct Right : speculators::ClassRegistryMixin<Right> {
  virtual ~Right() = default;
};
struct LeftImpl : Left {};
struct RightImpl : Right {};

}  // namespace separate

TEST(CoreRegistry, EachBaseHasItsOwnRegistry) {
  separate::Left::register_class<separate::LeftImpl>("shared");
  EXPECT_EQ(separate::Right::registry(), nullptr);
  EXPECT_FALSE(separate::Right::find("shared"));

  // The same key in another registry is not a duplicate.
  separate::Right::register_class<separate::RightImpl>("shared");
  EXPECT_EQ(separate::Left::find("shared").type_name(), "separate::LeftImpl");
  EXPECT_EQ(separate::Right::find("shared").type_name(), "separate::RightImpl");
  EXPECT_EQ(separate::Left::registry()->size(), 1u);
  EXPECT_EQ(separate::Right::registry()->size(), 1u);
  EXPECT_NE(separate::Left::registry_key(), separate::Right::registry_key());
  EXPECT_EQ(separate::Left::registry_key(), "separate::Left");
}

namespace renamed {

struct Base : speculators::ClassRegistryMixin<Base> {
  static constexpr std::string_view registry_name = "core.renamed";
  virtual ~Base() = default;
};
struct Impl : Base {};

}  // namespace renamed

TEST(CoreRegistry, RegistryNameOverridesTheKey) {
  static_assert(renamed::Base::registry_key() == "core.renamed");
  EXPECT_EQ(renamed::Base::register_class<renamed::Impl>().registry_key(), "core.renamed");
}

// --- registry(): null, then a view --------------------------------------------

namespace view {

struct Base : speculators::ClassRegistryMixin<Base> {
  virtual ~Base() = default;
};
struct First : Base {};
struct Second : Base {};
struct Third : Base {};

}  // namespace view

TEST(CoreRegistry, RegistryIsNullUntilTheFirstRegistrationThenAViewInOrder) {
  EXPECT_EQ(view::Base::registry(), nullptr);

  view::Base::register_class<view::Second>();
  const auto* registry = view::Base::registry();
  ASSERT_NE(registry, nullptr);
  view::Base::register_class<view::First>();
  view::Base::register_class<view::Third>("third");

  EXPECT_EQ(view::Base::registry(), registry);  // one view, seeing later registrations too
  EXPECT_EQ(registry->size(), 3u);
  EXPECT_FALSE(registry->empty());
  EXPECT_EQ(names_of(*registry), (std::vector<std::string>{"Second", "First", "third"}));
  EXPECT_TRUE(registry->contains("First"));
  EXPECT_FALSE(registry->contains("Third"));  // registered as "third"
  EXPECT_EQ(registry->at("third").type_name(), "view::Third");
  EXPECT_EQ(registry->find("third"), registry->at("third"));
  EXPECT_FALSE(registry->find("fourth"));
  static_assert(std::forward_iterator<view::Base::registry_view::iterator>);

  try {
    (void)registry->at("Fourth");
    ADD_FAILURE() << "at() of an unknown key returned";
  } catch (const speculators::UnknownKeyError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("\"Fourth\""), std::string::npos) << what;
    EXPECT_NE(what.find("Registered keys: \"Second\", \"First\", \"third\""), std::string::npos) << what;
    EXPECT_EQ(e.key(), "Fourth");
    EXPECT_EQ(e.registry(), "view::Base");
  }
}

// --- default keys ------------------------------------------------------------

namespace keys {

struct Base : speculators::ClassRegistryMixin<Base> {
  virtual ~Base() = default;
};
struct Greedy : Base {};
template <class T, int N>
struct Box : Base {};
struct Outer {
  struct Inner : Base {};
};

}  // namespace keys

namespace {
struct Hidden : keys::Base {};
}  // namespace

TEST(CoreRegistry, DefaultKeyIsTheUnqualifiedClassName) {
  // No name means the class name, as the seed's register(name=None); std::nullopt gives a
  // description without a name.
  EXPECT_EQ(keys::Base::register_class<keys::Greedy>(std::nullopt, "help").name(), "Greedy");
  EXPECT_EQ((keys::Base::register_class<keys::Box<int, 3>>().name()), "Box<int, 3>");
  EXPECT_EQ((keys::Base::register_class<keys::Box<keys::Greedy, -1>>().name()), "Box<keys::Greedy, -1>");
  EXPECT_EQ(keys::Base::register_class<keys::Outer::Inner>().name(), "Inner");
  EXPECT_EQ(keys::Base::register_class<Hidden>().name(), "Hidden");
}

TEST(CoreRegistry, SameClassUnderTwoKeys) {
  const auto one = keys::Base::register_class<keys::Greedy>("one");
  const auto two = keys::Base::register_class<keys::Greedy>("two");
  EXPECT_NE(one, two);
  EXPECT_EQ(one.type_name(), two.type_name());
  EXPECT_NE(dynamic_cast<keys::Greedy*>(keys::Base::create("one").get()), nullptr);
  EXPECT_NE(dynamic_cast<keys::Greedy*>(keys::Base::create("two").get()), nullptr);
}

// --- ClassInfo ---------------------------------------------------------------

namespace info {

struct Base : speculators::ClassRegistryMixin<Base> {
  virtual ~Base() = default;
  virtual std::string_view kind() const = 0;
};
struct Described : Base {
  std::string_view kind() const override { return "described"; }
};
struct Plain : Base {
  std::string_view kind() const override { return "plain"; }
};

}  // namespace info

TEST(CoreClassInfo, IsOnePointerAndDescribesTheClass) {
  static_assert(sizeof(info::Base::class_info) == sizeof(void*));
  static_assert(std::is_trivially_copyable_v<info::Base::class_info>);

  const auto described = info::Base::register_class<info::Described>("d", "a class with help text");
  const auto plain = info::Base::register_class<info::Plain>();
  EXPECT_EQ(described.name(), "d");
  EXPECT_EQ(described.type_name(), "info::Described");
  EXPECT_EQ(described.description(), "a class with help text");
  EXPECT_EQ(plain.description(), "info::Plain");  // defaults to the type name
  EXPECT_EQ(described.registry_key(), "info::Base");
  EXPECT_EQ(described.create()->kind(), "described");

  const std::string self = fx::program_file();
  EXPECT_EQ(described.origin(), self);
  EXPECT_EQ(plain.origin(), self);

  // A handle is a value: copies compare equal and agree with lookups.
  const auto copy = described;
  EXPECT_EQ(copy, described);
  EXPECT_EQ(info::Base::find("d"), described);
  EXPECT_EQ(info::Base::registered_classes().front(), described);
}

TEST(CoreClassInfo, EmptyHandleIsFalseAndCannotCreate) {
  const Algorithm::class_info empty;
  EXPECT_FALSE(empty);
  EXPECT_THROW((void)empty.create(), speculators::RegistryError);

  const auto missing = Algorithm::find("Fifth");  // no throw for an unknown name
  EXPECT_FALSE(missing);
  EXPECT_EQ(missing, empty);
  try {
    (void)missing.create();
    ADD_FAILURE() << "create() on an empty handle returned";
  } catch (const speculators::RegistryError& e) {
    EXPECT_NE(std::string(e.what()).find("empty ClassInfo"), std::string::npos) << e.what();
  }
}

// --- create() forwards its arguments ------------------------------------------

namespace forwarding {

// const& and move-only arguments: neither may be copied on the way to the constructor.
struct Base : speculators::ClassRegistryMixin<Base, const std::string&, std::unique_ptr<int>> {
  virtual ~Base() = default;
  const std::string* label = nullptr;
  std::unique_ptr<int> payload;
};
struct Impl : Base {
  Impl(const std::string& l, std::unique_ptr<int> p) {
    label = &l;
    payload = std::move(p);
  }
};

}  // namespace forwarding

TEST(CoreCreate, ForwardsValueArguments) {
  // Proposal takes (int, std::string_view): the tutorial's base.
  const std::string text = "a longer text than any small-string buffer holds";
  const auto p = Proposal::create("greedy", -3, text);
  EXPECT_EQ(p->tokens, -3);
  EXPECT_EQ(p->text, text);
  const auto q = Proposal::find("greedy").create(11, "via handle");
  EXPECT_EQ(q->tokens, 11);
  EXPECT_EQ(q->text, "via handle");
}

TEST(CoreCreate, ForwardsReferencesAndMoveOnlyArguments) {
  forwarding::Base::register_class<forwarding::Impl>("impl");
  const std::string label = "label";

  auto payload = std::make_unique<int>(42);
  const int* raw = payload.get();
  const auto made = forwarding::Base::create("impl", label, std::move(payload));
  EXPECT_EQ(made->label, &label);  // the caller's object, not a copy
  EXPECT_EQ(made->payload.get(), raw);
  EXPECT_EQ(payload, nullptr);

  auto second = std::make_unique<int>(7);
  const auto via_handle = forwarding::Base::find("impl").create(label, std::move(second));
  EXPECT_EQ(via_handle->label, &label);
  EXPECT_EQ(*via_handle->payload, 7);
}

TEST(CoreCreate, UnknownNameSuggestsTheClosestKeys) {
  try {
    (void)Proposal::create("gredy", 1, "");
    ADD_FAILURE() << "create() of an unknown key returned";
  } catch (const speculators::UnknownKeyError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("registry \"Proposal\""), std::string::npos) << what;
    EXPECT_NE(what.find("\"gredy\""), std::string::npos) << what;
    EXPECT_NE(what.find("Did you mean \"greedy\"?"), std::string::npos) << what;
    EXPECT_EQ(e.registry(), "Proposal");
    EXPECT_EQ(e.key(), "gredy");
  }
  EXPECT_FALSE(Proposal::find("gredy"));
}

// --- discovery switches (loading plugins is tested with the plugins) ----------

namespace discovery {

struct Manual : speculators::ClassRegistryMixin<Manual> {
  virtual ~Manual() = default;
};
struct Automatic : speculators::AutoClassRegistryMixin<Automatic> {
  virtual ~Automatic() = default;
};

}  // namespace discovery

TEST(CoreDiscovery, SwitchesAndTheirErrors) {
  static_assert(!discovery::Manual::registry_auto_discovery);
  static_assert(discovery::Automatic::registry_auto_discovery);
  EXPECT_FALSE(discovery::Automatic::registry_populated());
  EXPECT_FALSE(discovery::Manual::registry_populated());
  EXPECT_TRUE(discovery::Automatic::auto_imported_modules().empty());

  try {
    (void)discovery::Manual::auto_populate_registry();
    ADD_FAILURE() << "auto_populate_registry() without registry_auto_discovery returned";
  } catch (const speculators::DiscoveryError& e) {
    EXPECT_NE(std::string(e.what()).find("registry_auto_discovery is set to False"), std::string::npos) << e.what();
    EXPECT_EQ(e.registry(), "discovery::Manual");
  }
  for (const auto& import :
       {&discovery::Manual::auto_import_package_modules, &discovery::Automatic::auto_import_package_modules}) {
    try {
      (void)import();
      ADD_FAILURE() << "auto_import_package_modules() without auto_package returned";
    } catch (const speculators::DiscoveryError& e) {
      EXPECT_NE(std::string(e.what()).find("auto_package must be set"), std::string::npos) << e.what();
    }
  }
  EXPECT_FALSE(discovery::Manual::registry_populated());
}

// --- static initialization ------------------------------------------------------

TEST(CoreStaticInit, RegistrationIsVisibleToAnEarlierStaticInitializer) {
  // core_static_b.cpp is linked before core_static_a.cpp, which registers "early".
  EXPECT_TRUE(core_static::found_during_static_init());
  EXPECT_EQ(core_static::Early::create("early")->id(), 7);
}

// --- the lookup compiled from the header --------------------------------------

// The inline key compare agrees with memcmp for every length it handles with whole loads and
// around them, wherever the keys differ.
TEST(CoreLookup, ShortKeyCompareAgreesWithMemcmp) {
  const std::string text = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH";
  for (std::size_t n = 0; n <= 40; ++n) {
    const std::string a = text.substr(0, n);
    EXPECT_TRUE(speculators::detail::same_key(a.data(), text.data(), n)) << n;
    for (std::size_t at = 0; at < n; ++at) {
      std::string b = a;
      b[at] = static_cast<char>(b[at] ^ 0x20);
      EXPECT_FALSE(speculators::detail::same_key(a.data(), b.data(), n)) << n << " differing at " << at;
    }
  }
}

// The hash's multiply gives the same value with and without 128-bit integers, so that a
// header and a library built by different compilers agree on every key's slot.
TEST(CoreLookup, PortableMultiplyAgreesWithWideOne) {
  std::uint64_t state = 0x0123456789ABCDEFULL;
  const auto next = [&state] {  // xorshift: operands with every bit pattern, carries included
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const std::uint64_t edges[] = {0, 1, 0xFFFFFFFFULL, 0x100000000ULL, ~0ULL, 0x8000000000000000ULL};
  for (std::uint64_t a : edges) {
    for (std::uint64_t b : edges) {
      EXPECT_EQ(speculators::detail::multiply_folded_portable(a, b), speculators::detail::multiply_folded(a, b));
    }
  }
  for (int i = 0; i < 10000; ++i) {
    const std::uint64_t a = next();
    const std::uint64_t b = next();
    ASSERT_EQ(speculators::detail::multiply_folded_portable(a, b), speculators::detail::multiply_folded(a, b))
        << a << " * " << b;
  }
}

// Every byte of a key, at every length, reaches its hash: a key changed in one byte hashes
// differently (a byte left out of the mix would put many names into one probe chain).
TEST(CoreLookup, HashMixesEveryByteOfTheKey) {
  const std::string text = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL";
  for (std::size_t n = 0; n <= 48; ++n) {
    const std::string key = text.substr(0, n);
    const std::size_t hash = speculators::detail::hash_key(key);
    EXPECT_NE(hash, speculators::detail::hash_key(key + 'x')) << n;  // the length counts
    for (std::size_t at = 0; at < n; ++at) {
      std::string changed = key;
      changed[at] = static_cast<char>(changed[at] ^ 0x01);
      EXPECT_NE(hash, speculators::detail::hash_key(changed)) << n << " changed at " << at;
    }
  }
}

struct Looked : speculators::ClassRegistryMixin<Looked> {
  virtual ~Looked() = default;
};
struct LookedA : Looked {};
struct LookedB : Looked {};

// Keys of every length find their class inline; a header of another layout gets no table and
// looks up through the library, with the same answers.
TEST(CoreLookup, InlineAndLibraryLookupsAgree) {
  std::vector<std::string> keys;
  for (std::size_t n = 1; n <= 40; ++n) keys.push_back(std::string(n, 'k'));
  for (const std::string& key : keys) Looked::register_class<LookedA>(key);
  Looked::register_class<LookedB>("k_other");
  auto& store = speculators::detail::store_of<Looked>();
  EXPECT_NE(speculators::detail::inline_lookup(store, speculators::detail::lookup_layout), nullptr);
  EXPECT_EQ(speculators::detail::inline_lookup(store, speculators::detail::lookup_layout + 1), nullptr);
  // What each key should find, by walking the registration order.
  const auto walked = [&store](std::string_view key) -> const speculators::detail::Entry* {
    for (std::size_t i = 0; i < speculators::detail::entry_count(store); ++i) {
      if (speculators::detail::entry_at(store, i)->record.name == key) return speculators::detail::entry_at(store, i);
    }
    return nullptr;
  };
  for (const std::string& key : keys) {
    const speculators::detail::Entry* inline_found = speculators::detail::lookup<Looked>(key);
    ASSERT_NE(inline_found, nullptr) << key;
    EXPECT_EQ(inline_found, walked(key));
    EXPECT_EQ(inline_found, speculators::detail::find_entry(store, key));
    EXPECT_EQ(speculators::detail::lookup<Looked>(key + "x"), nullptr);
    EXPECT_EQ(speculators::detail::lookup<Looked>(key.substr(1) + "j"), walked(key.substr(1) + "j"));
  }
  EXPECT_EQ(Looked::find("k_other").type_name(), speculators::type_name<LookedB>());
}

struct FewLooked : speculators::ClassRegistryMixin<FewLooked> {
  virtual ~FewLooked() = default;
};
struct FewLookedA : FewLooked {};

// A registry of a few classes is searched entry by entry, not hashed: the same answers as
// it grows past that, for keys of the same length and of others.
TEST(CoreLookup, ARegistryOfAFewClassesFindsTheSameAsAHashedOne) {
  const std::vector<std::string> keys = {"alpha", "bravo", "charl", "delta", "echoo", "foxtrot_golf"};
  for (std::size_t registered = 0; registered < keys.size(); ++registered) {
    FewLooked::register_class<FewLookedA>(keys[registered]);
    auto& store = speculators::detail::store_of<FewLooked>();
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const speculators::detail::Entry* found = speculators::detail::lookup<FewLooked>(keys[i]);
      EXPECT_EQ(found, speculators::detail::find_entry(store, keys[i]));
      if (i <= registered) {
        ASSERT_NE(found, nullptr) << keys[i] << " of " << registered + 1;
        EXPECT_EQ(found->record.name, keys[i]);
      } else {
        EXPECT_EQ(found, nullptr) << keys[i] << " of " << registered + 1;
      }
    }
    EXPECT_EQ(speculators::detail::lookup<FewLooked>("zulu_"), nullptr);
  }
}

// --- registries by key (<speculators/any_registry.hpp>) -------------------------

TEST(CoreByKey, AnyRegistrySeesWhatTheTypedRegistrySees) {
  const speculators::AnyRegistry algorithms = speculators::AnyRegistry::open(Algorithm::registry_key());
  EXPECT_EQ(algorithms.key(), Algorithm::registry_key());
  EXPECT_EQ(names_of(algorithms.registered_classes()), names_of(Algorithm::registered_classes()));
  const speculators::AnyClassInfo another = algorithms.find("custom_name");
  ASSERT_TRUE(another);
  EXPECT_EQ(another.type_name(), Algorithm::find("custom_name").type_name());
  EXPECT_EQ(another.origin(), Algorithm::find("custom_name").origin());
  EXPECT_TRUE(another.is_loaded());
  EXPECT_FALSE(algorithms.find("nothing"));
  Algorithm::register_class<Third>("third_by_key");
  EXPECT_EQ(algorithms.size(), 3U);  // seen at once: the same store
  EXPECT_EQ(algorithms.class_at(2).name(), "third_by_key");
  // Its discovery settings: the base's, off.
  EXPECT_FALSE(algorithms.registry_auto_discovery());
  EXPECT_TRUE(algorithms.auto_package().empty());
  EXPECT_THROW(algorithms.auto_populate_registry(), speculators::DiscoveryError);
  EXPECT_TRUE(std::ranges::count(speculators::registry_keys(), std::string(Algorithm::registry_key())) == 1);
}

namespace by_key {
struct Empty : speculators::ClassRegistryMixin<Empty> {
  static constexpr std::string_view registry_name = "by_key.Empty";
  virtual ~Empty() = default;
};
}  // namespace by_key

TEST(CoreByKey, EmptyAndUnknownRegistries) {
  EXPECT_EQ(by_key::Empty::registry(), nullptr);  // makes the store
  const speculators::AnyRegistry empty = speculators::AnyRegistry::open("by_key.Empty");
  EXPECT_EQ(empty.size(), 0U);
  EXPECT_THROW(empty.registered_classes(), speculators::EmptyRegistryError);
  EXPECT_THROW(speculators::AnyRegistry::open("by_key.Nothing"), speculators::UnknownKeyError);
}
