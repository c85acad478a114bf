# speculators_add_plugin(<target> PACKAGE <dotted.name> SOURCES <src>... [OUTPUT_ROOT <dir>]
#                        [NO_INSTALL] [COMPONENT <install component>])
#
# Builds a plugin: a shared module exporting only the descriptor entry point, compiled with
# SPECULATORS_PLUGIN so that its SPECULATORS_REGISTER lines fill the descriptor. The file is
# <OUTPUT_ROOT>/a/b/<target>.so for package a.b (<target>.dll on Windows). OUTPUT_ROOT defaults to
# SPECULATORS_PLUGIN_OUTPUT_ROOT if set, else <dir>/plugins where <dir> is
# CMAKE_RUNTIME_OUTPUT_DIRECTORY or the top build directory: where the project's programs
# are, whose own plugins/ directory is on their search path, so that they find it without
# installing. install() puts it under <prefix>/<libdir>/speculators/plugins/a/b/ (<libdir>
# is CMAKE_INSTALL_LIBDIR, or lib in a project that did not include GNUInstallDirs), which
# a program installed in <prefix>/bin searches, as does the installed registry library.
#
# speculators_link_whole(<target> <static-library>...)
#
# Links static libraries whole, so that objects holding only SPECULATORS_REGISTER lines (no
# symbol the program refers to) are not dropped by the linker.

function(speculators_add_plugin target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_INSTALL" "PACKAGE;OUTPUT_ROOT;COMPONENT" "SOURCES")
  if(NOT arg_PACKAGE)
    message(FATAL_ERROR "speculators_add_plugin(${target}): PACKAGE <dotted.name> is required")
  endif()
  if(NOT arg_PACKAGE MATCHES "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$")
    message(FATAL_ERROR "speculators_add_plugin(${target}): PACKAGE '${arg_PACKAGE}' is not a dotted name like a.b")
  endif()
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "speculators_add_plugin(${target}): SOURCES is required")
  endif()
  if(NOT arg_OUTPUT_ROOT)
    if(SPECULATORS_PLUGIN_OUTPUT_ROOT)
      set(arg_OUTPUT_ROOT "${SPECULATORS_PLUGIN_OUTPUT_ROOT}")
    elseif(CMAKE_RUNTIME_OUTPUT_DIRECTORY)
      set(arg_OUTPUT_ROOT "${CMAKE_RUNTIME_OUTPUT_DIRECTORY}/plugins")
    else()
      set(arg_OUTPUT_ROOT "${CMAKE_BINARY_DIR}/plugins")
    endif()
  endif()
  string(REPLACE "." "/" package_dir "${arg_PACKAGE}")

  set(plugin_suffix .so)
  if(WIN32)
    set(plugin_suffix .dll)
  endif()
  add_library(${target} MODULE ${arg_SOURCES})
  target_link_libraries(${target} PRIVATE speculators::plugin)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    SUFFIX "${plugin_suffix}"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${arg_OUTPUT_ROOT}/${package_dir}")
  # A plugin's undefined symbols are errors at link time, not at load time.
  target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  if(NOT arg_NO_INSTALL)
    # Empty in a project that has not included GNUInstallDirs: the plugin would land at the
    # file system's root.
    set(libdir "${CMAKE_INSTALL_LIBDIR}")
    if(NOT libdir)
      set(libdir lib)
    endif()
    set(component)
    if(arg_COMPONENT)
      set(component COMPONENT ${arg_COMPONENT})
    endif()
    install(TARGETS ${target} LIBRARY DESTINATION "${libdir}/speculators/plugins/${package_dir}" ${component})
  endif()
endfunction()

function(speculators_link_whole target)
  foreach(library IN LISTS ARGN)
    target_link_libraries(${target} PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,${library}>")
  endforeach()
endfunction()
