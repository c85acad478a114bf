# The command-line tool, run as a user runs it, on the example plugins (found on the build
# tree's default search path) and on the fixture plugins of tests/plugins.cmake.
set(cli_tool $<TARGET_FILE:speculators_registry_cli>)
set(cli_fx ${SPECULATORS_TEST_PLUGIN_ROOT})
set(cli_examples ${PROJECT_BINARY_DIR}/plugins/speculators/proposals)

# cli_test(<name> <exit code> ARGS ... [TERMINAL] [ENV ...] [OUTPUT <regex>] [REJECT <regex>] [ABSENT <file>]
#          [JSON <path|value>...])
function(cli_test name code)
  cmake_parse_arguments(PARSE_ARGV 2 arg "TERMINAL" "OUTPUT;REJECT;ABSENT" "ARGS;ENV;JSON")
  set(tool ${cli_tool})
  if(arg_TERMINAL)  # on a pseudo-terminal, through script(1) from Debian's essential bsdutils
    list(JOIN arg_ARGS " " words)
    set(tool script)
    set(arg_ARGS -qec "${cli_tool} ${words}" /dev/null)
  endif()
  # add_test splits arguments at ';': lists travel joined by "^^" and run.cmake splits them.
  list(JOIN arg_ARGS "^^" args)
  list(JOIN arg_JSON "^^" arg_JSON)
  list(PREPEND arg_ENV "SPECULATORS_PLUGIN_PATH=" "NO_COLOR=1")
  list(JOIN arg_ENV "^^" env)
  set(command ${CMAKE_COMMAND} "-DTOOL=${tool}" "-DARGS=${args}" "-DEXPECT_CODE=${code}" "-DENV=${env}")
  foreach(check OUTPUT REJECT ABSENT JSON)
    if(NOT "${arg_${check}}" STREQUAL "")
      list(APPEND command "-D${check}=${arg_${check}}")
    endif()
  endforeach()
  add_test(NAME cli.${name} COMMAND ${command} -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/run.cmake)
endfunction()

# Random bytes in file names, keys and paths, and outputs that cannot be written
# (tests/cli_robustness_test.cpp, in the gtest binary: it runs the tool as a child).
target_sources(registry_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/cli_robustness_test.cpp)
target_compile_definitions(registry_tests PRIVATE SPECULATORS_TEST_TOOL="${cli_tool}"
                                                  SPECULATORS_TEST_EXAMPLE_PLUGIN="${cli_examples}/greedy.so")
add_dependencies(registry_tests speculators_registry_cli greedy sampling)

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
         OUTPUT "descriptor version +1\n.*entries +2\n.*REGISTRY +KEY +TYPE +SIGNATURE +DESCRIPTION\n.*speculators::examples::TokenProposal +greedy ")
cli_test(inspect.json 0 ARGS inspect ${cli_examples}/sampling.so --json
         JSON "descriptor_version|1" "entries|#2" "entries/0/key|sampling" "entries/1/key|sampling"
              "entries/0/registry|speculators::examples::TokenProposalConfig"
              "entries/1/registry|speculators::examples::TokenProposal")
cli_test(inspect.text_file 1 ARGS inspect ${cli_fx}/bad/fx/bad/text.so OUTPUT "refused: .*text.so: is not an ELF file")
cli_test(inspect.other_arch 1 ARGS inspect ${cli_fx}/bad/fx/bad/other_arch.so OUTPUT "built for another architecture")
cli_test(inspect.newer_descriptor 1 ARGS inspect ${cli_fx}/bad/fx/bad/newer.so --load --json
         OUTPUT "\"error\": \"has descriptor version 99, this host reads versions 1 to 1. rebuild the plugin"
         JSON "file|${cli_fx}/bad/fx/bad/newer.so")

cli_test(inspect.without_manifest 0 ARGS inspect ${cli_fx}/manual/fx/marked/manual.so
         OUTPUT "read from +its manifest \\(not loaded\\).*no manifest: its classes are known only once loaded")
# A program, or a library that is no plugin (neither manifest nor entry point), is refused
# in one sentence, without being loaded.
cli_test(inspect.a_program 1 ARGS inspect ${cli_tool}
         OUTPUT "refused: .*speculators-registry: has no entry point speculators_plugin_descriptor\\(\\) and no manifest: it is not a speculators plugin")
cli_test(inspect.a_library_that_is_no_plugin 1 ARGS inspect $<TARGET_FILE:speculators_registry> --json
         JSON "error|has no entry point speculators_plugin_descriptor() and no manifest: it is not a speculators plugin but a program or another library. Build plugins with speculators_add_plugin()")
# Without a manifest, the descriptor's fields are unknown: not shown as 0 or "".
cli_test(inspect.without_manifest_absent_fields 0 ARGS inspect ${cli_fx}/manual/fx/marked/manual.so
         REJECT "descriptor version|abi tag|compiler" OUTPUT "entries +0")
cli_test(inspect.without_manifest_json 0 ARGS inspect ${cli_fx}/manual/fx/marked/manual.so --json
         JSON "has_manifest|OFF" "descriptor_version|" "abi_tag|" "compiler|" "entries|#0")
cli_test(inspect.without_manifest_loaded 0 ARGS inspect ${cli_fx}/manual/fx/marked/manual.so --load
         OUTPUT "read from +its descriptor \\(loaded\\).*fx::Marked +manual ")

# Text output escapes the control characters of manifest texts: a description cannot forge a
# row or send terminal sequences (ESC, CR, and the C1 control CSI as UTF-8 writes it): each
# is matched in its escaped form, and "[31m" must follow the escaped ESC (\x1b), never a raw
# one (a '[' of its own would upset CMake's lists, hence the '.').
fx_plugin(cli_forged forged fx.marked forged marked.cpp FX_MARKED_KEY="forged" FX_MARKED_FORGES)
add_dependencies(registry_tests cli_forged)
cli_test(list.escapes_manifest_texts 0 ARGS list fx.marked --plugin-path ${cli_fx}/forged
         OUTPUT "fx.marked.forged +fx::Marked +forged +[^\n]*MarkedImpl +forged\\\\n\\\\x1b.31mfx.marked.evil  fx::Marked  evil\\\\x1b.0m\\\\r\\\\xc2\\\\x9b2J +/"
         REJECT "[^b].31mfx")
cli_test(inspect.escapes_manifest_texts 0 ARGS inspect ${cli_fx}/forged/fx/marked/forged.so
         OUTPUT "forged\\\\n\\\\x1b" REJECT "[^b].31mfx")

# list and inspect read manifests: no plugin code runs (the fixture's initializer would write
# the marker file).
set(cli_marker ${CMAKE_CURRENT_BINARY_DIR}/cli-marker)
cli_test(list.runs_no_plugin_code 0 ARGS list --plugin-path ${cli_fx}/marked --plugin-path ${cli_fx}/foreign
         ENV "SPECULATORS_TEST_MARKER=${cli_marker}" ABSENT ${cli_marker}
         OUTPUT "fx.marked.foreign_tag +fx::Marked +foreign .*fx.marked.ok +fx::Marked +ok ")
cli_test(inspect.runs_no_plugin_code 0 ARGS inspect ${cli_fx}/marked/fx/marked/ok.so
         ENV "SPECULATORS_TEST_MARKER=${cli_marker}" ABSENT ${cli_marker})

# A directory of 1,000 such plugins: copies of the marked fixture, each with its own key,
# written once at build time by tests/support/make_fleet.cpp (compiling them would take
# half an hour). Listing them all loads none.
include(${CMAKE_CURRENT_LIST_DIR}/support/fleet.cmake)
set(cli_fleet_root ${CMAKE_CURRENT_BINARY_DIR}/cli-fleet)
speculators_add_plugin(cli_fleet_template PACKAGE fx.template SOURCES ${CMAKE_CURRENT_LIST_DIR}/plugins/marked.cpp
                       OUTPUT_ROOT ${CMAKE_CURRENT_BINARY_DIR}/cli-fleet-template NO_INSTALL)
target_include_directories(cli_fleet_template PRIVATE ${CMAKE_CURRENT_LIST_DIR}/plugins)
target_compile_definitions(cli_fleet_template PRIVATE FX_MARKED_KEY="fleet_000000")
target_compile_options(cli_fleet_template PRIVATE -g0)  # no debug information copied 1,000 times
speculators_fleet(cli_fleet TEMPLATE cli_fleet_template ROOT ${cli_fleet_root} PACKAGE fx.fleet COUNT 1000)
add_dependencies(registry_tests cli_fleet)
cli_test(list.fleet_of_1000_runs_no_plugin_code 0 ARGS list fx.fleet --json --plugin-path ${cli_fleet_root}
         ENV "SPECULATORS_TEST_MARKER=${cli_marker}" ABSENT ${cli_marker}
         JSON "modules|#1000" "refused|#0" "modules/0/module|fx.fleet.fleet_000000" "modules/0/entries|#1"
              "modules/0/entries/0/key|fleet_000000" "modules/0/entries/0/registry|fx::Marked"
              "modules/537/entries/0/key|fleet_000537" "modules/999/module|fx.fleet.fleet_000999"
              "modules/999/entries/0/key|fleet_000999")
# The generator refuses a template it cannot rewrite into valid copies: one without the
# placeholder, and one holding it in a dynamic symbol name (here a symbol version name,
# GLIBC_2.2.5), whose hash would go stale.
set(fleet_refused ${CMAKE_CURRENT_BINARY_DIR}/fleet-refused)
add_test(NAME fleet.refuses_template_without_placeholder
         COMMAND speculators_make_fleet $<TARGET_FILE:fx_marked_ok> ${fleet_refused} fx.refused 2)
set_tests_properties(fleet.refuses_template_without_placeholder PROPERTIES
                     PASS_REGULAR_EXPRESSION "placeholder \"fleet_000000\" not found in .*ok.so")
add_test(NAME fleet.refuses_placeholder_in_dynamic_symbols
         COMMAND speculators_make_fleet $<TARGET_FILE:fx_marked_ok> ${fleet_refused} fx.refused 2 GLIBC_2)
set_tests_properties(fleet.refuses_placeholder_in_dynamic_symbols PROPERTIES
                     PASS_REGULAR_EXPRESSION "placeholder \"GLIBC_2\" is part of a dynamic symbol name")

# schema and validate load only the plugins whose manifest names the registry: the test
# root also holds a plugin that aborts the process when loaded.
set(cli_config_registry cfgtest::TokenProposalConfig)
cli_test(schema.from_plugin 0 ARGS schema ${cli_config_registry} --plugin-path ${cli_fx}
         JSON "$schema|https://json-schema.org/draft/2020-12/schema" "title|${cli_config_registry}"
              "$defs/cfgtest__TokenProposalConfig/oneOf|#1")
cli_test(schema.unknown_registry 1 ARGS schema cfgtest::Nope --plugin-path ${cli_fx}
         OUTPUT "no registry \"cfgtest::Nope\" is known.*Known registries: .*\"cfgtest::TokenProposalConfig\"")
# A registry may be named without its namespace where that is unambiguous; the examples, the
# checkpoint formats and the test plugins each have a TokenProposalConfig.
cli_test(validate.unqualified 0 ARGS validate SpeculatorModelConfig
                                     ${CMAKE_CURRENT_SOURCE_DIR}/data/checkpoints/eagle3_qwen3_moe.json
         JSON "speculators_model_type|eagle3")
cli_test(validate.partly_qualified 0 ARGS validate examples::TokenProposalConfig
                                          ${PROJECT_SOURCE_DIR}/examples/configs/greedy.json
         JSON "proposal_type|greedy")
cli_test(schema.partly_qualified 0 ARGS schema examples::TokenProposalConfig
         JSON "title|speculators::examples::TokenProposalConfig")
cli_test(schema.ambiguous 1 ARGS schema TokenProposalConfig --plugin-path ${cli_fx}
         OUTPUT "registry name \"TokenProposalConfig\" is ambiguous. Did you mean \"cfgtest::TokenProposalConfig\", \"speculators::checkpoints::TokenProposalConfig\", \"speculators::examples::TokenProposalConfig\"\\?")
cli_test(schema.misspelt 1 ARGS schema TokenProposalConfg
         OUTPUT "no registry \"TokenProposalConfg\".* Did you mean [^?]*\"speculators::examples::TokenProposalConfig\"\\?")
cli_test(validate.good 0 ARGS validate ${cli_config_registry} ${CMAKE_CURRENT_SOURCE_DIR}/cli/typical_good.json
                                    --plugin-path ${cli_fx}
         JSON "proposal_type|typical" "typical_mass|0.5" "fallback|")  # filled in: null reads as ""
cli_test(validate.bad 1 ARGS validate ${cli_config_registry} ${CMAKE_CURRENT_SOURCE_DIR}/cli/typical_bad.json
                                   --plugin-path ${cli_fx}
         OUTPUT "invalid: .*typical_bad.json\n  /colour: unknown field.*\n  /typical_mass: must be <= 1, got 2")
cli_test(validate.bad_json 1 ARGS validate ${cli_config_registry} ${CMAKE_CURRENT_SOURCE_DIR}/cli/typical_bad.json
                                        --json --plugin-path ${cli_fx}
         JSON "valid|OFF" "problems|#2" "problems/0/pointer|/colour" "problems/1/pointer|/typical_mass")
cli_test(validate.not_json 1 ARGS validate ${cli_config_registry} ${CMAKE_CURRENT_SOURCE_DIR}/cli.cmake
         OUTPUT "not JSON")
cli_test(validate.number_overflow 1 ARGS validate ${cli_config_registry} ${CMAKE_CURRENT_SOURCE_DIR}/cli/overflow.json
         OUTPUT "invalid: .*overflow.json\n  /typical_mass: number overflow parsing '1e400'\n$")
cli_test(validate.duplicate_key 1 ARGS validate ${cli_config_registry} ${CMAKE_CURRENT_SOURCE_DIR}/cli/duplicate_key.json
                                         --json
         JSON "valid|OFF" "problems|#1" "problems/0/pointer|/typical_mass" "problem_count|1")
cli_test(validate.directory 1 ARGS validate ${cli_config_registry} ${CMAKE_CURRENT_SOURCE_DIR}/cli
         OUTPUT "cannot read .*/tests/cli: Is a directory")
cli_test(validate.missing_file 1 ARGS validate ${cli_config_registry} ${CMAKE_CURRENT_SOURCE_DIR}/cli/none.json
         OUTPUT "cannot read .*/none.json: No such file or directory")

# doctor
cli_test(doctor.clean 0 ARGS doctor OUTPUT "plugin search path.*\n  1\\. .*\\[program\\].*\\[build tree\\] exists\n.*no problems found")
cli_test(doctor.relative_entry 1 ARGS doctor ENV "SPECULATORS_PLUGIN_PATH=relative/dir"
         OUTPUT "ignored: SPECULATORS_PLUGIN_PATH entry \"relative/dir\" is ignored")
cli_test(doctor.bad_plugins 1 ARGS doctor --json --plugin-path ${cli_fx}/bad
         JSON "healthy|OFF" "search_path/0/source|add_plugin_directory")
cli_test(doctor.bad_plugins_text 1 ARGS doctor --plugin-path ${cli_fx}/bad
         OUTPUT "failed: .*truncated.so: is a truncated ELF file.*problems found")
# What discovery refuses only between files: two files named as one module, two plugins
# registering one key, a hard link to a plugin (each said "no problems found").
set(cli_collide ${cli_fx}/collide/fx/collide)
cli_test(doctor.one_module_two_files 1 ARGS doctor --plugin-path ${cli_fx}/collide
         OUTPUT "refused: ${cli_collide}/a.b.so: is module fx.collide.a.b, and so is ${cli_collide}/a/b.so.*problems found")
cli_test(doctor.one_key_two_plugins 1 ARGS doctor --plugin-path ${cli_fx}/twins
         OUTPUT "failed: [^\n]*/two.so: registers key \"same\" in registry fx::Bad, as [^\n]*/one.so does.*problems found")
# the trace: where each file was found and what became of it, as SPECULATORS_DEBUG_PLUGINS=1 writes it
cli_test(doctor.trace 0 ARGS doctor
         OUTPUT "trace .*\n  search  [^\n]*/plugins: 2 files named like plugins, in search-path entry [^\n]* \\(build tree\\)\n.*  found   [^\n]*/greedy.so: module speculators.proposals.greedy\n.*  check   [^\n]*/greedy.so: manifest read: 2 classes \\([0-9]+ us\\)")
cli_test(doctor.trace_json 1 ARGS doctor --json --plugin-path ${cli_fx}/bad
         JSON "trace/0/step|search" "trace/0/path|${cli_fx}/bad")
cli_test(doctor.hard_link 1 ARGS doctor --plugin-path ${cli_fx}/linked
         OUTPUT "failed: [^\n]*/orig.so: is a hard link to [^\n]*/copy.so.*problems found")

# colour: only on a terminal, never with NO_COLOR, never in JSON
cli_test(colour.on_terminal 0 TERMINAL ARGS list ENV "NO_COLOR=" OUTPUT "[[]1mMODULE")
cli_test(colour.not_piped 0 ARGS list ENV "NO_COLOR=" REJECT "[[]1m")
cli_test(colour.no_color 0 TERMINAL ARGS list ENV "NO_COLOR=1" REJECT "[[]1m" OUTPUT "MODULE")
cli_test(colour.not_in_json 0 TERMINAL ARGS list --json ENV "NO_COLOR=" REJECT "[[]1m" OUTPUT "\"modules\"")

# usage
cli_test(usage.no_verb 2 OUTPUT "A subcommand is required")
cli_test(usage.unknown_option 2 ARGS list --frobnicate)
cli_test(usage.inspect_without_file 2 ARGS inspect OUTPUT "FILE is required")
foreach(verb list inspect schema validate doctor)
  cli_test(help.${verb} 0 ARGS ${verb} --help OUTPUT "Usage: speculators-registry ${verb}.*Example: .*speculators-registry ${verb}")
endforeach()

# The speculator checkpoint formats, which the tool links: no plugin path, no flag, and the
# registry named as a user would.
set(cli_checkpoint_registry SpeculatorModelConfig)
set(cli_checkpoints ${CMAKE_CURRENT_SOURCE_DIR}/data/checkpoints)
cli_test(validate.checkpoint 0 ARGS validate ${cli_checkpoint_registry} ${cli_checkpoints}/eagle3_qwen3_moe.json
         JSON "speculators_model_type|eagle3" "dtype|bfloat16" "norm_before_fc|ON"
              "speculators_config/proposal_methods/0/speculative_tokens|3" "transformer_layer_config/model_type|llama")
cli_test(validate.checkpoint_refused 1 ARGS validate ${cli_checkpoint_registry}
                                       ${cli_checkpoints}/refused/zero_speculative_tokens.json
         OUTPUT "invalid: .*zero_speculative_tokens.json\n  /speculators_config/proposal_methods/0/speculative_tokens: must be >= 1, got 0")
cli_test(validate.checkpoint_not_speculators 1 ARGS validate ${cli_checkpoint_registry}
                                               ${cli_checkpoints}/refused/not_speculators_llama.json
         OUTPUT "/speculators_model_type: missing; expected one of \"eagle3\", \"peagle\", \"dflash\", \"dspark\", \"mtp\"")
cli_test(schema.checkpoint 0 ARGS schema ${cli_checkpoint_registry}
         JSON "title|speculators::checkpoints::SpeculatorModelConfig"
              "$defs/speculators__checkpoints__SpeculatorModelConfig/oneOf|#8"
              "$defs/speculators__checkpoints__SpeculatorModelConfig.eagle3/additionalProperties|ON")

# The program's own plugin places, searched only where nobody else can have made them.
add_test(NAME cli.program_places_owned_only
         COMMAND ${CMAKE_COMMAND} -DTOOL=$<TARGET_FILE:speculators_registry_cli>
                 -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/cli-program-places
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/program_places.cmake)
