# Runs the demo (under EMULATOR when cross-built) and checks its exit code and output, with
# Windows line ends made '\n':
#   cmake -DDEMO=<exe> -DARG=<config.json | name | empty> -DEXPECT_CODE=<n> -DEXPECT_OUTPUT=<regex>
#         [-DEMULATOR=<program;args...>] -P run_demo.cmake
execute_process(COMMAND ${EMULATOR} ${DEMO} ${ARG} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REPLACE "\r\n" "\n" out "${out}")
string(REPLACE "\r\n" "\n" err "${err}")
message("${out}${err}")
if(NOT code STREQUAL EXPECT_CODE)
  message(FATAL_ERROR "speculators_demo ${ARG} exited with ${code}, expected ${EXPECT_CODE}")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECT_OUTPUT}")
  message(FATAL_ERROR "speculators_demo ${ARG}: output does not match '${EXPECT_OUTPUT}'")
endif()
