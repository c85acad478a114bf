#pragma once
#include <speculators/registry.hpp>

#include <string>
#include <string_view>

namespace consumer {

struct Voice : speculators::AutoClassRegistryMixin<Voice, std::string_view> {
  static constexpr std::string_view auto_package = "consumer.voices";
  virtual ~Voice() = default;
  virtual std::string say() const = 0;
};

}  // namespace consumer
