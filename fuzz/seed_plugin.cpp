// A small real plugin, built only so that its file (and damaged copies of it) seed the ELF
// check's corpus: one SPECULATORS_REGISTER line fills its descriptor and manifest.
#include <speculators/registry.hpp>

namespace fuzzseed {

struct Seed : speculators::ClassRegistryMixin<Seed, int> {
  virtual ~Seed() = default;
};
struct Planted : Seed {
  explicit Planted(int /*unused*/) {}
};
SPECULATORS_REGISTER(Seed, Planted, "planted", "seed of the ELF check corpus");

}  // namespace fuzzseed
