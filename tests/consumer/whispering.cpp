// The only object of the consumer's static library: a registration and no symbol the program
// refers to, so that it reaches the program only through speculators_link_whole().
#include "voice.hpp"

namespace consumer {
namespace {

struct Whispering : Voice {
  explicit Whispering(std::string_view text) : text_(text) {}
  std::string say() const override { return "..." + text_ + "..."; }
  std::string text_;
};

}  // namespace
}  // namespace consumer

SPECULATORS_REGISTER(consumer::Voice, consumer::Whispering, "whispering", "says it quietly");
