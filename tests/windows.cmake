# What only the Windows test build has (cmake/toolchains/mingw-w64-x86_64.cmake, run under
# wine): the Windows forms of the search path (windows_plugin_test.cpp), and the command-line
# tool listing the example plugins built for Windows. The plugin suites and their fixtures are
# the POSIX build's (plugins.cmake).
target_sources(registry_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/windows_plugin_test.cpp)

if(TARGET speculators_registry_cli AND TARGET greedy)
  add_test(NAME windows.tool.lists_example_plugins COMMAND speculators_registry_cli list)
  set_tests_properties(windows.tool.lists_example_plugins PROPERTIES
    ENVIRONMENT "SPECULATORS_PLUGIN_PATH=${SPECULATORS_EMULATED_ROOT}${PROJECT_BINARY_DIR}/plugins"
    PASS_REGULAR_EXPRESSION "speculators\\.proposals\\.greedy +speculators::examples::TokenProposal +greedy"
    TIMEOUT 120)
endif()
