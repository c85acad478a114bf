# The TokenProposal example: two plugins of package speculators.proposals, each holding a
# proposal method and its config class, and a demo program that finds them at run time and
# builds a method from a JSON config (configs/*.json). The plugins land in
# <build>/plugins/speculators/proposals/, where the demo of the same build finds them without
# installing; install() puts both in the prefix, where the installed demo finds the installed plugins.
set(proposals_dir ${CMAKE_CURRENT_LIST_DIR}/proposals)

foreach(proposal greedy sampling)
  speculators_add_plugin(${proposal} PACKAGE speculators.proposals SOURCES ${proposals_dir}/${proposal}.cpp
                         COMPONENT tool)
  # Warnings as for the rest of the project; not the sanitizers, whose runtime a plugin linked
  # with --no-undefined cannot name (the host program holds it).
  if(NOT SPECULATORS_SANITIZE)
    target_link_libraries(${proposal} PRIVATE speculators_build_flags)
  endif()
endforeach()

add_executable(speculators_demo ${proposals_dir}/demo.cpp)
target_link_libraries(speculators_demo PRIVATE speculators::registry speculators_build_flags)
# Not linked, but built with the demo, so that building the demo is enough to run it.
add_dependencies(speculators_demo greedy sampling)
if(SPECULATORS_INSTALL)
  set_target_properties(speculators_demo PROPERTIES INSTALL_RPATH "${SPECULATORS_PROGRAM_RPATH}")
  install(TARGETS speculators_demo RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tool)
endif()

if(SPECULATORS_BUILD_TESTS)
  set(configs_dir ${CMAKE_CURRENT_LIST_DIR}/configs)
  # demo_test(<name> <argument> <exit code> <output regex>); an empty argument runs the demo without one.
  function(demo_test name arg code regex)
    add_test(NAME examples.demo.${name}
             COMMAND ${CMAKE_COMMAND} -DDEMO=$<TARGET_FILE:speculators_demo> -DARG=${arg} -DEXPECT_CODE=${code}
                     "-DEXPECT_OUTPUT=${regex}" "-DEMULATOR=${CMAKE_CROSSCOMPILING_EMULATOR}"
                     -P ${proposals_dir}/run_demo.cmake)
    set_tests_properties(examples.demo.${name} PROPERTIES ENVIRONMENT "SPECULATORS_PLUGIN_PATH=")
  endfunction()
  # The plugins' file names are the platform's (greedy.so, greedy.dll).
  set(greedy_so "\\(.*/speculators/proposals/$<TARGET_FILE_NAME:greedy>\\)")
  set(sampling_so "\\(.*/speculators/proposals/$<TARGET_FILE_NAME:sampling>\\)")
  set(listed "available proposals:\n  greedy  the most likely next token[^\n]*$<TARGET_FILE_NAME:greedy>\\)\n  sampling  draws from ")
  demo_test(list "" 0 "usage: .*${listed}")
  # A config file: its values are used, the fields it leaves out take their defaults.
  demo_test(greedy_json ${configs_dir}/greedy.json 0
            "proposal: greedy ${greedy_so}\nconfig: {\"proposal_type\":\"greedy\",\"speculative_tokens\":5,\"verifier_accept_k\":1}\n.*proposed:( [0-9]+)( [0-9]+)( [0-9]+)( [0-9]+)( [0-9]+)\n")
  demo_test(sampling_json ${configs_dir}/sampling.json 0
            "proposal: sampling ${sampling_so}\nconfig: {[^\n]*\"seed\":1234,\"speculative_tokens\":4,\"stop_tokens\":\\[\"</s>\"\\],\"temperature\":0.7,\"tie_break\":\"lowest_id\",\"top_p\":0.95}\n.*proposed:( [0-9]+)( [0-9]+)?( [0-9]+)?( [0-9]+)?\n")
  # A name: the config {"proposal_type": NAME}, every field at its default.
  demo_test(greedy greedy 0 "proposal: greedy ${greedy_so}\nconfig: {[^\n]*\"speculative_tokens\":5.*proposed:( [0-9]+)( [0-9]+)( [0-9]+)( [0-9]+)( [0-9]+)\n")
  demo_test(sampling sampling 0 "proposal: sampling ${sampling_so}\nconfig: {[^\n]*\"seed\":0,\"speculative_tokens\":5,\"stop_tokens\":\\[\\],\"temperature\":1.0,\"tie_break\":\"lowest_id\",\"top_p\":1.0}\n.*proposed:( [0-9]+)( [0-9]+)( [0-9]+)( [0-9]+)( [0-9]+)\n")
  # Failures: every problem of a config with its JSON pointer; unknown names with the known ones.
  demo_test(bad_config ${configs_dir}/bad/several_problems.json 1
            "bad config .*several_problems.json:\n  /stop_token: unknown field[^\n]*\n  /speculative_tokens: must be >= 1, got 0\n  /temperature: expected a number, got string\n  /top_p: must be <= 1, got 1.5\n  /stop_tokens/1: [^\n]*\n  /tie_break: [^\n]*\"random\"[^\n]*\n${listed}")
  demo_test(unknown_json ${configs_dir}/bad/unknown_proposal.json 1 "  /proposal_type: [^\n]*\"beam\".*${listed}")
  demo_test(beam beam 1 "  /proposal_type: [^\n]*\"beam\".*${listed}")
  demo_test(missing_file ${configs_dir}/no_such_config.json 1 "cannot read .*no_such_config.json")

  # The example configs against the schema of the example plugins' config classes.
  find_program(SPECULATORS_NPM npm)
  add_executable(speculators_example_schema ${proposals_dir}/schema.cpp)
  target_link_libraries(speculators_example_schema PRIVATE speculators::registry speculators_build_flags)
  add_dependencies(speculators_example_schema greedy sampling)
  add_test(NAME examples.json_schema_validates_configs
           COMMAND "${CMAKE_COMMAND}"
                   -D "NPM=${SPECULATORS_NPM}"
                   -D "DUMP=$<TARGET_FILE:speculators_example_schema>"
                   -D "EMULATOR=${CMAKE_CROSSCOMPILING_EMULATOR}"
                   -D "PACKAGE_DIR=${PROJECT_SOURCE_DIR}/tests/schema"
                   -D "WORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/schema"
                   -D "GOOD_DIR=${configs_dir}"
                   -D "BAD_DIR=${configs_dir}/bad"
                   -P "${PROJECT_SOURCE_DIR}/tests/schema/validate.cmake")
  set_tests_properties(examples.json_schema_validates_configs PROPERTIES ENVIRONMENT "SPECULATORS_PLUGIN_PATH="
                                                                         TIMEOUT 300)
endif()
