# Config registries: the gtest suites, a plugin holding a config class, and the JSON Schema
# check with a real validator (ajv, installed from tests/schema/package-lock.json).
target_sources(registry_tests PRIVATE config_types.cpp config_test.cpp config_errors_test.cpp)

speculators_add_plugin(config_plugin PACKAGE cfgtest.proposals SOURCES config_plugin.cpp
                       OUTPUT_ROOT "${SPECULATORS_TEST_PLUGIN_ROOT}" NO_INSTALL)
target_include_directories(config_plugin PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}")
target_link_libraries(config_plugin PRIVATE speculators_build_flags)
add_dependencies(registry_tests config_plugin)

# Prints the schema of the test configs; the schema test validates the examples against it.
add_executable(config_schema_dump config_schema_dump.cpp config_types.cpp)
target_link_libraries(config_schema_dump PRIVATE speculators::registry speculators_build_flags)

find_program(SPECULATORS_NPM npm)
add_test(NAME config.json_schema_validates_examples
         COMMAND "${CMAKE_COMMAND}"
                 -D "NPM=${SPECULATORS_NPM}"
                 -D "DUMP=$<TARGET_FILE:config_schema_dump>"
                 -D "PACKAGE_DIR=${CMAKE_CURRENT_SOURCE_DIR}/schema"
                 -D "WORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/schema"
                 -D "GOOD_DIR=${PROJECT_SOURCE_DIR}/examples/configs"
                 -D "BAD_DIR=${CMAKE_CURRENT_SOURCE_DIR}/schema/bad"
                 -P "${CMAKE_CURRENT_SOURCE_DIR}/schema/validate.cmake")
set_tests_properties(config.json_schema_validates_examples PROPERTIES ENVIRONMENT "SPECULATORS_PLUGIN_PATH=" TIMEOUT 300)
