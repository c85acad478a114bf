# Debian packages (cpack -G DEB in a build directory configured with -DCMAKE_INSTALL_PREFIX=/usr),
# one per install component, named as Debian names libraries:
#   libspeculators-registry<SOVERSION>  the shared library (runtime)
#   libspeculators-registry-dev         headers, CMake package, pkg-config file, plugin helper (dev)
#   speculators-registry                the command-line tool, the demo, the example plugins (tool)
#   python3-speculators-registry        the Python module, when it is built (python)
# Dependencies on other packages come from the binaries (dpkg-shlibdeps); those on each other
# are exact versions, as the three are built together.
set(CPACK_PACKAGE_NAME speculators-registry)
set(CPACK_PACKAGE_VENDOR "speculators-registry")
set(CPACK_PACKAGE_CONTACT "speculators-registry maintainers <speculators-registry@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev tool)
if(TARGET speculators_registry_python)
  list(APPEND CPACK_COMPONENTS_ALL python)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The tool's dependencies on the libraries of this build are resolved in the build, not in an
# installed package: where each shared library of the runtime package is built.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS)
foreach(library speculators_registry speculators_checkpoints)
  get_target_property(library_dir ${library} BINARY_DIR)
  list(APPEND CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${library_dir})
endforeach()
set(CPACK_DEBIAN_PACKAGE_SECTION libs)

set(runtime_package libspeculators-registry${PROJECT_VERSION_MAJOR})
set(exact_runtime "${runtime_package} (= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ${runtime_package})
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)  # a shlibs file: packages built on this one depend on it right
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "class registries and plugin discovery for C++20: the shared library")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libspeculators-registry-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${exact_runtime}, nlohmann-json3-dev")
set(CPACK_DEBIAN_DEV_PACKAGE_SHLIBDEPS OFF)
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "class registries and plugin discovery for C++20: headers, CMake package, pkg-config file, plugin helper")
set(CPACK_DEBIAN_TOOL_PACKAGE_NAME speculators-registry)
set(CPACK_DEBIAN_TOOL_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_TOOL_PACKAGE_DEPENDS "${exact_runtime}")
set(CPACK_COMPONENT_TOOL_DESCRIPTION
    "class registries and plugin discovery for C++20: the speculators-registry tool and example plugins")
set(CPACK_DEBIAN_PYTHON_PACKAGE_NAME python3-speculators-registry)
set(CPACK_DEBIAN_PYTHON_PACKAGE_SECTION python)
set(CPACK_DEBIAN_PYTHON_PACKAGE_DEPENDS "${exact_runtime}, python3")
set(CPACK_COMPONENT_PYTHON_DESCRIPTION
    "class registries and plugin discovery for C++20: the Python module speculators_registry")
include(CPack)
