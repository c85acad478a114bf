# The Windows test build (cmake/toolchains/mingw-w64-x86_64.cmake, run under wine): the PE
# reader's suite and the plugin suite of Windows (windows_plugin_test.cpp) with its fixtures:
#   good-ü/   package fx.good: a plugin under a directory whose name is not ASCII
#   bad/      package fx.bad: the hostile corpus in its Windows form between two good plugins
#             (not a PE, empty, truncated, an i686 DLL, a missing dependency DLL, a taken key,
#             a foreign ABI tag)
# GoogleTest is built from Debian's sources (package googletest) with this compiler.
set(SPECULATORS_GOOGLETEST_SOURCE /usr/src/googletest CACHE PATH "GoogleTest's sources, built for the Windows tests")
set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
add_subdirectory(${SPECULATORS_GOOGLETEST_SOURCE} googletest EXCLUDE_FROM_ALL SYSTEM)
include(GoogleTest)

set(wx_root ${CMAKE_CURRENT_BINARY_DIR}/windows-plugins)
set(wx_sources ${CMAKE_CURRENT_LIST_DIR}/plugins)
set(wx_good_root "${wx_root}/good-ü")
set(wx_bad_dir ${wx_root}/bad/fx/bad)
set(wx_targets "")

# wx_plugin(<target> <root> <package> <module> <source> [definitions...])
function(wx_plugin target root package module source)
  speculators_add_plugin(${target} PACKAGE ${package} SOURCES ${wx_sources}/${source} OUTPUT_ROOT ${root} NO_INSTALL)
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${module})
  target_include_directories(${target} PRIVATE ${wx_sources})
  target_compile_definitions(${target} PRIVATE ${ARGN})
  set(wx_targets ${wx_targets} ${target} PARENT_SCOPE)
endfunction()

wx_plugin(wx_good_alpha ${wx_good_root} fx.good alpha shape.cpp FX_SHAPE_KEY="alpha" FX_SHAPE_HELP="good alpha"
          FX_COLOR_KEY="red")
wx_plugin(wx_bad_first ${wx_root}/bad fx.bad aa_first bad_ok.cpp FX_BAD_KEY="ok_first")
wx_plugin(wx_bad_last ${wx_root}/bad fx.bad zz_last bad_ok.cpp FX_BAD_KEY="ok_last")
wx_plugin(wx_bad_dup_a ${wx_root}/bad fx.bad dup_a bad_ok.cpp FX_BAD_KEY="twin")
wx_plugin(wx_bad_dup_b ${wx_root}/bad fx.bad dup_b bad_ok.cpp FX_BAD_KEY="twin")
wx_plugin(wx_bad_abi ${wx_root}/bad fx.bad wrong_abi bad_ok.cpp FX_BAD_KEY="foreign"
          SPECULATORS_ABI_TAG="libfoo++0/not-this-host")
# missing_dep.dll needs fx_gone.dll, which is neither beside it nor beside the program.
add_library(wx_gone SHARED ${wx_sources}/gone.cpp)
set_target_properties(wx_gone PROPERTIES OUTPUT_NAME fx_gone RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/wx-gone)
wx_plugin(wx_bad_missing_dep ${wx_root}/bad fx.bad missing_dep missing_dep.cpp)
target_link_libraries(wx_bad_missing_dep PRIVATE wx_gone)

file(MAKE_DIRECTORY ${wx_bad_dir})
file(WRITE ${wx_bad_dir}/empty.dll "")
file(WRITE ${wx_bad_dir}/text.dll "This is a text file, not a DLL.\n")
# A DLL for another machine: the good plugin built by Debian's i686 mingw-w64 compiler.
find_program(SPECULATORS_MINGW_I686_CXX i686-w64-mingw32-g++-posix REQUIRED)
get_target_property(wx_json_include nlohmann_json::nlohmann_json INTERFACE_INCLUDE_DIRECTORIES)
list(TRANSFORM wx_json_include PREPEND -I)
add_custom_command(
  OUTPUT ${wx_bad_dir}/truncated.dll ${wx_bad_dir}/i686.dll
  COMMAND dd if=$<TARGET_FILE:wx_bad_first> of=${wx_bad_dir}/truncated.dll bs=1000 count=1 status=none
  COMMAND ${SPECULATORS_MINGW_I686_CXX} -std=c++20 -shared -DSPECULATORS_PLUGIN -DFX_BAD_KEY="i686"
          -I${PROJECT_SOURCE_DIR}/include -I${PROJECT_BINARY_DIR}/include -I${wx_sources}
          ${wx_json_include}
          -o ${wx_bad_dir}/i686.dll ${wx_sources}/bad_ok.cpp ${PROJECT_SOURCE_DIR}/cmake/speculators_plugin_entry.cpp
  DEPENDS wx_bad_first ${wx_sources}/bad_ok.cpp
  COMMENT "The Windows hostile corpus: a truncated copy of a plugin, and an i686 DLL"
  COMMAND_EXPAND_LISTS VERBATIM)
add_custom_target(wx_bad_copies DEPENDS ${wx_bad_dir}/truncated.dll ${wx_bad_dir}/i686.dll)
list(APPEND wx_targets wx_bad_copies)

# Paths as the Windows program sees them: under wine the Unix root is drive Z:.
set(wx_drive "")
if(CMAKE_CROSSCOMPILING)
  set(wx_drive "Z:")
endif()
add_executable(windows_plugin_tests ${CMAKE_CURRENT_LIST_DIR}/windows_plugin_test.cpp
                                    ${CMAKE_CURRENT_LIST_DIR}/pe_format_test.cpp)
target_link_libraries(windows_plugin_tests PRIVATE speculators::registry GTest::gtest_main speculators_build_flags)
target_include_directories(windows_plugin_tests PRIVATE ${PROJECT_SOURCE_DIR} ${wx_sources})
target_compile_definitions(windows_plugin_tests PRIVATE WX_GOOD_ROOT="${wx_drive}${wx_good_root}"
                                                        WX_BAD_ROOT="${wx_drive}${wx_root}/bad")
add_dependencies(windows_plugin_tests ${wx_targets})
gtest_discover_tests(windows_plugin_tests DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 120
                     PROPERTIES ENVIRONMENT "SPECULATORS_PLUGIN_PATH=" TIMEOUT 120)

# The command-line tool and the example plugins built for Windows: the tool lists the example
# plugins from their manifests.
if(TARGET speculators_registry_cli AND TARGET greedy)
  add_test(NAME windows.tool.lists_example_plugins COMMAND speculators_registry_cli list)
  set_tests_properties(windows.tool.lists_example_plugins PROPERTIES
    ENVIRONMENT "SPECULATORS_PLUGIN_PATH=${wx_drive}${PROJECT_BINARY_DIR}/plugins"
    PASS_REGULAR_EXPRESSION "speculators\\.proposals\\.greedy +speculators::examples::TokenProposal +greedy"
    TIMEOUT 120)
endif()
