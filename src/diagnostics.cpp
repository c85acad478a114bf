// What discovery tells: warnings, delivered once no lock is held, the failure list and its
// handlers, and the errors it throws.
#include "loader.hpp"

#include "messages.hpp"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace speculators {

namespace detail {

namespace {

// The warnings and trace events this thread's current call has met (under the loader lock).
// The call delivers them once it holds no lock (deliver_warnings()), so that the handler may
// call the library, and so that what the handler throws reaches that call's caller.
// Allocated on the first item and freed once delivered, so that no thread_local has a
// destructor: mingw-w64 runs those after it has freed the thread's TLS, and the destructor
// then frees freed memory (a crash at thread exit, seen under wine). Items a throwing handler
// left undelivered wait for the thread's next call; a thread that ends first leaks them.
thread_local std::vector<std::string>* warnings_met = nullptr;
thread_local std::vector<PluginTraceEvent>* trace_met = nullptr;

// Adds `item` to this thread's `kept` items, made on the first.
template <class Item>
void keep(std::vector<Item>*& kept, Item item) {
  if (kept == nullptr) kept = new std::vector<Item>;
  kept->push_back(std::move(item));
}

// Hands each of `kept` to `deliver`, then frees them. When `deliver` throws, the exception
// reaches the caller and the items after that one stay kept, before any that a call made by
// the handler kept, for this thread's next call.
template <class Item, class Deliver>
void deliver_each(std::vector<Item>*& kept, const Deliver& deliver) {
  const std::unique_ptr<std::vector<Item>> items(std::exchange(kept, nullptr));
  if (items == nullptr) return;
  for (auto it = items->begin(); it != items->end(); ++it) {
    try {
      deliver(*it);
    } catch (...) {
      auto rest =
          std::make_unique<std::vector<Item>>(std::make_move_iterator(it + 1), std::make_move_iterator(items->end()));
      if (kept != nullptr) {
        rest->insert(rest->end(), std::make_move_iterator(kept->begin()), std::make_move_iterator(kept->end()));
        delete kept;
      }
      kept = rest.release();
      throw;
    }
  }
}

// Whether SPECULATORS_DEBUG_PLUGINS asks for the trace: set, and neither empty nor "0".
bool trace_requested() {
  static const bool requested = [] {
    const char* value = std::getenv("SPECULATORS_DEBUG_PLUGINS");
    return value != nullptr && *value != '\0' && std::string_view(value) != "0";
  }();
  return requested;
}

}  // namespace

void warn(std::string text) { keep(warnings_met, std::move(text)); }

bool tracing(const Loader& state) { return state.trace_handler || trace_requested(); }

void trace(const Loader& state, std::string path, std::string_view step, std::string outcome,
           std::chrono::steady_clock::time_point started) {
  const auto took =
      started == std::chrono::steady_clock::time_point{}
          ? std::chrono::microseconds{0}
          : std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  if (!state.trace_handler) {
    std::cerr << "speculators: plugin trace: " << path << ": " << step << ": " << outcome;
    if (started != std::chrono::steady_clock::time_point{}) std::cerr << " (" << took.count() << " us)";
    std::cerr << '\n';
    return;
  }
  keep(trace_met, PluginTraceEvent{std::move(path), std::string(step), std::move(outcome), took});
}

// Delivers this thread's warnings and trace. One delivery runs at a time in the process, as
// when handlers ran under the loader lock; a handler may still call the library, whose calls
// deliver their own warnings from inside it.
void deliver_warnings() {
  const bool warnings_kept = warnings_met != nullptr && !warnings_met->empty();
  const bool trace_kept = trace_met != nullptr && !trace_met->empty();
  if (!warnings_kept && !trace_kept) return;
  WarningHandler warning_handler;
  PluginTraceHandler trace_handler;
  {
    Loader& state = loader();
    std::lock_guard lock(state.mutex);
    warning_handler = state.warning_handler;
    trace_handler = state.trace_handler;
  }
  static auto* delivering = new std::recursive_mutex;  // never destroyed, like the loader
  std::lock_guard serial(*delivering);
  if (warnings_kept) {
    deliver_each(warnings_met, [&warning_handler](const std::string& warning) {
      if (warning_handler) {
        warning_handler(warning);
      } else {
        std::cerr << "speculators: warning: " << warning << '\n';
      }
    });
  }
  // Events kept while a handler was set that has since been removed are dropped: a trace
  // asked of a handler is not the environment's to print.
  if (trace_kept) {
    deliver_each(trace_met, [&trace_handler](const PluginTraceEvent& event) {
      if (trace_handler) trace_handler(event);
    });
  }
}

PluginFailure record_failure(Loader& state, PluginFailure failure) {
  state.failures.push_back(failure);
  return failure;
}

// Throws the PluginLoadError of `failures`, for `registry`.
[[noreturn]] void throw_plugin_failures(std::string_view registry, std::vector<PluginFailure> failures) {
  std::string message = detail::plugin_failures_message(registry, failures);  // before failures is moved
  throw PluginLoadError(message, std::string(registry), std::move(failures));
}

// Throws the PluginLoadError of a plugin file named to `call` ("load_plugin()"): of no registry.
[[noreturn]] void throw_file_failure(std::string_view call, PluginFailure failure) {
  std::string message = detail::plugin_file_message(call, failure);
  throw PluginLoadError(message, {}, {std::move(failure)});
}

}  // namespace detail

std::vector<PluginFailure> plugin_failures() {
  detail::refuse_while_loading("plugin_failures()");
  detail::Loader& state = detail::loader();
  std::lock_guard lock(state.mutex);
  return state.failures;
}

namespace {

// Puts `handler` in the loader's `member` for `call`. @returns the previous one
template <class Handler>
Handler exchange_handler(std::string_view call, Handler detail::Loader::*member, Handler handler) {
  detail::refuse_while_loading(call);
  detail::Loader& state = detail::loader();
  std::lock_guard lock(state.mutex);
  return std::exchange(state.*member, std::move(handler));
}

}  // namespace

PluginFailureHandler set_plugin_failure_handler(PluginFailureHandler handler) {
  return exchange_handler("set_plugin_failure_handler()", &detail::Loader::failure_handler, std::move(handler));
}

WarningHandler set_warning_handler(WarningHandler handler) {
  return exchange_handler("set_warning_handler()", &detail::Loader::warning_handler, std::move(handler));
}

PluginTraceHandler set_plugin_trace_handler(PluginTraceHandler handler) {
  return exchange_handler("set_plugin_trace_handler()", &detail::Loader::trace_handler, std::move(handler));
}

}  // namespace speculators
