# Plugin discovery: the suites, the fixture plugins they load, and the programs that check
# what only a separate link can show (a static copy of the registry, speculators_link_whole).
#
# Fixture roots, each a search-path entry the tests add themselves, under
# SPECULATORS_TEST_PLUGIN_ROOT:
# The same fixtures serve both platforms; their files end in the platform's module suffix
# (FX_PLUGIN_SUFFIX in the tests: .so, .dll), and the few only POSIX can make are marked so.
#
#   good/    package fx.good (alpha, sub/beta, skipped/gamma, counted) and fx.colors (blue,
#            and, POSIX-only, shared_alpha: a symbolic link to fx/good/alpha.so, one plugin in
#            two packages)
#   good-ü/  package fx.good: alpha under a directory whose name is not ASCII
#   second/  package fx.good again: its own alpha (shadowed when good/ comes first) and delta
#   bad/     package fx.bad: every kind of broken plugin between two good ones (the files
#            that are not plugins in the platform's format: ELF or PE)
#   lies/    package fx.bad: descriptors claiming 1,000,000 entries for one, with and without manifest
#   where/   package fx.where: the plugin copy of the same registration line
#   throws/  package fx.throws: a plugin whose static initializer throws
#   marked/, foreign/, foreign_exits/, manual/, unlisted/, swap/  package fx.marked: plugins
#            that leave a marker file when their code runs, with and without a manifest, some
#            refused by it, one (unlisted) registering a class its manifest does not list, one
#            (swap) renaming a new release of its package directory into place as it loads
#   lazy/    package fx.lazy: plugins counting their initializations, one with a missing library
#   reentry/ package fx.reentry: a plugin whose static initializer calls every public function
set(fx_sources ${CMAKE_CURRENT_LIST_DIR}/plugins)
set(fx_root ${SPECULATORS_TEST_PLUGIN_ROOT})
set(fx_targets "")
set(fx_suffix ${CMAKE_SHARED_MODULE_SUFFIX})

# fx_plugin(<target> <root> <package> <module path> <source> [definitions...]): a fixture
# built by speculators_add_plugin(), as <root>/<package dirs>/<module path>.so (.dll).
function(fx_plugin target root package module source)
  speculators_add_plugin(${target} PACKAGE ${package} SOURCES ${fx_sources}/${source}
                         OUTPUT_ROOT ${fx_root}/${root} NO_INSTALL)
  string(REPLACE "." "/" package_dir "${package}")
  cmake_path(GET module PARENT_PATH module_dir)
  cmake_path(GET module FILENAME module_file)
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${module_file}
                        LIBRARY_OUTPUT_DIRECTORY ${fx_root}/${root}/${package_dir}/${module_dir})
  target_include_directories(${target} PRIVATE ${fx_sources})
  target_compile_definitions(${target} PRIVATE ${ARGN})
  set(fx_targets ${fx_targets} ${target} PARENT_SCOPE)
endfunction()

# fx_raw_plugin(<target> <root> <package> <module> <source> [definitions...]): a fixture that
# writes its own entry point (or none), so it is built as a plain module.
function(fx_raw_plugin target root package module source)
  add_library(${target} MODULE ${fx_sources}/${source})
  string(REPLACE "." "/" package_dir "${package}")
  set_target_properties(${target} PROPERTIES PREFIX "" SUFFIX "${fx_suffix}" OUTPUT_NAME ${module}
                        CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
                        LIBRARY_OUTPUT_DIRECTORY ${fx_root}/${root}/${package_dir})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/include ${fx_sources})
  target_compile_features(${target} PRIVATE cxx_std_20)
  target_compile_definitions(${target} PRIVATE SPECULATORS_PLUGIN ${ARGN})
  set(fx_targets ${fx_targets} ${target} PARENT_SCOPE)
endfunction()

# --- good/ and second/ ---------------------------------------------------------
fx_plugin(fx_good_alpha good fx.good alpha shape.cpp FX_SHAPE_KEY="alpha" FX_SHAPE_HELP="good alpha"
          FX_COLOR_KEY="red")
fx_plugin(fx_good_beta good fx.good sub/beta shape.cpp FX_SHAPE_KEY="beta" FX_SHAPE_HELP="good beta")
fx_plugin(fx_good_gamma good fx.good skipped/gamma shape.cpp FX_SHAPE_KEY="gamma" FX_SHAPE_HELP="good gamma")
fx_raw_plugin(fx_good_counted good fx.good counted counted.cpp)
fx_plugin(fx_colors_blue good fx.colors blue shape.cpp FX_COLOR_KEY="blue")
if(NOT WIN32)
  file(MAKE_DIRECTORY ${fx_root}/good/fx/colors)
  file(CREATE_LINK ../good/alpha.so ${fx_root}/good/fx/colors/shared_alpha.so SYMBOLIC)
endif()
fx_plugin(fx_unicode_alpha good-ü fx.good alpha shape.cpp FX_SHAPE_KEY="alpha" FX_SHAPE_HELP="good alpha")
fx_plugin(fx_second_alpha second fx.good alpha shape.cpp FX_SHAPE_KEY="alpha" FX_SHAPE_HELP="second alpha")
fx_plugin(fx_second_delta second fx.good delta shape.cpp FX_SHAPE_KEY="delta" FX_SHAPE_HELP="second delta")

# --- bad/ -------------------------------------------------------------------------
set(fx_bad_dir ${fx_root}/bad/fx/bad)
fx_plugin(fx_bad_first bad fx.bad aa_first bad_ok.cpp FX_BAD_KEY="ok_first")
fx_plugin(fx_bad_last bad fx.bad zz_last bad_ok.cpp FX_BAD_KEY="ok_last")
fx_plugin(fx_bad_dup_a bad fx.bad dup_a bad_ok.cpp FX_BAD_KEY="twin")
fx_plugin(fx_bad_dup_b bad fx.bad dup_b bad_ok.cpp FX_BAD_KEY="twin")
fx_plugin(fx_bad_key bad fx.bad bad_key bad_key.cpp)
fx_raw_plugin(fx_bad_newer bad fx.bad newer liar.cpp FX_LIE_VERSION)
fx_raw_plugin(fx_bad_abi bad fx.bad wrong_abi liar.cpp FX_LIE_ABI)
fx_raw_plugin(fx_bad_signature bad fx.bad wrong_signature liar.cpp FX_LIE_SIGNATURE)
fx_raw_plugin(fx_bad_null_entries bad fx.bad null_entries liar.cpp FX_LIE_NULL_ENTRIES)
fx_raw_plugin(fx_bad_null_field bad fx.bad null_field liar.cpp FX_LIE_NULL_FIELD)
fx_raw_plugin(fx_bad_null_descriptor bad fx.bad null_descriptor liar.cpp FX_LIE_NULL_DESCRIPTOR)
fx_raw_plugin(fx_bad_no_entry bad fx.bad no_entry no_entry.cpp)
fx_raw_plugin(fx_lies_count lies fx.bad count liar.cpp FX_LIE_COUNT)
fx_raw_plugin(fx_lies_count_listed lies fx.bad count_listed liar.cpp FX_LIE_COUNT FX_LIE_LISTED)

# missing_dep needs a library the dynamic loader cannot find (as if it had been deleted after
# the build): on POSIX one whose SONAME no file on disk has, on Windows fx_gone.dll, which is
# neither beside the plugin nor beside the program.
add_library(fx_gone SHARED ${fx_sources}/gone.cpp)
if(WIN32)
  set_target_properties(fx_gone PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/fx-gone)
else()
  set_target_properties(fx_gone PROPERTIES NO_SONAME ON LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/fx-gone)
  target_link_options(fx_gone PRIVATE "LINKER:-soname,libfx_never_installed.so")
endif()
fx_plugin(fx_bad_missing_dep bad fx.bad missing_dep missing_dep.cpp)
target_link_libraries(fx_bad_missing_dep PRIVATE fx_gone)

# Files that only look like plugins: written here, a truncated copy of a real plugin, and a
# plugin for another machine: on POSIX a copy whose ELF header names AArch64, on Windows the
# plugin built by Debian's i686 mingw-w64 compiler.
file(MAKE_DIRECTORY ${fx_bad_dir})
file(WRITE ${fx_bad_dir}/empty${fx_suffix} "")
file(WRITE ${fx_bad_dir}/text${fx_suffix} "This is a text file, not a shared library.\n")
set(fx_truncated ${fx_bad_dir}/truncated${fx_suffix})
set(fx_other_arch ${fx_bad_dir}/other_arch${fx_suffix})
if(WIN32)
  find_program(SPECULATORS_MINGW_I686_CXX i686-w64-mingw32-g++-posix REQUIRED)
  get_target_property(fx_json_include nlohmann_json::nlohmann_json INTERFACE_INCLUDE_DIRECTORIES)
  list(TRANSFORM fx_json_include PREPEND -I)
  set(fx_other_arch_command
      ${SPECULATORS_MINGW_I686_CXX} -std=c++20 -shared -DSPECULATORS_PLUGIN -DFX_BAD_KEY="other_arch"
      -I${PROJECT_SOURCE_DIR}/include -I${PROJECT_BINARY_DIR}/include -I${fx_sources} ${fx_json_include}
      -o ${fx_other_arch} ${fx_sources}/bad_ok.cpp ${PROJECT_SOURCE_DIR}/cmake/speculators_plugin_entry.cpp)
else()
  add_executable(fx_set_elf_machine ${fx_sources}/set_elf_machine.cpp)
  target_link_libraries(fx_set_elf_machine PRIVATE speculators_build_flags)
  set(fx_other_arch_command fx_set_elf_machine $<TARGET_FILE:fx_bad_first> ${fx_other_arch} 183)
endif()
add_custom_command(
  OUTPUT ${fx_truncated} ${fx_other_arch}
  COMMAND dd if=$<TARGET_FILE:fx_bad_first> of=${fx_truncated} bs=1000 count=1 status=none
  COMMAND ${fx_other_arch_command}
  DEPENDS fx_bad_first ${fx_sources}/bad_ok.cpp
  COMMENT "Damaged copies of a fixture plugin: truncated, and for another machine"
  COMMAND_EXPAND_LISTS VERBATIM)
add_custom_target(fx_bad_copies DEPENDS ${fx_truncated} ${fx_other_arch})
list(APPEND fx_targets fx_bad_copies)

# --- throws/ ----------------------------------------------------------------------
fx_plugin(fx_throws throws fx.throws throwing throwing.cpp)

# --- the suites in registry_tests ---------------------------------------------------
target_sources(registry_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/plugin_test_support.cpp
  ${CMAKE_CURRENT_LIST_DIR}/plugin_discovery_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/plugin_failure_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/plugin_manifest_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/plugin_lazy_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/plugin_warning_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/plugin_trace_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pe_format_test.cpp)
target_include_directories(registry_tests PRIVATE ${fx_sources} ${CMAKE_CURRENT_LIST_DIR})
target_compile_definitions(registry_tests PRIVATE FX_PLUGIN_SUFFIX="${fx_suffix}"
                           SPECULATORS_TEST_EXAMPLE_PLUGINS=$<TARGET_EXISTS:speculators_demo>)
# The comparison of a manifest with a descriptor is tested on made-up ones too (src/manifest_reader.hpp).
target_include_directories(registry_tests PRIVATE ${PROJECT_SOURCE_DIR})
# --- marked/ and foreign/: code that must not run before its manifest is checked ----
fx_plugin(fx_marked_ok marked fx.marked ok marked.cpp FX_MARKED_KEY="ok")
fx_plugin(fx_marked_foreign foreign fx.marked foreign_tag marked.cpp FX_MARKED_KEY="foreign"
          SPECULATORS_ABI_TAG="libfoo++0/not-this-host")
fx_plugin(fx_marked_exits foreign_exits fx.marked exits marked.cpp FX_MARKED_KEY="exits" FX_MARKED_EXITS
          SPECULATORS_ABI_TAG="libfoo++0/not-this-host")
fx_raw_plugin(fx_marked_manual manual fx.marked manual manual.cpp)
fx_plugin(fx_marked_unlisted unlisted fx.marked unlisted marked.cpp FX_MARKED_KEY="listed" FX_MARKED_UNLISTED)
fx_plugin(fx_marked_swapper swap fx.marked a_swapper marked.cpp FX_MARKED_KEY="swapper" FX_MARKED_SWAPS)
# The same plugin with a GNU property note (control-flow protection), which the linker puts in
# a note segment of its own, 8-byte aligned, before the manifest's: the manifest reader must
# step over it as the dynamic loader does. ELF on x86-64 only (the property is Intel's CET).
if(NOT WIN32 AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  fx_plugin(fx_marked_property property fx.marked property marked.cpp FX_MARKED_KEY="property")
  target_compile_options(fx_marked_property PRIVATE -fcf-protection=full)
  target_link_options(fx_marked_property PRIVATE LINKER:-z,ibt LINKER:-z,shstk)
endif()

# --- lazy/: package fx.lazy, listed from manifests and loaded on first create() ------
fx_plugin(fx_lazy_one lazy fx.lazy one lazy.cpp FX_LAZY_KEY="one")
fx_plugin(fx_lazy_two lazy fx.lazy two lazy.cpp FX_LAZY_KEY="two")
fx_plugin(fx_lazy_broken lazy fx.lazy broken lazy.cpp FX_LAZY_KEY="broken" FX_LAZY_NEEDS_GONE)
target_link_libraries(fx_lazy_broken PRIVATE fx_gone)

# --- what discovery refuses only between files: collide/, twins/, linked/ ----------------
# fx.collide: a.b.so and a/b.so, both module fx.collide.a.b; fx.twins: one.so and two.so,
# both registering key "same"; fx.linked: orig.so and copy.so, a hard link to it.
fx_plugin(fx_collide_dotted collide fx.collide a.b bad_ok.cpp FX_BAD_KEY="dotted")
fx_plugin(fx_collide_nested collide fx.collide a/b bad_ok.cpp FX_BAD_KEY="nested")
fx_plugin(fx_twins_one twins fx.twins one bad_ok.cpp FX_BAD_KEY="same")
fx_plugin(fx_twins_two twins fx.twins two bad_ok.cpp FX_BAD_KEY="same")
fx_plugin(fx_linked_orig linked fx.linked orig bad_ok.cpp FX_BAD_KEY="linked")
add_custom_command(TARGET fx_linked_orig POST_BUILD
                   COMMAND ${CMAKE_COMMAND} -E rm -f ${fx_root}/linked/fx/linked/copy.so
                   COMMAND ${CMAKE_COMMAND} -E create_hardlink $<TARGET_FILE:fx_linked_orig>
                           ${fx_root}/linked/fx/linked/copy.so)

# --- reentry/: package fx.reentry, a plugin whose initializer calls the library ----------
fx_plugin(fx_reentry reentry fx.reentry reentrant reentrant.cpp)
target_link_libraries(fx_reentry PRIVATE speculators::registry ${CMAKE_DL_LIBS})

add_dependencies(registry_tests ${fx_targets})

# --- speculators_link_whole(): a registration-only object of a static library ----------
add_library(fx_link_whole_lib STATIC ${fx_sources}/link_whole_registration.cpp)
target_link_libraries(fx_link_whole_lib PUBLIC speculators::registry)
foreach(mode plain whole)
  add_executable(fx_link_${mode} ${fx_sources}/link_whole_main.cpp)
  target_link_libraries(fx_link_${mode} PRIVATE speculators::registry speculators_build_flags)
endforeach()
target_link_libraries(fx_link_plain PRIVATE fx_link_whole_lib)
speculators_link_whole(fx_link_whole fx_link_whole_lib)
add_test(NAME plugins.link_whole.dropped_without COMMAND fx_link_plain)
set_tests_properties(plugins.link_whole.dropped_without PROPERTIES PASS_REGULAR_EXPRESSION "registered: none\n")
add_test(NAME plugins.link_whole.kept_with COMMAND fx_link_whole)
set_tests_properties(plugins.link_whole.kept_with PROPERTIES PASS_REGULAR_EXPRESSION
                                                             "registered: in_static_library\n")

# --- POSIX-only: what the Windows build cannot make or show (README, "Windows") ---------
if(WIN32)
  return()
endif()

# plugin_security_test.cpp: file modes, and symbolic links and hard links made by the tests.
# plugin_manifest_elf_test.cpp: the manifest in its ELF form.
# where/: a shared library that holds registrations only is linked only by ELF's --no-as-needed
# (a PE program imports a DLL only for a symbol it uses); plugin_where_test.cpp checks the
# same registration line from an executable, a static library, a shared library and a plugin.
set(fx_where_source ${fx_sources}/where.cpp)
fx_plugin(fx_where_plugin where fx.where plugin where.cpp FX_WHERE_KEY="plugin")
# A static library needs no link of its own; whoever links it brings the registry.
add_library(fx_where_static STATIC ${fx_where_source})
target_include_directories(fx_where_static PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_compile_features(fx_where_static PRIVATE cxx_std_20)
target_compile_definitions(fx_where_static PRIVATE FX_WHERE_KEY="static_library")
set_target_properties(fx_where_static PROPERTIES CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
add_library(fx_where_shared SHARED ${fx_where_source})
target_link_libraries(fx_where_shared PRIVATE speculators::registry speculators_build_flags)
target_compile_definitions(fx_where_shared PRIVATE FX_WHERE_KEY="shared_library")
set_target_properties(fx_where_shared PROPERTIES CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)

target_sources(registry_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/plugin_security_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/plugin_manifest_elf_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/plugin_where_test.cpp
  ${fx_where_source})
target_compile_definitions(registry_tests PRIVATE FX_WHERE_KEY="executable"
                           FX_WHERE_EXPECTED="executable,plugin,shared_library,static_library"
                           FX_WHERE_SHARED_FILE="$<TARGET_FILE_NAME:fx_where_shared>")
target_link_libraries(registry_tests PRIVATE fx_where_shared ${CMAKE_DL_LIBS})
# fx_where_shared and fx_where_static hold registrations only: nothing refers to them.
target_link_options(registry_tests PRIVATE "LINKER:--no-as-needed")
speculators_link_whole(registry_tests fx_where_static)
add_dependencies(registry_tests fx_where_plugin)

# --- a host that links the registry statically, built with hidden visibility ----------
# The same sources as the library: the list is read from the library's target.
get_target_property(registry_sources speculators_registry SOURCES)
get_target_property(registry_source_dir speculators_registry SOURCE_DIR)
set(registry_static_sources "")
foreach(source IN LISTS registry_sources)
  cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY ${registry_source_dir})
  list(APPEND registry_static_sources ${source})
endforeach()
get_target_property(registry_definitions speculators_registry COMPILE_DEFINITIONS)
add_library(speculators_registry_static STATIC ${registry_static_sources})
target_include_directories(speculators_registry_static PUBLIC ${PROJECT_SOURCE_DIR}/include)
target_compile_features(speculators_registry_static PUBLIC cxx_std_20)
target_compile_definitions(speculators_registry_static PRIVATE ${registry_definitions})
target_link_libraries(speculators_registry_static PRIVATE speculators_build_flags PUBLIC ${CMAKE_DL_LIBS}
                      nlohmann_json::nlohmann_json)
set_target_properties(speculators_registry_static PROPERTIES CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)

add_executable(registry_static_host_tests ${CMAKE_CURRENT_LIST_DIR}/plugin_test_support.cpp
                                          ${CMAKE_CURRENT_LIST_DIR}/plugin_where_test.cpp ${fx_where_source})
target_include_directories(registry_static_host_tests PRIVATE ${fx_sources} ${CMAKE_CURRENT_LIST_DIR})
target_compile_definitions(registry_static_host_tests PRIVATE
  FX_WHERE_KEY="executable" FX_WHERE_EXPECTED="executable,plugin,static_library"
  SPECULATORS_TEST_PLUGIN_ROOT="${SPECULATORS_TEST_PLUGIN_ROOT}"
  SPECULATORS_TEST_BINARY_DIR="${CMAKE_CURRENT_BINARY_DIR}")
target_link_libraries(registry_static_host_tests PRIVATE speculators_registry_static GTest::gtest_main
                                                         speculators_build_flags)
speculators_link_whole(registry_static_host_tests fx_where_static)
set_target_properties(registry_static_host_tests PROPERTIES CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
add_dependencies(registry_static_host_tests fx_where_plugin)
gtest_discover_tests(registry_static_host_tests TEST_PREFIX "static_host." DISCOVERY_MODE PRE_TEST
                     PROPERTIES ENVIRONMENT "SPECULATORS_PLUGIN_PATH=")

