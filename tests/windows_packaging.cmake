# Packaging, cross-built: the consumer project of tests/consumer built against an install of
# this Windows build with the same toolchain file, as a user who cross-builds would
# (find_package, speculators_add_plugin(), speculators_link_whole()), and its programs run
# under the emulator (consumer/check.cmake, MODE=cross).
if(CMAKE_CROSSCOMPILING AND CMAKE_CROSSCOMPILING_EMULATOR)
  # A relative toolchain file is CMake's from the build directory, else from the source directory.
  file(REAL_PATH "${CMAKE_TOOLCHAIN_FILE}" packaging_toolchain BASE_DIRECTORY "${CMAKE_BINARY_DIR}")
  if(NOT EXISTS "${packaging_toolchain}")
    file(REAL_PATH "${CMAKE_TOOLCHAIN_FILE}" packaging_toolchain BASE_DIRECTORY "${CMAKE_SOURCE_DIR}")
  endif()
  add_test(NAME packaging.cross_find_package
           COMMAND ${CMAKE_COMMAND}
                   -DBUILD_DIR=${PROJECT_BINARY_DIR} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/packaging-cross
                   -DCONSUMER_DIR=${CMAKE_CURRENT_SOURCE_DIR}/consumer -DMODE=cross -DVERSION=${PROJECT_VERSION}
                   -DGENERATOR=${CMAKE_GENERATOR} -DTOOLCHAIN=${packaging_toolchain}
                   "-DEMULATOR=${CMAKE_CROSSCOMPILING_EMULATOR}" -DDRIVE=${SPECULATORS_EMULATED_ROOT} -DPLUGIN_SUFFIX=.dll
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/consumer/check.cmake)
  set_tests_properties(packaging.cross_find_package PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE)
endif()
