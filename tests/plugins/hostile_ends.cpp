// A plugin whose static initializer ends the process: with exit(hx::ends_exit_code) when
// HX_ENDS_WITH_EXIT is defined, with abort() otherwise. It says so on standard error first,
// so that a test can tell its code ran. Built with this host's ABI tag (it runs when loaded)
// and with a foreign one (its manifest fails a check, so it must never run).
#include "hostile_bases.hpp"

#include <cstdio>
#include <cstdlib>

namespace {

struct EndTheProcess {
  EndTheProcess() {
#if defined(HX_ENDS_WITH_EXIT)
    std::fputs("hostile plugin " HX_KEY ": calling exit() from a static initializer\n", stderr);
    std::exit(hx::ends_exit_code);
#else
    std::fputs("hostile plugin " HX_KEY ": calling abort() from a static initializer\n", stderr);
    std::abort();
#endif
  }
} end_the_process;

struct Ends : hx::Plain {};

}  // namespace

SPECULATORS_REGISTER(hx::Plain, Ends, HX_KEY);
