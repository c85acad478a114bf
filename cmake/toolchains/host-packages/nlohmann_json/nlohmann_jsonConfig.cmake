# nlohmann-json for a cross build: the host's headers (header-only), and nothing else of the
# host's include directory. Made from the host package's location (NLOHMANN_JSON_HOST_INCLUDE).
set(NLOHMANN_JSON_HOST_INCLUDE /usr/include CACHE PATH "The host directory holding nlohmann/json.hpp")
include(${CMAKE_CURRENT_LIST_DIR}/../host_header_package.cmake)
speculators_host_header_package(nlohmann_json::nlohmann_json ${NLOHMANN_JSON_HOST_INCLUDE} nlohmann)
