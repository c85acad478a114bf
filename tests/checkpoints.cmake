# Speculator checkpoints: the suite, a plugin adding a model type, and the JSON Schema check of
# the real checkpoint configs with ajv (tests/data/checkpoints).
target_sources(registry_tests PRIVATE checkpoints_test.cpp)
target_link_libraries(registry_tests PRIVATE speculators::checkpoints)

# A model type the component does not know, in the package its discovery searches. Built like
# every plugin, with no link to the library: the component's headers only.
speculators_add_plugin(checkpoint_model_plugin PACKAGE speculators.models SOURCES plugins/checkpoint_model.cpp
                       OUTPUT_ROOT "${SPECULATORS_TEST_PLUGIN_ROOT}/checkpoints" NO_INSTALL)
target_include_directories(checkpoint_model_plugin PRIVATE
                           $<TARGET_PROPERTY:speculators::checkpoints,INTERFACE_INCLUDE_DIRECTORIES>)
target_link_libraries(checkpoint_model_plugin PRIVATE speculators_build_flags)
add_dependencies(registry_tests checkpoint_model_plugin)

add_test(NAME checkpoints.json_schema_validates_real_configs
         COMMAND "${CMAKE_COMMAND}"
                 -D "NPM=${SPECULATORS_NPM}"
                 -D "DUMP=$<TARGET_FILE:speculators_registry_cli>"
                 -D "DUMP_ARGS=schema;speculators::checkpoints::SpeculatorModelConfig"
                 -D "PACKAGE_DIR=${CMAKE_CURRENT_SOURCE_DIR}/schema"
                 -D "WORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/schema-checkpoints"
                 -D "GOOD_DIR=${CMAKE_CURRENT_SOURCE_DIR}/data/checkpoints"
                 -D "BAD_DIR=${CMAKE_CURRENT_SOURCE_DIR}/data/checkpoints/refused"
                 -P "${CMAKE_CURRENT_SOURCE_DIR}/schema/validate.cmake")
set_tests_properties(checkpoints.json_schema_validates_real_configs PROPERTIES
                     ENVIRONMENT "SPECULATORS_PLUGIN_PATH=" TIMEOUT 300)
