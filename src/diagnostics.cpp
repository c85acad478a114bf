// What discovery tells: warnings, delivered once no lock is held, the failure list and its
// handlers, and the errors it throws.
#include "loader.hpp"

#include "messages.hpp"

#include <iostream>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace speculators {

namespace detail {

namespace {

// The warnings this thread's current call has met (under the loader lock). The call delivers
// them once it holds no lock (deliver_warnings()), so that the handler may call the library,
// and so that what the handler throws reaches that call's caller.
// A pointer, set on the first warning: a thread that meets none never registers the
// cleanup of a thread_local vector.
thread_local std::vector<std::string>* warnings_met = nullptr;

}  // namespace

void warn(std::string text) {
  thread_local std::vector<std::string> warnings;
  warnings_met = &warnings;
  warnings.push_back(std::move(text));
}

// Delivers this thread's warnings. One delivery runs at a time in the process, as when
// handlers ran under the loader lock; a handler may still call the library, whose calls
// deliver their own warnings from inside it. When the handler throws, the exception reaches
// the caller and the warnings after that one wait for this thread's next call.
void deliver_warnings() {
  if (warnings_met == nullptr || warnings_met->empty()) return;
  WarningHandler handler;
  {
    Loader& state = loader();
    std::lock_guard lock(state.mutex);
    handler = state.warning_handler;
  }
  static auto* delivering = new std::recursive_mutex;  // never destroyed, like the loader
  std::lock_guard serial(*delivering);
  std::vector<std::string> warnings = std::exchange(*warnings_met, {});
  for (auto it = warnings.begin(); it != warnings.end(); ++it) {
    if (!handler) {
      std::cerr << "speculators: warning: " << *it << '\n';
      continue;
    }
    try {
      handler(*it);
    } catch (...) {
      warnings_met->insert(warnings_met->begin(), std::make_move_iterator(it + 1),
                           std::make_move_iterator(warnings.end()));
      throw;
    }
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

PluginFailureHandler set_plugin_failure_handler(PluginFailureHandler handler) {
  detail::refuse_while_loading("set_plugin_failure_handler()");
  detail::Loader& state = detail::loader();
  std::lock_guard lock(state.mutex);
  return std::exchange(state.failure_handler, std::move(handler));
}

WarningHandler set_warning_handler(WarningHandler handler) {
  detail::refuse_while_loading("set_warning_handler()");
  detail::Loader& state = detail::loader();
  std::lock_guard lock(state.mutex);
  return std::exchange(state.warning_handler, std::move(handler));
}

}  // namespace speculators
