#!/usr/bin/env bash
# Install missing dependencies, then configure and build maillage with CMake + Ninja.
# Environment: BUILD_DIR (default: build), BUILD_TYPE (default: Release), CMAKE_EXTRA.
# The executable is "$BUILD_DIR/maillage".
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR="${BUILD_DIR:-build}"
BUILD_TYPE="${BUILD_TYPE:-Release}"

bash scripts/install-deps.sh

# CMAKE_EXTRA: further -D options (scripts/test.sh --sanitize sets MAILLAGE_SANITIZE=ON).
# shellcheck disable=SC2086
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" ${CMAKE_EXTRA:-}
cmake --build "$BUILD_DIR" -j"$(nproc)"

echo "build.sh: built $BUILD_DIR/maillage ($BUILD_TYPE)"
