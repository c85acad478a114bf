# The core registry's suites, the static-initialization pair and the misuse that must not compile.
target_sources(registry_tests PRIVATE
  # core_static_b.cpp looks the registry up from a static initializer; it is listed (and so
  # linked and initialized) before core_static_a.cpp, which registers what it looks for.
  ${CMAKE_CURRENT_LIST_DIR}/core_static_b.cpp
  ${CMAKE_CURRENT_LIST_DIR}/core_static_a.cpp
  ${CMAKE_CURRENT_LIST_DIR}/core_api_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/core_errors_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/core_threads_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/core_type_name_test.cpp)

# Misuse that must not compile: each snippet of compile_fail/ names the static_assert sentence it
# must fail with; control_ok.cpp must compile. Only the front end runs (-fsyntax-only).
file(GLOB core_compile_snippets CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/compile_fail/*.cpp)
foreach(snippet IN LISTS core_compile_snippets)
  get_filename_component(snippet_name ${snippet} NAME_WE)
  add_test(NAME core.compile.${snippet_name}
           COMMAND ${CMAKE_COMMAND} -DCXX=${CMAKE_CXX_COMPILER} -DINCLUDE_DIR=${PROJECT_SOURCE_DIR}/include
                   -DSOURCE=${snippet} -P ${CMAKE_CURRENT_LIST_DIR}/compile_fail/check.cmake)
  set_tests_properties(core.compile.${snippet_name} PROPERTIES TIMEOUT 60)
endforeach()
