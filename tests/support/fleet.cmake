# speculators_fleet(<target> TEMPLATE <plugin target> ROOT <dir> PACKAGE <a.b> COUNT <n>)
#
# A custom target writing <n> distinct copies of a template plugin into <dir>/<a/b>/, named
# fleet_000000.so ... (see make_fleet.cpp): the template's key holds the placeholder
# "fleet_000000", which each copy replaces with its own name. Generated once per build of the
# template, in milliseconds, where compiling <n> plugins would take minutes. Used by the CLI
# tests (tests/cli.cmake) and the discovery benchmark (bench/CMakeLists.txt), which is why the
# generator lives here in tests/support/ and not in either of them: bench/ is built with the
# tests off, and the tests without bench/.
if(NOT TARGET speculators_make_fleet)
  add_executable(speculators_make_fleet ${CMAKE_CURRENT_LIST_DIR}/make_fleet.cpp)
  target_link_libraries(speculators_make_fleet PRIVATE speculators_build_flags)
endif()

function(speculators_fleet target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "TEMPLATE;ROOT;PACKAGE;COUNT" "")
  string(REPLACE "." "/" package_dir "${arg_PACKAGE}")
  math(EXPR last "${arg_COUNT} - 1")
  string(LENGTH "${last}" digits)
  math(EXPR zeros "6 - ${digits}")
  string(REPEAT "0" ${zeros} padding)
  # The last copy is written last: it stands for the whole fleet.
  set(last_copy "${arg_ROOT}/${package_dir}/fleet_${padding}${last}.so")
  add_custom_command(
    OUTPUT "${last_copy}"
    COMMAND speculators_make_fleet "$<TARGET_FILE:${arg_TEMPLATE}>" "${arg_ROOT}" ${arg_PACKAGE} ${arg_COUNT}
    DEPENDS ${arg_TEMPLATE} speculators_make_fleet
    COMMENT "Writing ${arg_COUNT} copies of plugin ${arg_TEMPLATE} into ${arg_ROOT}"
    VERBATIM)
  add_custom_target(${target} DEPENDS "${last_copy}")
endfunction()
