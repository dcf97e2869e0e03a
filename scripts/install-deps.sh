#!/usr/bin/env bash
# Install the Debian 12 (bookworm) packages needed to build and test maillage.
# Only missing packages are installed; `apt-get update` runs once, and only if something is missing.
# Usage: scripts/install-deps.sh [--test] [--bench] [--bench-peers] [--fuzz] [--tidy]
#   --test         also install the real programs the tests use: QGIS (PyQGIS), Chromium, poppler-utils (pdfinfo, pdftotext), PostgreSQL+PostGIS
#   --bench        also install the tools used by the benchmarks (scipy, pyproj, numpy, time, hyperfine)
#   --bench-peers  also install the benchmark's peer programs: QGIS with qgis_process, PostgreSQL+PostGIS
#                  and psycopg2
#   --fuzz         also install clang 14 with libFuzzer and its OpenMP runtime (scripts/fuzz.sh)
#   --tidy         also install clang-tidy 14 (scripts/tidy.sh)
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config
    libgdal-dev gdal-bin libgeos-dev libproj-dev proj-bin
    libnanoflann-dev libboost-program-options-dev nlohmann-json3-dev
    googletest libgtest-dev libssl-dev
    python3 python3-gdal python3-pyproj python3-numpy
)
# postgresql-postgis: the extension itself (the package postgis holds only its tools).
test_packages=(python3-qgis qgis-providers chromium poppler-utils postgresql postgis postgresql-postgis)
bench_packages=(python3-scipy python3-pyproj python3-numpy time hyperfine)
# qgis: qgis_process (python3-qgis and qgis-providers alone do not have it).
bench_peer_packages=(qgis python3-qgis qgis-providers postgresql postgis postgresql-postgis python3-psycopg2)
fuzz_packages=(clang-14 libclang-rt-14-dev libomp-14-dev)
tidy_packages=(clang-tidy-14)

for arg in "$@"; do
    case "$arg" in
        --test) packages+=("${test_packages[@]}") ;;
        --bench) packages+=("${bench_packages[@]}") ;;
        --bench-peers) packages+=("${bench_peer_packages[@]}") ;;
        --fuzz) packages+=("${fuzz_packages[@]}") ;;
        --tidy) packages+=("${tidy_packages[@]}") ;;
        -h|--help)
            sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "install-deps.sh: unknown argument: $arg (usage: $0 [--test] [--bench] [--bench-peers] [--fuzz] [--tidy])" >&2
            exit 2
            ;;
    esac
done

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for pkg in "${packages[@]}"; do
    if ! is_installed "$pkg"; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps.sh: all ${#packages[@]} packages already installed."
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "install-deps.sh: not root and sudo not found; please install: ${missing[*]}" >&2
    exit 1
fi

echo "install-deps.sh: installing missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
