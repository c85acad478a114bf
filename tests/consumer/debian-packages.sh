#!/usr/bin/env bash
# Builds the Debian packages (cpack -G DEB), installs them with apt-get, checks the system
# install as a user would (check.cmake MODE=system: the installed tool and its example
# plugins, find_package with a version, pkg-config, a project's own plugin found from its
# build tree and its install prefix), and removes the packages again, whatever the outcome.
# Usage: tests/consumer/debian-packages.sh BUILD_ROOT   (run by scripts/test; needs root or sudo)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=${1:?usage: tests/consumer/debian-packages.sh BUILD_ROOT}
build=$root/deb
packages=(python3-speculators-registry speculators-registry libspeculators-registry-dev libspeculators-registry0)
sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive

if dpkg-query -W "${packages[@]}" >/dev/null 2>&1; then
  echo "debian-packages: ${packages[*]} are installed already; remove them first (apt-get remove)" >&2
  exit 1
fi

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DSPECULATORS_BUILD_TESTS=OFF -DSPECULATORS_WARNINGS_AS_ERRORS=ON
cmake --build "$build" -j2
rm -f "$build"/*.deb
(cd "$build" && cpack -G DEB)
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")

remove() { "${sudo_cmd[@]}" apt-get remove -y -qq "${packages[@]}" >/dev/null || true; }
trap remove EXIT
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$(realpath "$build")"/*.deb
# The Python module of the package, imported by the system's interpreter from its own place.
/usr/bin/python3 -c "import speculators_registry as s; assert s.__version__ == '$version', s.__version__; print('python3-speculators-registry', s.__version__, s.__file__)"
cmake -DMODE=system -DWORK_DIR="$(realpath "$root")/deb-consumer" -DCONSUMER_DIR="$PWD/tests/consumer" \
  -DVERSION="$version" -DCXX=g++ -DGENERATOR=Ninja -P tests/consumer/check.cmake
remove
trap - EXIT
if dpkg-query -W -f='${Status}\n' "${packages[@]}" 2>/dev/null | grep -q "install ok installed"; then
  echo "debian-packages: the packages were not removed" >&2
  exit 1
fi
echo "debian-packages: built, installed, checked and removed ${packages[*]} $version"
