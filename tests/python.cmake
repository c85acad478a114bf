# The pytest suite of the Python module: one CTest test per file, each in its own interpreter.
# A file that collects no test fails (pytest's exit code 5), as a missing pytest does.
if(NOT SPECULATORS_PYTHON_MODULE_DIR)
  return()
endif()

speculators_python_module(speculators_registry_testing speculators_registry_testing
                          ${CMAKE_CURRENT_LIST_DIR}/python/testing_module.cpp)

file(GLOB python_tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/python/test_*.py)
foreach(file ${python_tests})
  get_filename_component(name ${file} NAME_WE)
  if(name STREQUAL "test_plugins" AND NOT TARGET greedy)
    continue()  # it uses the example plugins
  endif()
  add_test(NAME python.${name}
           COMMAND Python3::Interpreter -m pytest -q -p no:cacheprovider ${file}
           WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(python.${name} PROPERTIES
                       ENVIRONMENT "PYTHONPATH=${SPECULATORS_PYTHON_MODULE_DIR};SPECULATORS_PLUGIN_PATH="
                       TIMEOUT 120)
endforeach()
