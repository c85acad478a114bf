# Installs the library, the headers, the CMake package and a pkg-config file.
include(CMakePackageConfigHelpers)

install(TARGETS speculators_registry speculators_plugin EXPORT speculators_registry_targets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/speculators_registry)
install(EXPORT speculators_registry_targets NAMESPACE speculators:: DESTINATION ${config_dir})
configure_package_config_file(cmake/speculators_registryConfig.cmake.in
  ${PROJECT_BINARY_DIR}/speculators_registryConfig.cmake INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/speculators_registryConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/speculators_registryConfig.cmake
  ${PROJECT_BINARY_DIR}/speculators_registryConfigVersion.cmake
  cmake/SpeculatorsPlugin.cmake
  cmake/speculators_plugin_entry.cpp
  DESTINATION ${config_dir})

configure_file(cmake/speculators_registry.pc.in ${PROJECT_BINARY_DIR}/speculators_registry.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/speculators_registry.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
