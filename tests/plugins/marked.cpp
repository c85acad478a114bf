// A fixture plugin whose static initializer writes the file named by SPECULATORS_TEST_MARKER
// (when set): the file exists exactly when the plugin's code has run. Built once as it is,
// and with a foreign ABI tag, which its manifest shows before anything is loaded (once more
// with an initializer that ends the process, FX_MARKED_EXITS). With FX_MARKED_UNLISTED it also
// registers a class its manifest does not list, through the registration function itself
// rather than SPECULATORS_REGISTER: its code and its manifest disagree. With FX_MARKED_SWAPS
// its static initializer moves a new release of a package directory into place, as an
// installer renaming a directory would, while discovery is loading the package. With
// FX_MARKED_FORGES its description holds control characters.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fixture_bases.hpp"

namespace {

struct LeaveMarker {
  LeaveMarker() {
#if defined(FX_MARKED_EXITS)
    std::_Exit(3);  // what a hostile or broken plugin may do: the host cannot survive it if it runs
#endif
    if (const char* path = std::getenv("SPECULATORS_TEST_MARKER")) {
      if (std::FILE* f = std::fopen(path, "a")) {
        std::fputs(FX_MARKED_KEY "\n", f);
        std::fclose(f);
      }
    }
  }
} leave_marker;

#if defined(FX_MARKED_SWAPS)
// The directory named by SPECULATORS_TEST_SWAP_AWAY is renamed aside (".old"), and the one
// named by SPECULATORS_TEST_SWAP_IN takes its name.
struct SwapDirectories {
  SwapDirectories() {
    const char* away = std::getenv("SPECULATORS_TEST_SWAP_AWAY");
    const char* in = std::getenv("SPECULATORS_TEST_SWAP_IN");
    if (away == nullptr || in == nullptr) return;
    const std::string aside = std::string(away) + ".old";
    if (std::rename(away, aside.c_str()) == 0) std::rename(in, away);
  }
} swap_directories;
#endif

struct MarkedImpl : fx::Marked {};

#if defined(FX_MARKED_UNLISTED)
struct Unlisted : fx::Marked {};
const bool unlisted = (speculators::detail::register_statically<fx::Marked, Unlisted>(
                           static_cast<const fx::Marked::class_info*>(nullptr), "unlisted", {}),
                       true);
#endif

}  // namespace

#if defined(FX_MARKED_FORGES)
// A description that would forge a row of the tool's table and colour the terminal, were it
// printed as it is.
SPECULATORS_REGISTER(fx::Marked, MarkedImpl, FX_MARKED_KEY,
                     "forged\n\x1b[31mfx.marked.evil  fx::Marked  evil\x1b[0m\r\xc2\x9b"
                     "2J");
#else
SPECULATORS_REGISTER(fx::Marked, MarkedImpl, FX_MARKED_KEY);
#endif
