# Builds and runs the consumer project; fails unless it prints both voices, the plugin's
# from its own file. MODE=find_package installs BUILD_DIR into a fresh prefix first.
cmake_minimum_required(VERSION 3.25)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(consumer_build ${WORK_DIR}/build)
set(configure_args -S ${CONSUMER_DIR} -B ${consumer_build} -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX})

if(MODE STREQUAL "find_package")
  set(prefix ${WORK_DIR}/prefix)
  run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
  foreach(installed include/speculators/registry.hpp lib/cmake/speculators_registry/speculators_registryConfig.cmake
                    lib/pkgconfig/speculators_registry.pc)
    if(NOT EXISTS ${prefix}/${installed})
      message(FATAL_ERROR "install is missing ${installed}")
    endif()
  endforeach()
  list(APPEND configure_args -DCMAKE_PREFIX_PATH=${prefix})
  set(run_env ${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${prefix}/lib SPECULATORS_PLUGIN_PATH=)
  # pkg-config gives a working compile line too.
  find_program(PKG_CONFIG pkg-config)
  if(PKG_CONFIG)
    execute_process(COMMAND ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/lib/pkgconfig
                            ${PKG_CONFIG} --cflags --libs speculators_registry
                    OUTPUT_VARIABLE pc_flags RESULT_VARIABLE pc_rc OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT pc_rc EQUAL 0 OR NOT pc_flags MATCHES "-lspeculators_registry")
      message(FATAL_ERROR "pkg-config gave '${pc_flags}' (${pc_rc})")
    endif()
  endif()
else()
  # Optimized, so that the library's first discovery prefetches its own code (below).
  list(APPEND configure_args -DSPECULATORS_SOURCE_DIR=${SOURCE_DIR} -DCMAKE_BUILD_TYPE=Release)
  set(run_env ${CMAKE_COMMAND} -E env SPECULATORS_PLUGIN_PATH=)
endif()

run(${CMAKE_COMMAND} ${configure_args})
run(${CMAKE_COMMAND} --build ${consumer_build} -j2)

# GCC, optimizing, places the code a first discovery runs in .text.hot, and a linker that
# takes src/first_call.ld gathers it between two symbols: the range the library prefetches
# is there and not empty (the consumer's run below goes through the prefetch).
if(MODE STREQUAL "add_subdirectory")
  file(STRINGS ${consumer_build}/CMakeCache.txt gathered REGEX "^SPECULATORS_LINKER_TAKES_FIRST_CALL_SCRIPT:")
  file(STRINGS ${consumer_build}/CMakeCache.txt compiler REGEX "^CMAKE_CXX_COMPILER_ID:")
  file(GLOB_RECURSE library ${consumer_build}/libspeculators_registry.so.*.*.*)
  if(gathered MATCHES "=1$" AND NOT compiler MATCHES "Clang")
    find_program(NM nm REQUIRED)
    run(${NM} ${library})
    string(REGEX MATCH "([0-9a-f]+) [tT] speculators_first_call_begin" begin_line "${last_output}")
    set(begin 0x${CMAKE_MATCH_1})
    string(REGEX MATCH "([0-9a-f]+) [tT] speculators_first_call_end" end_line "${last_output}")
    set(end 0x${CMAKE_MATCH_1})
    if(NOT begin_line OR NOT end_line)
      message(FATAL_ERROR "${library} has no first-call range (speculators_first_call_begin/end)")
    endif()
    math(EXPR range_size "${end} - ${begin}")
    if(range_size LESS 4096)
      message(FATAL_ERROR "${library}: the first-call range holds ${range_size} bytes, expected the code of a discovery")
    endif()
    message(STATUS "first-call range of ${library}: ${range_size} bytes")
  endif()
endif()
run(${run_env} ${consumer_build}/consumer)
if(NOT last_output MATCHES "plain consumer hello\n" OR NOT last_output MATCHES "shouting shouting.so HELLO!\n")
  message(FATAL_ERROR "unexpected consumer output:\n${last_output}")
endif()
message(STATUS "consumer (${MODE}) printed:\n${last_output}")
