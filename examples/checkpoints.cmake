# The checkpoint example: reads a speculator checkpoint's config.json and builds its default
# token proposal from the program's own registry.
add_executable(speculators_checkpoint_info ${CMAKE_CURRENT_LIST_DIR}/checkpoints/checkpoint_info.cpp)
target_link_libraries(speculators_checkpoint_info PRIVATE speculators::checkpoints speculators_build_flags)

if(SPECULATORS_BUILD_TESTS)
  # A checkpoint directory holding a real config.json (tests/data/checkpoints/README.md names it).
  set(checkpoint_dir ${CMAKE_CURRENT_BINARY_DIR}/qwen3-moe-speculator.eagle3)
  configure_file(${PROJECT_SOURCE_DIR}/tests/data/checkpoints/eagle3_qwen3_moe.json ${checkpoint_dir}/config.json
                 COPYONLY)
  add_test(NAME examples.checkpoint_info COMMAND speculators_checkpoint_info ${checkpoint_dir})
  set_tests_properties(examples.checkpoint_info PROPERTIES ENVIRONMENT "SPECULATORS_PLUGIN_PATH=" PASS_REGULAR_EXPRESSION
    "model type: +eagle3\nalgorithm: +eagle3\nverifier: +/model/from_s3\ndefault proposal: +greedy, 3 speculative tokens\ndraft layer: +llama, hidden size 4096, draft vocabulary 32000\nproposer: +greedy chains of 3 tokens, accepted within the top 1\n")
  add_test(NAME examples.checkpoint_info_refuses_a_plain_config
           COMMAND speculators_checkpoint_info ${PROJECT_SOURCE_DIR}/tests/data/checkpoints/refused/not_speculators_llama.json)
  set_tests_properties(examples.checkpoint_info_refuses_a_plain_config PROPERTIES ENVIRONMENT "SPECULATORS_PLUGIN_PATH="
    PASS_REGULAR_EXPRESSION "not a speculators config: it has no \"speculators_model_type\"")
endif()
