# Builds and runs the consumer project as a user would, and fails unless its program, run with
# a clean environment (no LD_LIBRARY_PATH, no SPECULATORS_PLUGIN_PATH), prints the library's
# version and both voices, the plugin's from the consumer's own plugin file, found with no setup.
#   MODE=find_package     installs BUILD_DIR into a prefix, checks the installed tool (version,
#                         example plugins), moves the whole prefix and checks it again; then
#                         the consumer against the moved prefix: a too-new version refused,
#                         find_package and pkg-config builds, run from the build tree and installed
#   MODE=system           the same against the system's install (the Debian packages)
#   MODE=add_subdirectory the consumer with SOURCE_DIR as a subdirectory
#   MODE=fetchcontent     the consumer fetching a clone of SOURCE_DIR at its HEAD commit
cmake_minimum_required(VERSION 3.25)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

function(expect_match text regex what)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "${what}: expected to match\n  ${regex}\ngot:\n${text}")
  endif()
endfunction()

find_program(ENV_PROGRAM env REQUIRED)
set(clean_env ${ENV_PROGRAM} -i)

# The consumer's program, run with a clean environment: the version, the program's own voice,
# and the plugin's from `plugin_dir`.
function(check_consumer program plugin_dir)
  run(${clean_env} ${program})
  expect_match("${last_output}" "^speculators-registry ${VERSION}\nplain [^\n]+ hello\n" "${program}")
  expect_match("${last_output}" "\nshouting ${plugin_dir}/consumer/voices/shouting\\.so HELLO!\n" "${program}")
  message(STATUS "${program} printed:\n${last_output}")
endfunction()

# The installed tool of `prefix`, run with a clean environment: its version, the checkpoint
# formats it links, and the example plugins of that prefix found by its install default (the
# output of `list` is left in last_output).
function(check_installed_tool tool plugins)
  run(${clean_env} ${tool} --version)
  expect_match("${last_output}" "^speculators-registry ${VERSION}\n$" "${tool} --version")
  # The checkpoint formats the tool links, by their unqualified name.
  run(${clean_env} ${tool} validate SpeculatorModelConfig ${CONSUMER_DIR}/../data/checkpoints/eagle3_qwen3_moe.json)
  expect_match("${last_output}" "\"speculators_model_type\": \"eagle3\"" "${tool} validate SpeculatorModelConfig")
  run(${clean_env} ${tool} list)
  expect_match("${last_output}" "speculators\\.proposals\\.greedy [^\n]* ${plugins}/speculators/proposals/greedy\\.so\n"
               "${tool} list")
  set(last_output "${last_output}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(consumer_build ${WORK_DIR}/build)
set(configure_args -S ${CONSUMER_DIR} -B ${consumer_build} -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX})

if(MODE STREQUAL "find_package" OR MODE STREQUAL "system")
  if(MODE STREQUAL "find_package")
    set(installed ${WORK_DIR}/installed)
    run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${installed})
    foreach(file include/speculators/registry.hpp include/speculators/version.hpp
                 lib/cmake/speculators_registry/speculators_registryConfig.cmake lib/pkgconfig/speculators_registry.pc)
      if(NOT EXISTS ${installed}/${file})
        message(FATAL_ERROR "install is missing ${file}")
      endif()
    endforeach()
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
  run(${CXX} -std=c++20 -I${CONSUMER_DIR} ${CONSUMER_DIR}/main.cpp -o ${consumer_build}/consumer-pkg-config ${pc_flags}
      -Wl,-rpath,${pc_libdir})
  check_consumer(${consumer_build}/consumer-pkg-config ${consumer_build}/plugins)

  # Installed: the program finds its plugin in its own prefix; the plugin is installed there,
  # not at the file system's root, although the project did not include GNUInstallDirs.
  set(consumer_prefix ${WORK_DIR}/consumer-prefix)
  run(${CMAKE_COMMAND} --install ${consumer_build} --prefix ${consumer_prefix})
  if(NOT EXISTS ${consumer_prefix}/lib/speculators/plugins/consumer/voices/shouting.so)
    file(GLOB_RECURSE found RELATIVE ${consumer_prefix} ${consumer_prefix}/*)
    message(FATAL_ERROR "the consumer's plugin is not in <prefix>/lib/speculators/plugins; installed: ${found}")
  endif()
  check_consumer(${consumer_prefix}/bin/consumer ${consumer_prefix}/lib/speculators/plugins)
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
