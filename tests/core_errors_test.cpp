// The failure paths of the core registry: every error, its type, its text and its accessors.
#include <speculators/any_registry.hpp>
#include <speculators/registry.hpp>

#include <gtest/gtest.h>

#include <exception>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace errors {

struct Base : speculators::ClassRegistryMixin<Base> {
  virtual ~Base() = default;
};
struct First : Base {};
struct Second : Base {};

// Bases of their own for the tests that need an empty registry.
struct Empty : speculators::ClassRegistryMixin<Empty> {
  virtual ~Empty() = default;
};
struct Keyed : speculators::ClassRegistryMixin<Keyed> {
  virtual ~Keyed() = default;
};
struct KeyedImpl : Keyed {};
struct Long : speculators::ClassRegistryMixin<Long> {
  virtual ~Long() = default;
};
struct LongImpl : Long {};

// Registered twice under one key by static registrations: the second fails before main.
struct Deferred : speculators::ClassRegistryMixin<Deferred> {
  virtual ~Deferred() = default;
};
struct Winner : Deferred {};
struct Loser : Deferred {};

}  // namespace errors

SPECULATORS_REGISTER(errors::Deferred, errors::Winner, "same");
SPECULATORS_REGISTER(errors::Deferred, errors::Loser, "same");

namespace {

// Whether `text` holds every one of `parts`; the failure message shows the text.
testing::AssertionResult contains_all(const std::string& text, std::initializer_list<std::string_view> parts) {
  for (std::string_view part : parts) {
    if (text.find(part) == std::string::npos) return testing::AssertionFailure() << "no '" << part << "' in: " << text;
  }
  return testing::AssertionSuccess();
}

}  // namespace

TEST(CoreErrors, OneTreeUnderRegistryError) {
  using speculators::RegistryError;
  static_assert(std::is_base_of_v<std::exception, RegistryError>);
  static_assert(std::is_base_of_v<RegistryError, speculators::InvalidKeyError>);
  static_assert(std::is_base_of_v<RegistryError, speculators::DuplicateKeyError>);
  static_assert(std::is_base_of_v<RegistryError, speculators::UnknownKeyError>);
  static_assert(std::is_base_of_v<RegistryError, speculators::EmptyRegistryError>);
  static_assert(std::is_base_of_v<RegistryError, speculators::DiscoveryError>);
  static_assert(std::is_base_of_v<RegistryError, speculators::SignatureMismatchError>);
  static_assert(std::is_base_of_v<RegistryError, speculators::PluginLoadError>);

  // A caller that only knows std::exception still gets the message.
  try {
    (void)errors::Base::create("nothing");
    ADD_FAILURE() << "create() of an unknown key returned";
  } catch (const std::exception& e) {
    EXPECT_TRUE(contains_all(e.what(), {"\"nothing\"", "registry \"errors::Base\""}));
  }
}

TEST(CoreErrors, EmptyRegistry) {
  EXPECT_EQ(errors::Empty::registry(), nullptr);
  try {
    (void)errors::Empty::registered_classes();
    ADD_FAILURE() << "registered_classes() of an empty registry returned";
  } catch (const speculators::EmptyRegistryError& e) {
    EXPECT_TRUE(contains_all(e.what(), {"must be called after registering classes", "\"errors::Empty\""}));
    EXPECT_EQ(e.registry(), "errors::Empty");
    EXPECT_EQ(e.key(), "");
  }
  try {
    (void)errors::Empty::create("First");
    ADD_FAILURE() << "create() on an empty registry returned";
  } catch (const speculators::UnknownKeyError& e) {
    EXPECT_TRUE(contains_all(e.what(), {"\"First\"", "The registry is empty"}));
  }
}

TEST(CoreErrors, DuplicateKeyNamesBothClasses) {
  errors::Base::register_class<errors::First>("dup");
  try {
    errors::Base::register_class<errors::Second>("dup");
    ADD_FAILURE() << "a second class under a taken key was registered";
  } catch (const speculators::DuplicateKeyError& e) {
    EXPECT_TRUE(contains_all(
        e.what(), {"\"dup\" is already registered", "registry \"errors::Base\"", "errors::First", "errors::Second"}));
    EXPECT_EQ(e.registry(), "errors::Base");
    EXPECT_EQ(e.key(), "dup");
  }
  // The first registration stands, alone.
  EXPECT_EQ(errors::Base::registry()->size(), 1u);
  EXPECT_EQ(errors::Base::find("dup").type_name(), "errors::First");
}

TEST(CoreErrors, InvalidKeys) {
  struct Case {
    std::string_view key;
    std::string_view problem;
    std::string_view shown;  // how the message quotes the key
  };
  const Case cases[] = {
      {"", "the key is empty", "\"\""},
      {" lead", "leading or trailing white space", "\" lead\""},
      {"trail ", "leading or trailing white space", "\"trail \""},
      {"\ttab", "leading or trailing white space", "\"\\ttab\""},
      {"newline\n", "leading or trailing white space", "\"newline\\n\""},
      {"a\x01"
       "b",
       "control character at offset 1", "\"a\\x01b\""},
      {"mid\ndle", "control character at offset 3", "\"mid\\ndle\""},
      {"del\x7f"
       "x",
       "control character at offset 3", "\"del\\x7fx\""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << "key " << testing::PrintToString(std::string(c.key)));
    try {
      errors::Keyed::register_class<errors::KeyedImpl>(c.key);
      ADD_FAILURE() << "an invalid key was registered";
    } catch (const speculators::InvalidKeyError& e) {
      EXPECT_TRUE(contains_all(e.what(), {c.problem, c.shown, "registry \"errors::Keyed\"", "leave the name out"}));
      EXPECT_EQ(e.key(), c.key);
      EXPECT_EQ(e.registry(), "errors::Keyed");
    }
  }
  EXPECT_EQ(errors::Keyed::registry(), nullptr);  // nothing was registered on the way
  // Inner spaces and non-ASCII text are fine.
  EXPECT_EQ(errors::Keyed::register_class<errors::KeyedImpl>("two words").name(), "two words");
  EXPECT_EQ(errors::Keyed::register_class<errors::KeyedImpl>("caf\xc3\xa9").name(), "caf\xc3\xa9");
}

TEST(CoreErrors, StaticDuplicateIsDeferredToTheRegistrysUsers) {
  // The binary got to main; the first registration stands and lookups do not throw.
  EXPECT_EQ(errors::Deferred::find("same").type_name(), "errors::Winner");
  EXPECT_NE(dynamic_cast<errors::Winner*>(errors::Deferred::create("same").get()), nullptr);

  const auto expect_duplicate = [](auto call) {
    try {
      call();
      ADD_FAILURE() << "the deferred error was not thrown";
    } catch (const speculators::DuplicateKeyError& e) {
      EXPECT_TRUE(contains_all(e.what(), {"\"same\" is already registered", "errors::Winner", "errors::Loser"}));
      EXPECT_EQ(e.registry(), "errors::Deferred");
      EXPECT_EQ(e.key(), "same");
    }
  };
  expect_duplicate([] { (void)errors::Deferred::registered_classes(); });
  expect_duplicate([] { (void)errors::Deferred::create("missing"); });
  expect_duplicate([] { (void)errors::Deferred::registered_classes(); });  // every time, not once
}

TEST(CoreErrors, SuggestionsStopAtTheirLengthBound) {
  // "Did you mean" compares keys of up to 256 bytes by edit distance, so that a huge unknown
  // key costs no more than a long one; a key that starts with the unknown one still counts.
  const std::string registered_256(256, 'k');
  const std::string registered_257(257, 'k');
  errors::Long::register_class<errors::LongImpl>(registered_256);
  errors::Long::register_class<errors::LongImpl>(registered_257);
  const auto suggestions = [](const std::string& key) {
    try {
      (void)errors::Long::create(key);
    } catch (const speculators::UnknownKeyError& e) {
      const std::string what = e.what();
      const std::size_t at = what.find("Did you mean");
      return at == std::string::npos ? std::string() : what.substr(at, what.find('?', at) - at);
    }
    ADD_FAILURE() << "create() of an unknown key returned";
    return std::string();
  };
  const std::string typo_256 = 'j' + std::string(255, 'k');
  const std::string typo_257 = 'j' + std::string(256, 'k');
  EXPECT_EQ(suggestions(typo_256), "Did you mean \"" + registered_256 + "\", \"" + registered_257 + "\"");
  EXPECT_EQ(suggestions(typo_257), "");
  EXPECT_EQ(suggestions(std::string(1 << 20, 'x')), "");
  EXPECT_EQ(suggestions(registered_257 + std::string(1 << 20, 'k')),
            "Did you mean \"" + registered_256 + "\", \"" + registered_257 + "\"");
}

namespace errors {

// Two bases naming one registry with other constructor arguments: the second is refused, and
// the registry keeps the first one's discovery settings.
struct SharedFirst : speculators::ClassRegistryMixin<SharedFirst> {
  static constexpr std::string_view registry_name = "errors.shared";
  static constexpr bool registry_auto_discovery = true;
  static constexpr std::string_view auto_package = "errors.first";
  virtual ~SharedFirst() = default;
};
struct SharedFirstImpl : SharedFirst {};
struct SharedSecond : speculators::ClassRegistryMixin<SharedSecond, int> {
  static constexpr std::string_view registry_name = "errors.shared";
  static constexpr bool registry_auto_discovery = true;
  static constexpr std::string_view auto_package = "errors.second";
  explicit SharedSecond(int /*unused*/) {}
  virtual ~SharedSecond() = default;
};
struct SharedSecondImpl : SharedSecond {
  explicit SharedSecondImpl(int n) : SharedSecond(n) {}
};

}  // namespace errors

TEST(CoreErrors, ARefusedSignatureLeavesTheRegistrysDiscoverySettings) {
  (void)errors::SharedFirst::register_class<errors::SharedFirstImpl>("first");
  EXPECT_THROW((void)errors::SharedSecond::register_class<errors::SharedSecondImpl>("second"),
               speculators::SignatureMismatchError);
  const speculators::AnyRegistry shared = speculators::AnyRegistry::open("errors.shared");
  EXPECT_EQ(shared.auto_package(), std::vector<std::string>{"errors.first"});
}
