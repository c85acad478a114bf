# Every detail header compiles on its own: a translation unit that includes it alone, one per
# header of include/speculators/detail, src/ and src/formats, built with the project's flags.
# A header that leans on what its includers happened to include first fails the build here.
file(GLOB headers_alone CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/speculators/detail/*.hpp
     ${PROJECT_SOURCE_DIR}/src/*.hpp ${PROJECT_SOURCE_DIR}/src/formats/*.hpp)
# plugin_side.hpp is the middle of <speculators/registry.hpp> in a plugin (included there, under
# SPECULATORS_PLUGIN, after the types it uses), not a header of its own yet: it is checked as
# a plugin includes it, below.
list(FILTER headers_alone EXCLUDE REGEX "/detail/plugin_side\\.hpp$")
set(headers_alone_sources)
foreach(header IN LISTS headers_alone)
  file(RELATIVE_PATH relative ${PROJECT_SOURCE_DIR} ${header})
  string(MAKE_C_IDENTIFIER "${relative}" name)
  set(source ${CMAKE_CURRENT_BINARY_DIR}/headers-alone/${name}.cpp)
  file(CONFIGURE OUTPUT ${source} CONTENT "#include \"${header}\"\n")
  list(APPEND headers_alone_sources ${source})
endforeach()
set(plugin_registry ${CMAKE_CURRENT_BINARY_DIR}/headers-alone/plugin_registry_hpp.cpp)
file(CONFIGURE OUTPUT ${plugin_registry} CONTENT "#define SPECULATORS_PLUGIN 1\n#include <speculators/registry.hpp>\n")
add_library(speculators_headers_alone OBJECT ${headers_alone_sources} ${plugin_registry})
target_include_directories(speculators_headers_alone PRIVATE ${PROJECT_SOURCE_DIR}/include
                                                             ${PROJECT_BINARY_DIR}/include)
target_link_libraries(speculators_headers_alone PRIVATE nlohmann_json::nlohmann_json speculators_build_flags)
