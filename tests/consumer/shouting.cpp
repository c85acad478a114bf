#include "voice.hpp"

#include <algorithm>
#include <cctype>

namespace consumer {
namespace {

struct Shouting : Voice {
  explicit Shouting(std::string_view text) : text_(text) {}
  std::string say() const override {
    std::string out = text_;
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out + "!";
  }
  std::string text_;
};

}  // namespace
}  // namespace consumer

SPECULATORS_REGISTER(consumer::Voice, consumer::Shouting, "shouting", "says it louder");
