# Compiles one snippet with -fsyntax-only and checks the outcome:
#  - a snippet with a line "// expect: <sentence>" must fail to compile, with a static_assert
#    whose message holds <sentence>;
#  - a snippet without one must compile (the control: the include path and flags work).
# Usage: cmake -DCXX=<compiler> -DINCLUDE_DIR=<dir> -DSOURCE=<file.cpp> -P check.cmake
foreach(var CXX INCLUDE_DIR SOURCE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check.cmake: ${var} is not set")
  endif()
endforeach()

file(STRINGS "${SOURCE}" expect_line REGEX "^// expect: ")
execute_process(COMMAND "${CXX}" -std=c++20 -fsyntax-only "-I${INCLUDE_DIR}" "${SOURCE}"
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)

if(NOT expect_line)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${SOURCE} must compile, but:\n${output}")
  endif()
  return()
endif()

string(REGEX REPLACE "^// expect: " "" expected "${expect_line}")
if(result EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but must fail with: ${expected}")
endif()
# g++: "static assertion failed: <message>"; clang++ 14: "static_assert failed ... \"<message>\"".
if(NOT output MATCHES "static.assert(ion)? failed")
  message(FATAL_ERROR "${SOURCE} failed without a static_assert:\n${output}")
endif()
string(FIND "${output}" "${expected}" found)
if(found EQUAL -1)
  message(FATAL_ERROR "${SOURCE} failed, but not with \"${expected}\":\n${output}")
endif()
