// Concurrency stress: threads register generated classes into two registries, threads look
// them up, build them and list them, and threads discover the fixture packages fx.good and
// fx.colors from three registries at once, for SPECULATORS_STRESS_SECONDS (default 2).
// Afterwards every class is registered exactly once, every plugin loaded exactly once, and
// no lookup ever saw a half-built entry: each entry found is checked for a name, a type, a
// help text and an object that agree.
#include "fixture_bases.hpp"
#include "plugin_test_support.hpp"

#include <speculators/plugins.hpp>
#include <speculators/registry.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace stress {

template <int R>
struct Base : speculators::ClassRegistryMixin<Base<R>, int> {
  virtual ~Base() = default;
  virtual int id() const = 0;
  int arg = 0;
};

template <int R, int N>
struct Gen : Base<R> {
  explicit Gen(int a) { this->arg = a; }
  int id() const override { return N; }
};

constexpr int registries = 2;
constexpr int classes_per_registry = 128;
constexpr int class_count = registries * classes_per_registry;

// registrars[R * classes_per_registry + N] registers Gen<R, N> under "Gen<R, N>"'s short name.
using Register = void (*)();
template <int R, int... Ns>
constexpr std::array<Register, sizeof...(Ns)> registrars_of(std::integer_sequence<int, Ns...>) {
  return {+[] { Base<R>::template register_class<Gen<R, Ns>>(); }...};
}
const std::array<Register, class_count> registrars = [] {
  std::array<Register, class_count> all{};
  const auto first = registrars_of<0>(std::make_integer_sequence<int, classes_per_registry>{});
  const auto second = registrars_of<1>(std::make_integer_sequence<int, classes_per_registry>{});
  std::copy(first.begin(), first.end(), all.begin());
  std::copy(second.begin(), second.end(), all.begin() + classes_per_registry);
  return all;
}();

// Whether a found entry of Base<R> is whole: key "Gen<R, N>", type "stress::Gen<R, N>", help
// text the type name, and an object reporting N and the argument it was built with.
template <int R>
bool whole(typename Base<R>::class_info cls, int arg) {
  if (!cls) return false;
  const std::string_view name = cls.name();
  const std::string prefix = "Gen<" + std::to_string(R) + ", ";
  if (!name.starts_with(prefix) || !name.ends_with(">")) return false;
  const int n = std::atoi(std::string(name.substr(prefix.size())).c_str());
  if (cls.type_name() != "stress::" + std::string(name) || cls.description() != cls.type_name()) return false;
  const auto made = cls.create(arg);
  return made->id() == n && made->arg == arg;
}

// The same for a fixture Shape: each key's help text and the sides its object reports.
bool whole_shape(fx::Shape::class_info cls, int sides) {
  if (!cls || cls.type_name().empty()) return false;
  const std::string_view name = cls.name();
  if (name == "counted") return cls.create(sides)->sides() == 0;
  if (name != "alpha" && name != "beta" && name != "gamma") return false;
  return cls.description() == "good " + std::string(name) && cls.create(sides)->sides() == sides;
}

// What the threads did, counted.
struct Counts {
  std::atomic<long> registered{0};
  std::atomic<long> duplicates{0};
  std::atomic<long> finds{0};
  std::atomic<long> creates{0};
  std::atomic<long> listings{0};
  std::atomic<long> discoveries{0};
  std::atomic<long> half_built{0};  ///< entries that failed a check: must stay 0
};

// A counter of fixture plugin counted.so, read from the copy this process loaded.
int counted_plugin_counter(const char* function) {
  return fx::plugin_counter(fx::fixture_root("good") / "fx" / "good" / "counted.so", function);
}

std::chrono::milliseconds run_time() {
  const char* seconds = std::getenv("SPECULATORS_STRESS_SECONDS");
  const double s = seconds != nullptr && *seconds != '\0' ? std::atof(seconds) : 2.0;
  return std::chrono::milliseconds(static_cast<long>(s * 1000));
}

template <int R>
void look_up(int round, Counts& counts) {
  const int n = (round * 37) % classes_per_registry;
  const std::string key = "Gen<" + std::to_string(R) + ", " + std::to_string(n) + ">";
  if (const auto cls = Base<R>::find(key)) {
    if (cls.name() != key || !whole<R>(cls, round)) counts.half_built.fetch_add(1);
    counts.creates.fetch_add(1);
  }
  counts.finds.fetch_add(1);
  const bool was_empty = Base<R>::registry() == nullptr;
  try {
    for (const auto cls : Base<R>::registered_classes()) {
      if (!whole<R>(cls, round)) counts.half_built.fetch_add(1);
    }
  } catch (const speculators::EmptyRegistryError&) {
    if (!was_empty) counts.half_built.fetch_add(1);
  }
  counts.listings.fetch_add(1);
}

void discover(int round, Counts& counts) {
  // The first rounds of every thread race to start discovery; later ones rescan and load nothing.
  switch (round % 4) {
    case 0:
      for (const auto cls : fx::Shape::registered_classes()) {
        if (!whole_shape(cls, round)) counts.half_built.fetch_add(1);
      }
      break;
    case 1:
      (void)fx::ShapeTwin::find("nothing");
      (void)fx::Shape::auto_import_package_modules();
      break;
    case 2:
      // Color discovers lazily: the first create() of a listed class loads its plugin, once.
      if (!fx::Color::find("red") || fx::Color::create("blue") == nullptr) counts.half_built.fetch_add(1);
      break;
    default:
      for (const speculators::PluginModule& module : speculators::find_package_modules("fx.good")) {
        if (module.name != "fx.good.skipped.gamma") (void)speculators::load_plugin(module.file);
      }
      break;
  }
  if (const auto alpha = fx::Shape::find("alpha"); !whole_shape(alpha, round)) counts.half_built.fetch_add(1);
  counts.discoveries.fetch_add(1);
}

}  // namespace stress

TEST(Stress, RegistrationLookupsAndDiscoveryAtOnce) {
  speculators::add_plugin_directory(fx::fixture_root("good"));
  const auto duration = stress::run_time();
  constexpr int per_kind = 2;
  stress::Counts counts;
  std::array<std::atomic<int>, stress::class_count> successes{};
  std::atomic<bool> go{false};
  std::chrono::steady_clock::time_point deadline;
  const auto running = [&deadline] { return std::chrono::steady_clock::now() < deadline; };
  std::vector<std::thread> threads;

  for (int t = 0; t < per_kind; ++t) {
    // Registrars, each starting at another class: after the first pass, every attempt is a duplicate.
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (int pass = 0; pass == 0 || running(); ++pass) {
        for (int i = 0; i < stress::class_count; ++i) {
          const auto index = static_cast<std::size_t>((i + t * stress::class_count / per_kind) % stress::class_count);
          try {
            stress::registrars[index]();
            successes[index].fetch_add(1);
            counts.registered.fetch_add(1);
          } catch (const speculators::DuplicateKeyError&) {
            counts.duplicates.fetch_add(1);
          }
        }
      }
    });
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (int round = t; running(); ++round) {
        stress::look_up<0>(round, counts);
        stress::look_up<1>(round, counts);
      }
    });
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (int round = t; round < 4 || running(); ++round) stress::discover(round, counts);
    });
  }
  const auto started = std::chrono::steady_clock::now();
  deadline = started + duration;
  go.store(true);
  for (std::thread& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  EXPECT_EQ(counts.half_built.load(), 0);
  for (int i = 0; i < stress::class_count; ++i) EXPECT_EQ(successes[static_cast<std::size_t>(i)].load(), 1) << i;
  ASSERT_NE(stress::Base<0>::registry(), nullptr);
  ASSERT_NE(stress::Base<1>::registry(), nullptr);
  EXPECT_EQ(stress::Base<0>::registry()->size(), static_cast<std::size_t>(stress::classes_per_registry));
  EXPECT_EQ(stress::Base<1>::registry()->size(), static_cast<std::size_t>(stress::classes_per_registry));

  // ShapeTwin ignores nothing, so its discovery also loaded fx.good.skipped.gamma.
  using Keys = std::vector<std::string>;
  EXPECT_EQ(fx::sorted_keys<fx::Shape>(), (Keys{"alpha", "beta", "counted", "gamma"}));
  EXPECT_EQ(fx::sorted_keys<fx::Color>(), (Keys{"blue", "red"}));
  for (const auto cls : fx::Shape::registered_classes()) EXPECT_TRUE(stress::whole_shape(cls, 7)) << cls.name();
  EXPECT_EQ(stress::counted_plugin_counter("fx_counted_initializations"), 1);
  EXPECT_EQ(stress::counted_plugin_counter("fx_counted_descriptor_reads"), 1);
  std::vector<std::string> loaded;
  for (const speculators::PluginModule& module : speculators::find_package_modules("fx")) {
    EXPECT_TRUE(module.loaded) << module.name;
    loaded.push_back(module.name);
  }
  EXPECT_EQ(loaded.size(), 6U);  // fx.good: alpha, counted, sub.beta, skipped.gamma; fx.colors: blue, shared_alpha
  EXPECT_TRUE(speculators::plugin_failures().empty());

  std::printf(
      "stress: %.2f s, %d threads: %ld registrations (%ld refused as duplicates), %ld finds, %ld creates, "
      "%ld listings, %ld discovery calls; %ld half-built entries seen\n",
      seconds, 3 * per_kind, counts.registered.load(), counts.duplicates.load(), counts.finds.load(),
      counts.creates.load(), counts.listings.load(), counts.discoveries.load(), counts.half_built.load());
  RecordProperty("seconds", std::to_string(seconds));
  RecordProperty("registrations", std::to_string(counts.registered.load() + counts.duplicates.load()));
  RecordProperty("finds", std::to_string(counts.finds.load()));
}
