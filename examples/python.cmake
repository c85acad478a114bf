# The TokenProposal example in Python: the module speculators_examples binds the base, and
# python/demo.py registers a method written in Python that the module's C++ code builds by
# name next to the plugins' methods.
if(NOT SPECULATORS_PYTHON_MODULE_DIR)
  return()
endif()
speculators_python_module(speculators_examples speculators_examples ${CMAKE_CURRENT_LIST_DIR}/python/proposals_module.cpp)
add_dependencies(speculators_examples greedy sampling)

if(SPECULATORS_BUILD_TESTS)
  add_test(NAME examples.python_demo COMMAND Python3::Interpreter ${CMAKE_CURRENT_LIST_DIR}/python/demo.py)
  set(origin "[^\n]*/speculators/proposals/")
  set_tests_properties(examples.python_demo PROPERTIES
    ENVIRONMENT "PYTHONPATH=${SPECULATORS_PYTHON_MODULE_DIR};SPECULATORS_PLUGIN_PATH="
    PASS_REGULAR_EXPRESSION "config: {'proposal_type': 'greedy', 'speculative_tokens': 3, 'verifier_accept_k': 1}\ngreedy: \\[[0-9]+, [0-9]+, [0-9]+\\]\nrepeat_last: \\[2003, 2003, 2003\\]\nproposal methods:\n  repeat_last  +repeats the last token of the context \\(Python\\)  \\([^\n]*examples/python/demo.py\\)\n  greedy  [^\n]*${origin}greedy.so\\)\n  sampling  [^\n]*${origin}sampling.so\\)\n"
    FAIL_REGULAR_EXPRESSION "Traceback")
endif()
