// The base shared by core_static_a.cpp (which registers into it) and core_static_b.cpp
// (which looks it up from its own static initializer).
#pragma once

#include <speculators/registry.hpp>

namespace core_static {

struct Early : speculators::ClassRegistryMixin<Early> {
  virtual ~Early() = default;
  virtual int id() const = 0;
};

/// Whether Early::find("early") succeeded while core_static_b.cpp was being initialized.
bool found_during_static_init();

}  // namespace core_static
