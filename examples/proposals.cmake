# The TokenProposal example: two plugins of package speculators.proposals and a demo program
# that finds them at run time. The plugins land in <build>/plugins/speculators/proposals/,
# where the demo of the same build finds them without installing; install() puts both in the
# prefix, where the installed demo finds the installed plugins.
set(proposals_dir ${CMAKE_CURRENT_LIST_DIR}/proposals)

foreach(proposal greedy sampling)
  speculators_add_plugin(${proposal} PACKAGE speculators.proposals SOURCES ${proposals_dir}/${proposal}.cpp)
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
  set_target_properties(speculators_demo PROPERTIES INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  install(TARGETS speculators_demo RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

if(SPECULATORS_BUILD_TESTS)
  # demo_test(<argument> <exit code> <output regex>)
  function(demo_test arg code regex)
    add_test(NAME examples.demo.${arg}
             COMMAND ${CMAKE_COMMAND} -DDEMO=$<TARGET_FILE:speculators_demo> -DARG=${arg} -DEXPECT_CODE=${code}
                     "-DEXPECT_OUTPUT=${regex}" -P ${proposals_dir}/run_demo.cmake)
    set_tests_properties(examples.demo.${arg} PROPERTIES ENVIRONMENT "SPECULATORS_PLUGIN_PATH=")
  endfunction()
  set(five_tokens "proposed:( [0-9]+)( [0-9]+)( [0-9]+)( [0-9]+)( [0-9]+)\n")
  demo_test(greedy 0 "proposal: greedy \\(.*/speculators/proposals/greedy.so\\).*${five_tokens}")
  demo_test(sampling 0 "proposal: sampling \\(.*/speculators/proposals/sampling.so\\).*${five_tokens}")
  demo_test(beam 1 "unknown proposal \"beam\".*available proposals:\n  greedy .*\n  sampling ")
endif()
