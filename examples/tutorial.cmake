# The header's tutorial as a program; the test checks what it prints.
add_executable(speculators_tutorial ${CMAKE_CURRENT_LIST_DIR}/tutorial.cpp)
target_link_libraries(speculators_tutorial PRIVATE speculators::registry speculators_build_flags)

if(SPECULATORS_BUILD_TESTS)
  add_test(NAME example.tutorial COMMAND speculators_tutorial)
  # Each line of the output, in order.
  set_tests_properties(example.tutorial PROPERTIES PASS_REGULAR_EXPRESSION
    "create\\(\"custom_name\"\\)->run\\(\\) = 2\nAlgorithm registry: Concrete=Concrete custom_name=Another Third=Third fourth=Fourth\ncreate\\(\"greedy\", 5, \"text\"\\) = Greedy\\(5, \"text\"\\) \\(picks the most likely token\\)\nunknown key \"forth\": [^\n]*Did you mean \"fourth\"\\?")
endif()
