# Packaging: the consumer project of tests/consumer is built against an install of this
# build in a temporary prefix (find_package), and again through add_subdirectory().
add_test(NAME packaging.find_package
         COMMAND ${CMAKE_COMMAND}
                 -DBUILD_DIR=${PROJECT_BINARY_DIR} -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/packaging-find-package
                 -DCONSUMER_DIR=${CMAKE_CURRENT_SOURCE_DIR}/consumer -DMODE=find_package
                 -DCXX=${CMAKE_CXX_COMPILER} -DGENERATOR=${CMAKE_GENERATOR}
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/consumer/check.cmake)
add_test(NAME packaging.add_subdirectory
         COMMAND ${CMAKE_COMMAND}
                 -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/packaging-add-subdirectory
                 -DCONSUMER_DIR=${CMAKE_CURRENT_SOURCE_DIR}/consumer -DMODE=add_subdirectory
                 -DCXX=${CMAKE_CXX_COMPILER} -DGENERATOR=${CMAKE_GENERATOR}
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/consumer/check.cmake)
set_tests_properties(packaging.find_package packaging.add_subdirectory PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE)
