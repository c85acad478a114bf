# Checks the configs' JSON Schema with a real validator: installs ajv from package-lock.json
# (npm ci), dumps the schema, then every good example must validate and every bad one must
# be rejected. A missing npm or an unreachable registry fails the test: it never skips.
#
# The dump program runs under EMULATOR when it is cross-built (the schema a Windows build emits,
# validated by the host's node).
#
# cmake -D NPM=<npm> -D DUMP=<program> [-D DUMP_ARGS=<arg;...>] [-D EMULATOR=<program;args...>]
#       -D PACKAGE_DIR=<dir> -D WORK_DIR=<dir> -D GOOD_DIR=<dir> -D BAD_DIR=<dir> -P validate.cmake
foreach(var NPM DUMP PACKAGE_DIR WORK_DIR GOOD_DIR BAD_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "validate.cmake: ${var} is not set (npm missing? node and npm are installed by scripts/install)")
  endif()
endforeach()

file(MAKE_DIRECTORY "${WORK_DIR}")
set(ajv "${WORK_DIR}/node_modules/.bin/ajv")
file(READ "${PACKAGE_DIR}/package-lock.json" wanted_lock)
set(installed_lock "")
if(EXISTS "${WORK_DIR}/installed-lock.json" AND EXISTS "${ajv}")
  file(READ "${WORK_DIR}/installed-lock.json" installed_lock)
endif()
# npm ci takes seconds; do it again only when the lock file changed.
if(NOT installed_lock STREQUAL wanted_lock)
  file(COPY "${PACKAGE_DIR}/package.json" "${PACKAGE_DIR}/package-lock.json" DESTINATION "${WORK_DIR}")
  execute_process(COMMAND "${NPM}" ci --prefix "${WORK_DIR}" --no-audit --no-fund
                  RESULT_VARIABLE npm_result OUTPUT_VARIABLE npm_output ERROR_VARIABLE npm_output)
  if(NOT npm_result EQUAL 0)
    message(FATAL_ERROR "npm ci failed (${npm_result}); the schema check needs ajv from the npm registry:\n${npm_output}")
  endif()
  file(WRITE "${WORK_DIR}/installed-lock.json" "${wanted_lock}")
endif()

execute_process(COMMAND ${EMULATOR} "${DUMP}" ${DUMP_ARGS} OUTPUT_FILE "${WORK_DIR}/schema.json" RESULT_VARIABLE dump_result
                ERROR_VARIABLE dump_error)
if(NOT dump_result EQUAL 0)
  message(FATAL_ERROR "${DUMP} failed (${dump_result}): ${dump_error}")
endif()

file(GLOB good "${GOOD_DIR}/*.json")
file(GLOB bad "${BAD_DIR}/*.json")
if(NOT good OR NOT bad)
  message(FATAL_ERROR "no examples found: good=[${good}] bad=[${bad}]")
endif()

# One ajv run over every file (node starts once); it prints "<file> valid" or "<file> invalid" for each.
set(data_args "")
foreach(file IN LISTS good bad)
  list(APPEND data_args -d "${file}")
endforeach()
execute_process(COMMAND "${ajv}" validate --spec=draft2020 --strict=true --all-errors --errors=line -c ajv-formats
                        -s "${WORK_DIR}/schema.json" ${data_args}
                WORKING_DIRECTORY "${WORK_DIR}" OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(output MATCHES "schema .* is invalid|strict mode|error: ")
  message(FATAL_ERROR "ajv refused the schema itself:\n${output}")
endif()
string(REPLACE "\n" ";" lines "${output}")

set(failures "")
foreach(expectation IN ITEMS valid invalid)
  if(expectation STREQUAL "valid")
    set(files ${good})
  else()
    set(files ${bad})
  endif()
  foreach(file IN LISTS files)
    list(FIND lines "${file} ${expectation}" found)
    if(found EQUAL -1)
      string(APPEND failures "${file} should be ${expectation}\n")
    else()
      message(STATUS "${file}: ${expectation}, as expected")
    endif()
  endforeach()
endforeach()
if(failures)
  message(FATAL_ERROR "${failures}ajv said:\n${output}")
endif()
