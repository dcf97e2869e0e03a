#!/usr/bin/env bash
# Run clang-tidy 14 over the C++ sources of src/ with the checks of .clang-tidy; any warning is an
# error, and the exit code is non-zero if there is one.
# Usage: scripts/tidy.sh [FILE...]     (default: every .cpp of src/ in compile_commands.json)
# compile_commands.json comes from BUILD_DIR (default build-tidy/), configured here with CMake
# (CMAKE_EXPORT_COMPILE_COMMANDS=ON, tests off); nothing is compiled.
# Environment: BUILD_DIR (default build-tidy), JOBS (parallel clang-tidy runs, default 2).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"

BUILD_DIR="${BUILD_DIR:-build-tidy}"
JOBS="${JOBS:-2}"

case "${1:-}" in
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

bash scripts/install-deps.sh --tidy >/dev/null
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMAILLAGE_BUILD_TESTS=OFF \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
    files=("$root/src/")
else
    for i in "${!files[@]}"; do files[$i]="$(realpath "${files[$i]}")"; done
fi

started=$(date +%s)
set +e
run-clang-tidy-14 -clang-tidy-binary clang-tidy-14 -p "$BUILD_DIR" -j "$JOBS" -quiet "${files[@]}"
rc=$?
set -e
elapsed=$(($(date +%s) - started))
if [ "$rc" -eq 0 ]; then
    echo "tidy.sh: clean (${elapsed} s, $JOBS jobs)"
else
    echo "tidy.sh: clang-tidy found problems (exit $rc, ${elapsed} s); see the errors above" >&2
fi
exit "$rc"
