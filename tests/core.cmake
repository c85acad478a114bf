# The core registry's suites, the static-initialization pair and the misuse that must not compile.
target_sources(registry_tests PRIVATE
  # core_static_b.cpp looks the registry up from a static initializer; it is listed (and so
  # linked and initialized) before core_static_a.cpp, which registers what it looks for.
  ${CMAKE_CURRENT_LIST_DIR}/core_static_b.cpp
  ${CMAKE_CURRENT_LIST_DIR}/core_static_a.cpp
  ${CMAKE_CURRENT_LIST_DIR}/core_api_test.cpp)
