# Packaging: the consumer project of tests/consumer built as a user would: against an install
# of this build in a temporary prefix that is then moved (find_package, pkg-config), through
# add_subdirectory(), and through FetchContent from this clone. scripts/test also builds the
# Debian packages and runs the same check against them installed (MODE=system).
foreach(mode find_package add_subdirectory fetchcontent)
  add_test(NAME packaging.${mode}
           COMMAND ${CMAKE_COMMAND}
                   -DBUILD_DIR=${PROJECT_BINARY_DIR} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/packaging-${mode}
                   -DCONSUMER_DIR=${CMAKE_CURRENT_SOURCE_DIR}/consumer -DMODE=${mode} -DVERSION=${PROJECT_VERSION}
                   -DCXX=${CMAKE_CXX_COMPILER} -DGENERATOR=${CMAKE_GENERATOR}
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/consumer/check.cmake)
  set_tests_properties(packaging.${mode} PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE)
endforeach()
