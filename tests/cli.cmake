# The command-line tool, run as a user runs it, on the example plugins (found on the build
# tree's default search path) and on the fixture plugins of tests/plugins.cmake.
set(cli_tool $<TARGET_FILE:speculators_registry_cli>)
set(cli_fx ${SPECULATORS_TEST_PLUGIN_ROOT})
set(cli_examples ${PROJECT_BINARY_DIR}/plugins/speculators/proposals)

# cli_test(<name> <exit code> ARGS ... [ENV ...] [OUTPUT <regex>] [REJECT <regex>] [JSON <path|value>...])
function(cli_test name code)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "OUTPUT;REJECT" "ARGS;ENV;JSON")
  # add_test splits arguments at ';': lists travel joined by "^^" and run.cmake splits them.
  list(JOIN arg_ARGS "^^" args)
  list(JOIN arg_JSON "^^" json)
  list(PREPEND arg_ENV "SPECULATORS_PLUGIN_PATH=" "NO_COLOR=1")
  list(JOIN arg_ENV "^^" env)
  set(command ${CMAKE_COMMAND} "-DTOOL=${cli_tool}" "-DARGS=${args}" "-DEXPECT_CODE=${code}" "-DENV=${env}")
  if(DEFINED arg_OUTPUT)
    list(APPEND command "-DEXPECT_OUTPUT=${arg_OUTPUT}")
  endif()
  if(DEFINED arg_REJECT)
    list(APPEND command "-DREJECT_OUTPUT=${arg_REJECT}")
  endif()
  if(DEFINED arg_JSON)
    list(APPEND command "-DJSON_CHECKS=${json}")
  endif()
  add_test(NAME cli.${name} COMMAND ${command} -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/run.cmake)
endfunction()

# list
cli_test(list.examples 0 ARGS list
         OUTPUT "MODULE +REGISTRY +KEY +TYPE +DESCRIPTION +FILE\nspeculators.proposals.greedy +[^ ]+ +greedy .*\nspeculators.proposals.sampling +[^ ]+ +sampling ")
cli_test(list.json 0 ARGS list speculators.proposals --json
         JSON "modules|#2" "modules/0/module|speculators.proposals.greedy" "modules/0/entries/0/key|greedy"
              "modules/1/entries/0/key|sampling" "refused|#0")
cli_test(list.bad_package 1 ARGS list fx.bad --plugin-path ${cli_fx}/bad
         OUTPUT "fx.bad.aa_first .*ok_first.*fx.bad.truncated .*refused: is a truncated ELF file.*fx.bad.zz_last .*ok_last")
cli_test(list.bad_package_json 1 ARGS list fx.bad --json --plugin-path ${cli_fx}/bad
         JSON "modules/0/module|fx.bad.aa_first" "modules/0/entries/0/key|ok_first")
cli_test(list.nothing 0 ARGS list no.such.package OUTPUT "no plugin modules found")

# inspect
cli_test(inspect.good 0 ARGS inspect ${cli_examples}/greedy.so
         OUTPUT "descriptor version +1\n.*entries +1\n.*REGISTRY +KEY +TYPE +SIGNATURE +DESCRIPTION\n[^ ]+ +greedy ")
cli_test(inspect.json 0 ARGS inspect ${cli_examples}/sampling.so --json
         JSON "descriptor_version|1" "entries|#1" "entries/0/key|sampling")
cli_test(inspect.text_file 1 ARGS inspect ${cli_fx}/bad/fx/bad/text.so OUTPUT "refused: .*text.so: is not an ELF file")
cli_test(inspect.other_arch 1 ARGS inspect ${cli_fx}/bad/fx/bad/other_arch.so OUTPUT "built for another architecture")
cli_test(inspect.newer_descriptor 1 ARGS inspect ${cli_fx}/bad/fx/bad/newer.so --json
         OUTPUT "\"error\": \"has descriptor version 99, this host reads versions 1 to 1. rebuild the plugin"
         JSON "file|${cli_fx}/bad/fx/bad/newer.so")

# doctor
cli_test(doctor.clean 0 ARGS doctor OUTPUT "plugin search path.*\n  1\\. .*\\[install\\].*\\[build tree\\] exists\n.*no problems found")
cli_test(doctor.relative_entry 1 ARGS doctor ENV "SPECULATORS_PLUGIN_PATH=relative/dir"
         OUTPUT "ignored: SPECULATORS_PLUGIN_PATH entry \"relative/dir\" is ignored")
cli_test(doctor.bad_plugins 1 ARGS doctor --json --plugin-path ${cli_fx}/bad
         JSON "healthy|OFF" "search_path/0/source|add_plugin_directory")
cli_test(doctor.bad_plugins_text 1 ARGS doctor --plugin-path ${cli_fx}/bad
         OUTPUT "failed: .*truncated.so: is a truncated ELF file.*problems found")

# usage
cli_test(usage.no_verb 2 OUTPUT "A subcommand is required")
cli_test(usage.unknown_option 2 ARGS list --frobnicate)
cli_test(usage.inspect_without_file 2 ARGS inspect OUTPUT "FILE is required")
foreach(verb list inspect doctor)
  cli_test(help.${verb} 0 ARGS ${verb} --help OUTPUT "Usage: speculators-registry ${verb}.*Example: .*speculators-registry ${verb}")
endforeach()
