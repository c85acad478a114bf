# Installs the library, the headers, the CMake package and a pkg-config file.
include(CMakePackageConfigHelpers)

# Components, one Debian package each (cmake/Packaging.cmake): runtime (the shared library),
# dev (headers, the .so link, CMake package, pkg-config file, plugin helper), tool (the
# command-line tool, the demo and the example plugins).
install(TARGETS speculators_registry speculators_plugin EXPORT speculators_registry_targets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(DIRECTORY include/ ${PROJECT_BINARY_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/speculators_registry)
install(EXPORT speculators_registry_targets NAMESPACE speculators:: DESTINATION ${config_dir} COMPONENT dev)
configure_package_config_file(cmake/speculators_registryConfig.cmake.in
  ${PROJECT_BINARY_DIR}/speculators_registryConfig.cmake INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/speculators_registryConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/speculators_registryConfig.cmake
  ${PROJECT_BINARY_DIR}/speculators_registryConfigVersion.cmake
  cmake/SpeculatorsPlugin.cmake
  cmake/speculators_plugin_entry.cpp
  DESTINATION ${config_dir} COMPONENT dev)

# The pkg-config file names its prefix relative to itself, so it works from a moved prefix too.
file(RELATIVE_PATH pc_to_prefix ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
file(RELATIVE_PATH prefix_to_libdir ${CMAKE_INSTALL_PREFIX} ${CMAKE_INSTALL_FULL_LIBDIR})
file(RELATIVE_PATH prefix_to_includedir ${CMAKE_INSTALL_PREFIX} ${CMAKE_INSTALL_FULL_INCLUDEDIR})
configure_file(cmake/speculators_registry.pc.in ${PROJECT_BINARY_DIR}/speculators_registry.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/speculators_registry.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
