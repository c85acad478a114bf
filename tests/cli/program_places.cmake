# A program's own places are on its search path only where nobody but its user or root can
# have made them: the tool copied into a directory that others may write (as /tmp) does not
# search that directory's plugins/; copied into one that only its owner may write, it does.
# Usage: cmake -DTOOL=<tool> -DWORK_DIR=<dir> -P program_places.cmake
file(REMOVE_RECURSE ${WORK_DIR})
foreach(mode 755 777)
  set(bin ${WORK_DIR}/mode${mode}/bin)
  file(MAKE_DIRECTORY ${bin}/plugins)
  file(COPY ${TOOL} DESTINATION ${bin})
  execute_process(COMMAND chmod ${mode} ${bin} COMMAND_ERROR_IS_FATAL ANY)
  get_filename_component(tool_name ${TOOL} NAME)
  execute_process(COMMAND env -i ${bin}/${tool_name} doctor OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(FIND "${out}" "${bin}/plugins  [program]" at)
  if(mode STREQUAL "755" AND at EQUAL -1)
    message(FATAL_ERROR "the tool in ${bin} (mode 755) does not search ${bin}/plugins:\n${out}${err}")
  elseif(mode STREQUAL "777" AND NOT at EQUAL -1)
    message(FATAL_ERROR "the tool in ${bin} (mode 777, writable by others) searches ${bin}/plugins:\n${out}")
  endif()
endforeach()
execute_process(COMMAND chmod 755 ${WORK_DIR}/mode777/bin)
message(STATUS "the program's plugins/ is searched in a directory of mode 755, not of mode 777")
