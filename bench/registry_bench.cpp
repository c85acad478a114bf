// Benchmarks of the registry's hot paths, each against a reference measured in the same run:
// create() against a direct std::make_unique and against a plain registry built the usual
// way, find() as the registry grows to a million names, lookups from two threads and next to
// a registering thread, and the start-up cost of static registrations.
// bench/run runs this program and bench/report.py turns its JSON into docs/BENCHMARKS.md;
// report.py finds the runs by the names given here.
#include <speculators/registry.hpp>

#include "compare/create_compare.hpp"
#include "create_by_name.hpp"

#include <benchmark/benchmark.h>
#include <malloc.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

extern char** environ;

namespace {

// Every find() benchmark walks this many keys, drawn at random from the registry and stored
// inline (short strings), so the walk itself streams and the table is hit at random.
constexpr std::size_t query_count = std::size_t{1} << 16;
constexpr double min_time_seconds = 0.2;

// --- the plain registry built the usual way -----------------------------------------------

/// What a project writes when it does not use a registry library: a map from std::string to
/// std::function, a mutex around registration. Its users look it up with the key they hold:
/// a std::string as it is, anything else through the std::string it converts to (the map's
/// std::hash<std::string> takes nothing else).
template <class Base>
class PlainRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Base>()>;

  void add(const std::string& name, Factory factory) {
    std::lock_guard lock(mutex_);
    if (!factories_.emplace(name, std::move(factory)).second) throw std::invalid_argument(name + " already registered");
  }

  const Factory* find(const std::string& name) const {
    const auto it = factories_.find(name);
    return it == factories_.end() ? nullptr : &it->second;
  }

  std::unique_ptr<Base> create(const std::string& name) const {
    const auto it = factories_.find(name);
    if (it == factories_.end()) throw std::out_of_range(name + " is not registered");
    return it->second();
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, Factory> factories_;
};

// --- memory accounting --------------------------------------------------------------------

/// Bytes the allocator has handed out, including large blocks it mapped on its own.
std::size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

/// Resident set size from /proc/self/statm.
std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size = 0;
  std::size_t resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

/// Heap and resident growth per item over a piece of work.
struct Footprint {
  double heap_per_item = 0;
  double resident_per_item = 0;
};

template <class Work>
Footprint measure_footprint(std::size_t items, Work&& work) {
  const std::size_t heap_before = heap_in_use();
  const std::size_t resident_before = resident_bytes();
  work();
  const auto per_item = [items](std::size_t before, std::size_t after) {
    return after > before ? static_cast<double>(after - before) / static_cast<double>(items) : 0.0;
  };
  return {per_item(heap_before, heap_in_use()), per_item(resident_before, resident_bytes())};
}

// --- figure 1: create(name), by number of classes and key length ---------------------------

using bench::create_by_name;
using bench::KeyForm;

/// The base of one configuration: a registry of its own holding `Classes` classes whose keys
/// are `KeyLength` characters long.
template <int Classes, int KeyLength>
struct Sized : speculators::ClassRegistryMixin<Sized<Classes, KeyLength>> {
  virtual ~Sized() = default;
  virtual int sides() const = 0;
};

template <int Classes, int KeyLength, int N>
struct SizedPolygon final : Sized<Classes, KeyLength> {
  int sides() const override { return N; }
};

/// The key of class `n`: `length` characters, the last two its number (polygon_37 at 10).
std::string sized_key(int length, int n) {
  const std::string digits = std::to_string(100 + n).substr(1);
  return std::string("polygon_with_a_rather_long_name_").substr(0, static_cast<std::size_t>(length) - 2) + digits;
}

/// The class every create of a configuration builds: the only one, or the 38th of 64.
constexpr int created_of(int classes) { return classes == 1 ? 0 : 37; }

template <int Classes, int KeyLength>
struct SizedShapes {
  using Base = Sized<Classes, KeyLength>;
  PlainRegistry<Base> plain;
};

template <int Classes, int KeyLength, int... N>
void register_sized(SizedShapes<Classes, KeyLength>& shapes, std::integer_sequence<int, N...> /*all*/) {
  using Base = Sized<Classes, KeyLength>;
  (Base::template register_class<SizedPolygon<Classes, KeyLength, N>>(sized_key(KeyLength, N)), ...);
  (shapes.plain.add(sized_key(KeyLength, N),
                    [] { return std::unique_ptr<Base>(std::make_unique<SizedPolygon<Classes, KeyLength, N>>()); }),
   ...);
}

template <int Classes, int KeyLength>
const SizedShapes<Classes, KeyLength>& sized_shapes() {
  static const auto* registered = [] {
    auto* made = new SizedShapes<Classes, KeyLength>;
    register_sized(*made, std::make_integer_sequence<int, Classes>{});
    return made;
  }();
  return *registered;
}

template <int Classes, int KeyLength>
void create_floor(benchmark::State& state) {
  using Base = Sized<Classes, KeyLength>;
  for (auto _ : state) {
    std::unique_ptr<Base> shape = std::make_unique<SizedPolygon<Classes, KeyLength, created_of(Classes)>>();
    benchmark::DoNotOptimize(shape.get());
  }
}

template <int Classes, int KeyLength, KeyForm Form>
void create_registry(benchmark::State& state) {
  using Base = Sized<Classes, KeyLength>;
  sized_shapes<Classes, KeyLength>();
  create_by_name<Form>(
      state, [](const auto& name) { return Base::create(name); }, sized_key(KeyLength, created_of(Classes)));
}

template <int Classes, int KeyLength, KeyForm Form>
void create_plain(benchmark::State& state) {
  const auto& plain = sized_shapes<Classes, KeyLength>().plain;
  // Called as its users would: a std::string binds as it is, the other forms make one.
  create_by_name<Form>(
      state,
      [&plain](const auto& name) {
        if constexpr (std::is_same_v<std::decay_t<decltype(name)>, std::string>) {
          return plain.create(name);
        } else {
          return plain.create(std::string(name));
        }
      },
      sized_key(KeyLength, created_of(Classes)));
}

// --- figure 2: find() as the registry grows -------------------------------------------------

/// A registry of its own for each size: registrations are never removed.
template <std::size_t Size>
struct Keyed : speculators::ClassRegistryMixin<Keyed<Size>> {
  virtual ~Keyed() = default;
};

template <std::size_t Size>
struct KeyedImpl final : Keyed<Size> {};

std::string key_name(std::size_t n) { return "k" + std::to_string(n); }

/// Keys drawn uniformly at random from the first `size` names, in the order they are looked up.
std::vector<std::string> random_queries(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<std::size_t> pick(0, size - 1);
  std::vector<std::string> queries(query_count);
  for (auto& query : queries) query = key_name(pick(random));
  return queries;
}

/// Keys drawn at random from a working set of `hot_count` names picked once among the first
/// `size`: a program that registers many classes but builds a few of them over and over.
constexpr std::size_t hot_count = 1000;

std::vector<std::string> hot_queries(std::size_t size, std::uint64_t seed) {
  std::vector<std::string> hot = random_queries(size, seed);
  hot.resize(hot_count);
  std::mt19937_64 random(seed + 1);
  std::uniform_int_distribution<std::size_t> pick(0, hot_count - 1);
  std::vector<std::string> queries(query_count);
  for (auto& query : queries) query = hot[pick(random)];
  return queries;
}

struct SizedRegistry {
  std::vector<std::string> queries;
  std::vector<std::string> hot;
  Footprint registry_footprint;
  Footprint plain_footprint;
  PlainRegistry<Keyed<0>> plain;  // the same names, for reference
};

/// The registry of `Size` names "k0".."k<Size-1>", all of one class, registered at run time.
template <std::size_t Size>
const SizedRegistry& sized_registry() {
  static const SizedRegistry* made = [] {
    auto* sized = new SizedRegistry;
    std::vector<std::string> names;
    names.reserve(Size);
    for (std::size_t i = 0; i < Size; ++i) names.push_back(key_name(i));
    sized->registry_footprint = measure_footprint(Size, [&names] {
      for (const std::string& name : names) Keyed<Size>::template register_class<KeyedImpl<Size>>(name);
    });
    sized->plain_footprint = measure_footprint(Size, [&names, sized] {
      for (const std::string& name : names) {
        sized->plain.add(name, [] { return std::unique_ptr<Keyed<0>>(std::make_unique<KeyedImpl<0>>()); });
      }
    });
    sized->queries = random_queries(Size, Size);
    sized->hot = hot_queries(Size, Size);
    return sized;
  }();
  return *made;
}

void add_footprint(benchmark::State& state, const Footprint& footprint) {
  state.counters["heap_bytes_per_class"] = footprint.heap_per_item;
  state.counters["rss_bytes_per_class"] = footprint.resident_per_item;
}

/// Looks up every query in turn, from `offset` on; the lookups are independent, as in a loop
/// over names, so the figure is throughput.
template <class Find>
void find_each(benchmark::State& state, const std::vector<std::string>& queries, std::size_t offset, Find&& find) {
  std::size_t i = offset;
  for (auto _ : state) {
    auto found = find(queries[i]);
    benchmark::DoNotOptimize(found);
    i = (i + 1) & (query_count - 1);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

template <std::size_t Size>
void find_registry(benchmark::State& state) {
  const SizedRegistry& sized = sized_registry<Size>();
  find_each(state, sized.queries, 0, [](const std::string& name) { return Keyed<Size>::find(name); });
  add_footprint(state, sized.registry_footprint);
}

template <std::size_t Size>
void find_hot_registry(benchmark::State& state) {
  const SizedRegistry& sized = sized_registry<Size>();
  find_each(state, sized.hot, 0, [](const std::string& name) { return Keyed<Size>::find(name); });
}

template <std::size_t Size>
void find_plain(benchmark::State& state) {
  const SizedRegistry& sized = sized_registry<Size>();
  find_each(state, sized.queries, 0, [&sized](const std::string& name) { return sized.plain.find(name); });
  add_footprint(state, sized.plain_footprint);
}

// --- figure 3: threads ------------------------------------------------------------------------

constexpr std::size_t threaded_size = 1000;

void find_threads(benchmark::State& state) {
  const SizedRegistry& sized = sized_registry<threaded_size>();
  const std::size_t offset = static_cast<std::size_t>(state.thread_index()) * (query_count / 2);
  find_each(state, sized.queries, offset, [](const std::string& name) { return Keyed<threaded_size>::find(name); });
}

/// The machine's own scaling, for comparison: arithmetic that shares nothing between threads.
/// On a host that gives two virtual CPUs less than two cores, this shows it.
void spin_threads(benchmark::State& state) {
  std::uint64_t x = 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(state.thread_index());
  for (auto _ : state) {
    for (int i = 0; i < 16; ++i) {  // about as long as one find()
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
    }
    benchmark::DoNotOptimize(x);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

/// The registry read while another thread registers: 1,000 names to read, and the writer's.
struct Contended : speculators::ClassRegistryMixin<Contended> {
  virtual ~Contended() = default;
};
struct ContendedImpl final : Contended {};

// The writer registers a burst, then sleeps, so that it leaves the CPU to the reader even on
// a machine with fewer cores than threads; about 100,000 registrations per second.
constexpr int writer_burst = 16;
constexpr auto writer_pause = std::chrono::microseconds(100);

/// Registers new names into Contended in bursts until stopped.
class Writer {
 public:
  Writer() : thread_([this] { run(); }) {}
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer() { stop(); }

  /// Stops the thread and returns how many names it registered.
  std::size_t stop() {
    stop_.store(true, std::memory_order_relaxed);
    if (thread_.joinable()) thread_.join();
    return written_;
  }

 private:
  void run() {
    static std::atomic<std::size_t> next{0};  // names stay registered from one run to the next
    while (!stop_.load(std::memory_order_relaxed)) {
      for (int i = 0; i < writer_burst; ++i) {
        Contended::register_class<ContendedImpl>("w" + std::to_string(next.fetch_add(1)));
      }
      written_ += writer_burst;
      std::this_thread::sleep_for(writer_pause);
    }
  }

  std::atomic<bool> stop_{false};
  std::size_t written_ = 0;
  std::thread thread_;
};

void find_while_registering(benchmark::State& state) {
  static const std::vector<std::string>* queries = [] {
    for (std::size_t i = 0; i < threaded_size; ++i) Contended::register_class<ContendedImpl>(key_name(i));
    return new std::vector<std::string>(random_queries(threaded_size, 7));
  }();
  const bool with_writer = state.range(0) != 0;
  std::unique_ptr<Writer> writer = with_writer ? std::make_unique<Writer>() : nullptr;
  const auto start = std::chrono::steady_clock::now();
  find_each(state, *queries, 0, [](const std::string& name) { return Contended::find(name); });
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  const std::size_t written = writer ? writer->stop() : 0;
  state.counters["registrations_per_second"] = static_cast<double>(written) / elapsed.count();
}

// --- figure 4: static registration ------------------------------------------------------------

/// Runs a generated program with `range(0)` SPECULATORS_REGISTER lines; it leaves at main.
void startup(benchmark::State& state) {
  std::string path =
      std::string(SPECULATORS_BENCH_STATIC_DIR) + "/static_registrations_" + std::to_string(state.range(0));
  char* argv[] = {path.data(), nullptr};
  for (auto _ : state) {
    pid_t pid = 0;
    if (posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv, environ) != 0) {
      state.SkipWithError("cannot start the generated program");
      break;
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      state.SkipWithError("the generated program failed");
      break;
    }
  }
  state.counters["binary_bytes"] = static_cast<double>(std::filesystem::file_size(path));
  state.counters["classes"] = SPECULATORS_BENCH_STATIC_CLASSES;
}

template <class Function>
benchmark::internal::Benchmark* add(const char* name, Function function) {
  return benchmark::RegisterBenchmark(name, function)->MinTime(min_time_seconds);
}

/// One configuration's runs: create/<classes>/<key length>/{floor, registry/<form>, plain/<form>}.
template <int Classes, int KeyLength>
void add_create_configuration() {
  const std::string prefix = "create/" + std::to_string(Classes) + "/" + std::to_string(KeyLength) + "/";
  add((prefix + "floor").c_str(), create_floor<Classes, KeyLength>);
  add((prefix + "registry/string_view").c_str(), create_registry<Classes, KeyLength, KeyForm::string_view>);
  add((prefix + "registry/const_char").c_str(), create_registry<Classes, KeyLength, KeyForm::c_string>);
  add((prefix + "registry/string").c_str(), create_registry<Classes, KeyLength, KeyForm::string>);
  add((prefix + "plain/string_view").c_str(), create_plain<Classes, KeyLength, KeyForm::string_view>);
  add((prefix + "plain/const_char").c_str(), create_plain<Classes, KeyLength, KeyForm::c_string>);
  add((prefix + "plain/string").c_str(), create_plain<Classes, KeyLength, KeyForm::string>);
}

void register_benchmarks() {
  add_create_configuration<1, 7>();
  add_create_configuration<1, 10>();
  add_create_configuration<1, 34>();
  add_create_configuration<64, 7>();
  add_create_configuration<64, 10>();
  add_create_configuration<64, 34>();
  bench::compare::register_create_benchmarks(min_time_seconds);

  add("find/registry/10", find_registry<10>);
  add("find/registry/1000", find_registry<1000>);
  add("find/registry/100000", find_registry<100000>);
  add("find/registry/1000000", find_registry<1000000>);
  add("find_hot/registry/100000", find_hot_registry<100000>);
  add("find_hot/registry/1000000", find_hot_registry<1000000>);
  add("find/plain/10", find_plain<10>);
  add("find/plain/1000", find_plain<1000>);
  add("find/plain/100000", find_plain<100000>);
  add("find/plain/1000000", find_plain<1000000>);

  add("find_threads", find_threads)->Threads(1)->Threads(2)->UseRealTime();
  add("spin_threads", spin_threads)->Threads(1)->Threads(2)->UseRealTime();
  add("find_while_registering", find_while_registering)->ArgName("writer")->Arg(0)->Arg(1)->UseRealTime();

  add("startup", startup)->ArgName("registrations")->Arg(0)->Arg(10000)->UseRealTime();
}

std::string compiler() {
#if defined(__clang__)
  return "clang++ " __clang_version__;
#else
  return "g++ " __VERSION__;
#endif
}

}  // namespace

int main(int argc, char** argv) {
  register_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("compiler", compiler());
  benchmark::AddCustomContext("registry_library", SPECULATORS_BENCH_LIBRARY_TYPE);
  benchmark::AddCustomContext("query_count", std::to_string(query_count));
  benchmark::AddCustomContext("hot_count", std::to_string(hot_count));
  benchmark::AddCustomContext("static_classes", std::to_string(SPECULATORS_BENCH_STATIC_CLASSES));
  benchmark::AddCustomContext("writer", std::to_string(writer_burst) + " registrations, then a " +
                                            std::to_string(writer_pause.count()) + " us sleep");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
