#!/usr/bin/env bash
# Install missing dependencies, then configure and build maillage with CMake + Ninja.
# Environment: BUILD_DIR (default: build), BUILD_TYPE (default: Release).
# The executable is "$BUILD_DIR/maillage".
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR="${BUILD_DIR:-build}"
BUILD_TYPE="${BUILD_TYPE:-Release}"

bash scripts/install-deps.sh

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE"
cmake --build "$BUILD_DIR" -j"$(nproc)"

echo "build.sh: built $BUILD_DIR/maillage ($BUILD_TYPE)"
