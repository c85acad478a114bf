// Prints the keys of fx::Linked, so that CTest can see whether the static library's
// registration survived the link.
#include "link_whole.hpp"

#include <iostream>

int main() {
  std::cout << "registered:";
  if (fx::Linked::registry() == nullptr) {
    std::cout << " none";
  } else {
    for (auto cls : *fx::Linked::registry()) std::cout << ' ' << cls.name();
  }
  std::cout << '\n';
  return 0;
}
