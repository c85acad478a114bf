# Builds and runs the consumer project as a user would, and fails unless its program, run with
# a clean environment (no LD_LIBRARY_PATH, no SPECULATORS_PLUGIN_PATH), prints the library's
# version and all three voices: the program's own, the one of its static library linked whole,
# and the plugin's from the consumer's own plugin file, found with no setup.
#   MODE=find_package     installs BUILD_DIR into a prefix, checks the installed tool (version,
#                         example plugins), moves the whole prefix and checks it again; then
#                         the consumer against the moved prefix: a too-new version refused,
#                         find_package and pkg-config builds, run from the build tree and installed
#   MODE=system           the same against the system's install (the Debian packages)
#   MODE=add_subdirectory the consumer with SOURCE_DIR as a subdirectory
#   MODE=fetchcontent     the consumer fetching a clone of SOURCE_DIR at its HEAD commit
#   MODE=cross            BUILD_DIR is a cross build (Windows): installs it into a prefix and
#                         checks the installed tool under EMULATOR; then the consumer
#                         cross-built with TOOLCHAIN against that prefix (find_package), run
#                         under EMULATOR from its build tree and installed. Paths as the
#                         programs print them start with DRIVE (wine's Z: for the Unix root).
# PLUGIN_SUFFIX is the plugin files' (.so, .dll).
cmake_minimum_required(VERSION 3.25)

# Runs a command; fails unless it succeeds. Its output, with Windows line ends made '\n', is
# left in last_output.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  string(REPLACE "\r\n" "\n" out "${out}")
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

function(expect_match text regex what)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "${what}: expected to match\n  ${regex}\ngot:\n${text}")
  endif()
endfunction()

if(NOT PLUGIN_SUFFIX)
  set(PLUGIN_SUFFIX .so)
endif()
string(REPLACE "." "\\." so "${PLUGIN_SUFFIX}")
find_program(ENV_PROGRAM env REQUIRED)
set(clean_env ${ENV_PROGRAM} -i)
# Windows programs are named .exe and find their DLLs beside them or on their path: the
# library's, in the bin/ of its prefix, through wine's WINEPATH (set once the prefix is known).
set(exe "")
set(windows_path "")
if(MODE STREQUAL "cross")
  set(exe .exe)
endif()

# `program` (without its .exe), run with a clean environment, under the emulator if any.
function(run_program program)
  run(${clean_env} ${windows_path} ${EMULATOR} ${program}${exe} ${ARGN})
  set(last_output "${last_output}" PARENT_SCOPE)
endfunction()

# The consumer's program: the version, the program's own voice, the static library's, and the
# plugin's from `plugin_dir`.
function(check_consumer program plugin_dir)
  run_program(${program})
  expect_match("${last_output}" "^speculators-registry ${VERSION}\n" "${program}")
  expect_match("${last_output}" "\nplain [^\n]+ hello\n" "${program}")
  expect_match("${last_output}" "\nshouting ${DRIVE}${plugin_dir}/consumer/voices/shouting${so} HELLO!\n" "${program}")
  expect_match("${last_output}" "\nwhispering [^\n]+ \\.\\.\\.hello\\.\\.\\.\n" "${program}")
  message(STATUS "${program} printed:\n${last_output}")
endfunction()

# The installed tool of `prefix`, run with a clean environment: its version, the checkpoint
# formats it links, and the example plugins of that prefix found by its install default (the
# output of `list` is left in last_output).
function(check_installed_tool tool plugins)
  run_program(${tool} --version)
  expect_match("${last_output}" "^speculators-registry ${VERSION}\n$" "${tool} --version")
  # The checkpoint formats the tool links, by their unqualified name.
  run_program(${tool} validate SpeculatorModelConfig ${DRIVE}${CONSUMER_DIR}/../data/checkpoints/eagle3_qwen3_moe.json)
  expect_match("${last_output}" "\"speculators_model_type\": \"eagle3\"" "${tool} validate SpeculatorModelConfig")
  run_program(${tool} list)
  expect_match("${last_output}" "speculators\\.proposals\\.greedy [^\n]* ${DRIVE}${plugins}/speculators/proposals/greedy${so}\n"
               "${tool} list")
  set(last_output "${last_output}" PARENT_SCOPE)
endfunction()

# BUILD_DIR installed into `prefix`, with the files a user builds against.
function(install_build prefix)
  run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
  foreach(file include/speculators/registry.hpp include/speculators/version.hpp
               lib/cmake/speculators_registry/speculators_registryConfig.cmake lib/pkgconfig/speculators_registry.pc)
    if(NOT EXISTS ${prefix}/${file})
      message(FATAL_ERROR "install is missing ${file}")
    endif()
  endforeach()
endfunction()

# The consumer installed: the program finds its plugin in its own prefix; the plugin is
# installed there, not at the file system's root, although the project did not include
# GNUInstallDirs.
function(check_installed_consumer)
  set(consumer_prefix ${WORK_DIR}/consumer-prefix)
  run(${CMAKE_COMMAND} --install ${consumer_build} --prefix ${consumer_prefix})
  if(NOT EXISTS ${consumer_prefix}/lib/speculators/plugins/consumer/voices/shouting${PLUGIN_SUFFIX})
    file(GLOB_RECURSE found RELATIVE ${consumer_prefix} ${consumer_prefix}/*)
    message(FATAL_ERROR "the consumer's plugin is not in <prefix>/lib/speculators/plugins; installed: ${found}")
  endif()
  check_consumer(${consumer_prefix}/bin/consumer ${consumer_prefix}/lib/speculators/plugins)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(consumer_build ${WORK_DIR}/build)
set(configure_args -S ${CONSUMER_DIR} -B ${consumer_build} -G ${GENERATOR})

if(MODE STREQUAL "cross")
  set(prefix ${WORK_DIR}/installed)
  install_build(${prefix})
  string(REPLACE "/" "\\" prefix_windows "${DRIVE}${prefix}/bin")
  set(windows_path WINEPATH=${prefix_windows})
  check_installed_tool(${prefix}/bin/speculators-registry ${prefix}/lib/speculators/plugins)
  run(${CMAKE_COMMAND} ${configure_args} --toolchain ${TOOLCHAIN} -DCMAKE_PREFIX_PATH=${prefix})
  run(${CMAKE_COMMAND} --build ${consumer_build} -j2)
  check_consumer(${consumer_build}/consumer ${consumer_build}/plugins)
  check_installed_consumer()
  return()
endif()

list(APPEND configure_args -DCMAKE_CXX_COMPILER=${CXX})
if(MODE STREQUAL "find_package" OR MODE STREQUAL "system")
  if(MODE STREQUAL "find_package")
    set(installed ${WORK_DIR}/installed)
    install_build(${installed})
    check_installed_tool(${installed}/bin/speculators-registry ${installed}/lib/speculators/plugins)
    # The whole prefix moved elsewhere: the tool finds the moved plugins, and the consumer
    # builds against the moved CMake package and pkg-config file.
    set(prefix ${WORK_DIR}/moved)
    file(RENAME ${installed} ${prefix})
    check_installed_tool(${prefix}/bin/speculators-registry ${prefix}/lib/speculators/plugins)
    if(last_output MATCHES "${installed}/")
      message(FATAL_ERROR "the moved tool still lists the old prefix:\n${last_output}")
    endif()
    list(APPEND configure_args -DCMAKE_PREFIX_PATH=${prefix})
    set(pc_env ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/lib/pkgconfig)
  else()
    find_program(TOOL speculators-registry REQUIRED)
    run(${TOOL} list)
    string(REGEX MATCH "[^ \n]+/speculators/proposals/greedy\\.so" greedy "${last_output}")
    string(REGEX REPLACE "/speculators/proposals/greedy\\.so$" "" plugins "${greedy}")
    check_installed_tool(${TOOL} "${plugins}")
    set(pc_env ${CMAKE_COMMAND} -E env)
  endif()

  # A version the package is not compatible with is refused, naming both.
  execute_process(COMMAND ${CMAKE_COMMAND} ${configure_args} -DSPECULATORS_VERSION_WANTED=1.0
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0)
    message(FATAL_ERROR "find_package(speculators_registry 1.0) was accepted by version ${VERSION}")
  endif()
  expect_match("${err}" "compatible with requested version \"1\\.0\".*${VERSION}" "find_package 1.0")
  file(REMOVE_RECURSE ${consumer_build})

  run(${CMAKE_COMMAND} ${configure_args})
  run(${CMAKE_COMMAND} --build ${consumer_build} -j2)
  check_consumer(${consumer_build}/consumer ${consumer_build}/plugins)

  # pkg-config gives the version and a working compile line (with the library's directory as
  # the program's run path, as a user's build would set it).
  find_program(PKG_CONFIG pkg-config REQUIRED)
  run(${pc_env} ${PKG_CONFIG} --modversion speculators_registry)
  expect_match("${last_output}" "^${VERSION}\n$" "pkg-config --modversion")
  run(${pc_env} ${PKG_CONFIG} --cflags --libs speculators_registry)
  separate_arguments(pc_flags UNIX_COMMAND "${last_output}")
  run(${pc_env} ${PKG_CONFIG} --variable=libdir speculators_registry)
  string(STRIP "${last_output}" pc_libdir)
  run(${CXX} -std=c++20 -I${CONSUMER_DIR} ${CONSUMER_DIR}/main.cpp ${CONSUMER_DIR}/whispering.cpp
      -o ${consumer_build}/consumer-pkg-config ${pc_flags}
      -Wl,-rpath,${pc_libdir})
  check_consumer(${consumer_build}/consumer-pkg-config ${consumer_build}/plugins)

  check_installed_consumer()
  return()
endif()

if(MODE STREQUAL "fetchcontent")
  run(git -C ${SOURCE_DIR} rev-parse HEAD)
  string(STRIP "${last_output}" head)
  list(APPEND configure_args -DSPECULATORS_GIT_REPOSITORY=${SOURCE_DIR} -DSPECULATORS_GIT_TAG=${head})
else()
  # Optimized, as a consumer's release build compiles the library.
  list(APPEND configure_args -DSPECULATORS_SOURCE_DIR=${SOURCE_DIR} -DCMAKE_BUILD_TYPE=Release)
endif()

run(${CMAKE_COMMAND} ${configure_args})
run(${CMAKE_COMMAND} --build ${consumer_build} -j2)

check_consumer(${consumer_build}/consumer ${consumer_build}/plugins)
