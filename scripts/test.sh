#!/usr/bin/env bash
# Build maillage (installing missing dependencies) and run the test suite with CTest.
# Usage: scripts/test.sh [--sanitize]
#   --sanitize  build with AddressSanitizer and UndefinedBehaviorSanitizer (in build-sanitize/)
#               and run the whole suite against that build
# Environment: BUILD_DIR (default: build, or build-sanitize), BUILD_TYPE (default: Release).
# Exit code: CTest's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

sanitize=0
for arg in "$@"; do
    case "$arg" in
        --sanitize) sanitize=1 ;;
        -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "test.sh: unknown argument: $arg (usage: $0 [--sanitize])" >&2; exit 2 ;;
    esac
done

if [ "$sanitize" = 1 ]; then
    BUILD_DIR="${BUILD_DIR:-build-sanitize}"
    BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
    CMAKE_EXTRA="-DMAILLAGE_SANITIZE=ON"
    # GDAL keeps caches alive until exit: leak reports would be about GDAL, not maillage.
    export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
else
    BUILD_DIR="${BUILD_DIR:-build}"
    CMAKE_EXTRA="-DMAILLAGE_SANITIZE=OFF"
fi
export BUILD_DIR BUILD_TYPE CMAKE_EXTRA

# The tests drive real programs: QGIS, Chromium and a PostgreSQL/PostGIS server.
bash scripts/install-deps.sh --test
bash scripts/build.sh

exec ctest --test-dir "$BUILD_DIR" --output-on-failure -j2
