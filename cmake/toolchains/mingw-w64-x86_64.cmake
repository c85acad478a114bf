# Cross-builds for 64-bit Windows with Debian's mingw-w64 (g++-mingw-w64-x86-64-posix: the
# posix thread model, which std::thread and std::mutex need), and runs what the build runs
# (tests, gtest_discover_tests) under wine64.
#
#   cmake -S . -B build-windows -G Ninja --toolchain cmake/toolchains/mingw-w64-x86_64.cmake
#   cmake --build build-windows -j2 && ctest --test-dir build-windows -j2
#
# A project of its own cross-builds against an install of that build the same way:
#   cmake -S . -B build-windows -G Ninja --toolchain <this file> -DCMAKE_PREFIX_PATH=<prefix>
#
# The wine prefix is made inside the build directory on first use (cmake/toolchains/wine-run),
# so a build never touches ~/.wine. nlohmann-json and CLI11 are header-only: their host
# headers are used (host-packages/), not a Windows copy.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(mingw_triplet x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${mingw_triplet}-gcc-posix)
set(CMAKE_CXX_COMPILER ${mingw_triplet}-g++-posix)
set(CMAKE_RC_COMPILER ${mingw_triplet}-windres)

# Where find_package() and find_library() look: the compiler's Windows libraries, and the
# prefixes given with -DCMAKE_PREFIX_PATH (an install of a Windows build of this library):
# each is a root, so that it is searched as the prefix it is, not below the compiler's.
set(CMAKE_FIND_ROOT_PATH /usr/${mingw_triplet} ${CMAKE_PREFIX_PATH})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Header-only packages: config files that point at the host's headers alone (not at all of
# /usr/include, whose C library headers are the host's).
set(nlohmann_json_DIR ${CMAKE_CURRENT_LIST_DIR}/host-packages/nlohmann_json CACHE PATH "")
set(CLI11_DIR ${CMAKE_CURRENT_LIST_DIR}/host-packages/CLI11 CACHE PATH "")

# The runtime DLLs of the compiler (libstdc++-6.dll, libgcc_s_seh-1.dll, libwinpthread-1.dll),
# found by wine through WINEPATH: the programs and plugins share them, as they share
# libstdc++.so on Linux.
execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libstdc++-6.dll
                OUTPUT_VARIABLE mingw_libstdcxx OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libwinpthread-1.dll
                OUTPUT_VARIABLE mingw_winpthread OUTPUT_STRIP_TRAILING_WHITESPACE)
cmake_path(GET mingw_libstdcxx PARENT_PATH mingw_runtime_dir)
cmake_path(GET mingw_winpthread PARENT_PATH mingw_pthread_dir)
set(SPECULATORS_WINDOWS_RUNTIME_DIRS "${mingw_runtime_dir};${mingw_pthread_dir}")

# Under wine the Unix root is drive Z:: the build tree's paths as its programs see them (the
# library's build-tree default search path, the tests' expected paths).
set(SPECULATORS_EMULATED_ROOT Z:)

string(REPLACE ";" "\\;" wine_path "${SPECULATORS_WINDOWS_RUNTIME_DIRS}")
set(CMAKE_CROSSCOMPILING_EMULATOR
    ${CMAKE_CURRENT_LIST_DIR}/wine-run;--prefix=${CMAKE_BINARY_DIR}/wine-prefix;--path=${mingw_runtime_dir}:${mingw_pthread_dir})
