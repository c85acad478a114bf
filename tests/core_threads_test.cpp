// Registration racing with lookups: readers never see a half-registered class, iterators stay
// valid while the registry grows, and no registration is lost.
#include <speculators/registry.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace threads {

struct Base : speculators::ClassRegistryMixin<Base, int> {
  virtual ~Base() = default;
  virtual int id() const = 0;
  int arg = 0;
};

// Gen<N> registers under the key "Gen<N>" and reports N: a reader can check any entry it sees.
template <int N>
struct Gen : Base {
  explicit Gen(int a) { arg = a; }
  int id() const override { return N; }
};

constexpr int class_count = 96;

using Register = Base::class_info (*)();
template <int... Ns>
constexpr std::array<Register, sizeof...(Ns)> make_registrars(std::integer_sequence<int, Ns...>) {
  return {+[] { return Base::register_class<Gen<Ns>>(); }...};
}
constexpr auto registrars = make_registrars(std::make_integer_sequence<int, class_count>{});

// The N of a "Gen<N>" key, or -1.
int number_in(std::string_view name) {
  if (!name.starts_with("Gen<") || !name.ends_with(">")) return -1;
  int n = -1;
  const std::string_view digits = name.substr(4, name.size() - 5);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  return error == std::errc{} && end == digits.data() + digits.size() ? n : -1;
}

// Whether an entry is whole: its key, its type and the object it builds all agree.
bool consistent(Base::class_info cls, int arg) {
  if (!cls) return false;
  const int n = number_in(cls.name());
  if (n < 0 || cls.type_name() != "threads::Gen<" + std::to_string(n) + ">") return false;
  const auto made = cls.create(arg);
  return made->id() == n && made->arg == arg;
}

// Second registry for the iterator test, so both tests also pass in one process.
struct Listed : speculators::ClassRegistryMixin<Listed> {
  virtual ~Listed() = default;
};
template <int N>
struct Item : Listed {};
template <int... Ns>
void register_items(std::integer_sequence<int, Ns...>) {
  (Listed::register_class<Item<Ns>>(), ...);
}

}  // namespace threads

TEST(CoreThreads, RegistrationRacesWithLookups) {
  constexpr int writers = 3;
  constexpr int readers = 3;
  std::atomic<int> writers_left{writers};
  std::atomic<int> bad{0};
  std::atomic<long> seen{0};
  std::vector<std::thread> threads;

  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([w, &writers_left] {
      for (int i = w; i < threads::class_count; i += writers) threads::registrars[static_cast<std::size_t>(i)]();
      writers_left.fetch_sub(1);
    });
  }
  for (int r = 0; r < readers; ++r) {
    threads.emplace_back([r, &writers_left, &bad, &seen] {
      int round = 0;
      // At least one full round after the writers finished.
      for (bool last = false; !last; ++round) {
        last = writers_left.load() == 0;
        // By name: a found class must be whole.
        const int n = (round * 7 + r) % threads::class_count;
        if (const auto cls = threads::Base::find("Gen<" + std::to_string(n) + ">")) {
          if (!threads::consistent(cls, round) || threads::number_in(cls.name()) != n) bad.fetch_add(1);
          seen.fetch_add(1);
        }
        // By iteration: every listed class must be whole.
        if (const auto* registry = threads::Base::registry()) {
          for (const auto cls : *registry) {
            if (!threads::consistent(cls, r)) bad.fetch_add(1);
            seen.fetch_add(1);
          }
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();

  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(seen.load(), 0);
  ASSERT_NE(threads::Base::registry(), nullptr);
  EXPECT_EQ(threads::Base::registry()->size(), static_cast<std::size_t>(threads::class_count));
  EXPECT_EQ(threads::Base::registered_classes().size(), static_cast<std::size_t>(threads::class_count));
  for (int n = 0; n < threads::class_count; ++n) {
    EXPECT_TRUE(threads::consistent(threads::Base::find("Gen<" + std::to_string(n) + ">"), n)) << n;
  }
}

TEST(CoreThreads, IteratorsStayValidWhileTheRegistryGrows) {
  constexpr int total = 64;
  threads::Listed::register_class<threads::Item<total>>();  // the view exists before the race
  const auto* registry = threads::Listed::registry();
  ASSERT_NE(registry, nullptr);
  const auto begin = registry->begin();
  const auto first_end = registry->end();

  std::thread writer([] { threads::register_items(std::make_integer_sequence<int, total>{}); });
  std::vector<std::string> order;  // the names seen so far, in order
  bool ok = true;
  for (bool done = false; !done && ok;) {
    done = registry->size() == total + 1;
    // Iterators taken before the writer started still walk the same entries.
    ok = ok && std::distance(begin, first_end) == 1 && (*begin).name() == "Item<64>";
    // Each pass sees a prefix-extension of the last: registration order never changes.
    std::size_t i = 0;
    for (auto it = registry->begin(); it != registry->end() && ok; ++it, ++i) {
      const std::string_view name = (*it).name();
      if (i < order.size()) {
        ok = order[i] == name;
      } else {
        order.emplace_back(name);
      }
    }
  }
  writer.join();

  EXPECT_TRUE(ok);
  ASSERT_EQ(order.size(), total + 1u);
  for (int n = 0; n < total; ++n) EXPECT_EQ(order[static_cast<std::size_t>(n) + 1], "Item<" + std::to_string(n) + ">");
}
