#!/usr/bin/env bash
# Build maillage (installing missing dependencies) and run the test suite with CTest.
# Environment: BUILD_DIR (default: build), BUILD_TYPE (default: Release).
# Exit code: CTest's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR="${BUILD_DIR:-build}"
export BUILD_DIR

bash scripts/build.sh

exec ctest --test-dir "$BUILD_DIR" --output-on-failure -j2
