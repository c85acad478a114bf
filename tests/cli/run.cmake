# Runs the speculators-registry tool once and checks what a script would rely on.
#   -DTOOL=<binary> -DARGS=<list joined by ^^> [-DENV=<VAR=value list joined by ^^>] -DEXPECT_CODE=<n>
#   [-DOUTPUT=<regex on stdout+stderr>] [-DREJECT=<regex that must not match>]
#   [-DABSENT=<file that must not exist afterwards>]
#   [-DJSON=<list of "path|expected" joined by ^^>]: stdout is parsed as JSON; each path is a
#   "/"-separated list of members and indexes (e.g. modules/0/entries/0/key), or "path|#n" for
#   the length of an array.
cmake_minimum_required(VERSION 3.25)

foreach(list_var ARGS ENV JSON)
  string(REPLACE "^^" ";" ${list_var} "${${list_var}}")
endforeach()

if(DEFINED ABSENT)
  file(REMOVE ${ABSENT})
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env ${ENV} ${TOOL} ${ARGS}
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "speculators-registry ${ARGS} -> ${code}\n--- stdout\n${out}--- stderr\n${err}")
if(NOT code STREQUAL EXPECT_CODE)
  message(FATAL_ERROR "exit code ${code}, expected ${EXPECT_CODE}")
endif()
if(DEFINED OUTPUT AND NOT "${out}${err}" MATCHES "${OUTPUT}")
  message(FATAL_ERROR "output does not match: ${OUTPUT}")
endif()
if(DEFINED REJECT AND "${out}${err}" MATCHES "${REJECT}")
  message(FATAL_ERROR "output matches what it must not: ${REJECT}")
endif()
if(DEFINED ABSENT AND EXISTS ${ABSENT})
  message(FATAL_ERROR "${ABSENT} was written: plugin code ran")
endif()
foreach(check IN LISTS JSON)
  string(REPLACE "|" ";" parts "${check}")
  list(GET parts 0 path)
  list(GET parts 1 expected)
  string(REPLACE "/" ";" members "${path}")
  if(expected MATCHES "^#([0-9]+)$")
    string(JSON actual ERROR_VARIABLE json_error LENGTH "${out}" ${members})
    set(expected "${CMAKE_MATCH_1}")
  else()
    string(JSON actual ERROR_VARIABLE json_error GET "${out}" ${members})
  endif()
  if(json_error)
    message(FATAL_ERROR "JSON ${path}: ${json_error}")
  endif()
  if(NOT actual STREQUAL expected)
    message(FATAL_ERROR "JSON ${path} is '${actual}', expected '${expected}'")
  endif()
endforeach()
