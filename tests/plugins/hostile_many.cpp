// A plugin registering 2,000 classes, indices 1000 to 2999: one class template instantiated
// per index, one SPECULATORS_REGISTER line per class, written out by the preprocessor. Key
// "many_<index>"; the object built tells its index.
//
// Compile time grows with each line's manifest record and type name (about 15 ms per line
// with clang++ 14 and 25 ms with g++ 12, Debug): a short class name in a named namespace
// keeps the type names, and so the records, short.
#include "hostile_bases.hpp"

namespace hxm {

template <int I>
struct Indexed : hx::Many {
  int index() const override { return I; }
};

}  // namespace hxm

// The index is spelled by pasting digits, so that the template argument and the key come
// from the same tokens. Prefixes start at 1: a leading 0 would make an octal literal.
// clang-format off
#define HX_ONE(i) SPECULATORS_REGISTER(hx::Many, hxm::Indexed<i>, "many_" #i);
#define HX_TEN(p) HX_ONE(p##0) HX_ONE(p##1) HX_ONE(p##2) HX_ONE(p##3) HX_ONE(p##4) \
                  HX_ONE(p##5) HX_ONE(p##6) HX_ONE(p##7) HX_ONE(p##8) HX_ONE(p##9)
#define HX_HUNDRED(p) HX_TEN(p##0) HX_TEN(p##1) HX_TEN(p##2) HX_TEN(p##3) HX_TEN(p##4) \
                      HX_TEN(p##5) HX_TEN(p##6) HX_TEN(p##7) HX_TEN(p##8) HX_TEN(p##9)
#define HX_THOUSAND(p) HX_HUNDRED(p##0) HX_HUNDRED(p##1) HX_HUNDRED(p##2) HX_HUNDRED(p##3) HX_HUNDRED(p##4) \
                       HX_HUNDRED(p##5) HX_HUNDRED(p##6) HX_HUNDRED(p##7) HX_HUNDRED(p##8) HX_HUNDRED(p##9)
// clang-format on

namespace {
HX_THOUSAND(1)
HX_THOUSAND(2)
}  // namespace
