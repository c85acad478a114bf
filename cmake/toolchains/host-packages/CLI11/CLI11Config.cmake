# CLI11 for a cross build: the host's headers (header-only), and nothing else of the host's
# include directory.
set(CLI11_HOST_INCLUDE /usr/include CACHE PATH "The host directory holding CLI/CLI.hpp")
include(${CMAKE_CURRENT_LIST_DIR}/../host_header_package.cmake)
speculators_host_header_package(CLI11::CLI11 ${CLI11_HOST_INCLUDE} CLI)
