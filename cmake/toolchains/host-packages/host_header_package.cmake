# speculators_host_header_package(<target> <host include dir> <subdirectory>): an imported
# header-only target whose include directory holds only <subdirectory> of the host's
# (a link made in the build directory), so that the cross compiler sees no other host header.
function(speculators_host_header_package target host_include subdirectory)
  if(TARGET ${target})
    return()
  endif()
  if(NOT IS_DIRECTORY ${host_include}/${subdirectory})
    message(FATAL_ERROR "${target}: ${host_include}/${subdirectory} not found (install the host's -dev package)")
  endif()
  set(only ${CMAKE_BINARY_DIR}/host-headers/${subdirectory})
  if(NOT EXISTS ${only}/${subdirectory})
    file(MAKE_DIRECTORY ${only})
    file(CREATE_LINK ${host_include}/${subdirectory} ${only}/${subdirectory} SYMBOLIC)
  endif()
  add_library(${target} INTERFACE IMPORTED)
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${only})
endfunction()
