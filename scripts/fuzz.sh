#!/usr/bin/env bash
# Build the libFuzzer harnesses (clang, ASan + UBSan, in build-fuzz/) and run each for a set time.
# Usage: scripts/fuzz.sh [--time SECONDS] [--no-build] [harness...]
#   harness     sites_csv, zones_geojson, config (or fuzz_sites_csv, ...); default: all three,
#               one after the other
#   --time S    seconds of fuzzing per harness (default 600)
#   --no-build  run the harnesses already built in build-fuzz/
# The corpus grows in tests/fuzz/corpus/HARNESS/ and crash, leak, timeout or out-of-memory inputs
# are written to tests/fuzz/findings/HARNESS/ (both git-ignored); seeds come from tests/data/.
# A finding does not stop the run: the harness restarts until its time is spent.
# Reproduce a finding: build-fuzz/tests/fuzz/fuzz_HARNESS tests/fuzz/findings/HARNESS/crash-...
# Environment: BUILD_DIR (default build-fuzz), JOBS (build jobs, default 2).
# Exit code: 0 when no harness had a finding, 1 otherwise, 2 on a usage error.
# The machine may be shared: run it under `nice -n 19`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"

BUILD_DIR="${BUILD_DIR:-build-fuzz}"
JOBS="${JOBS:-2}"
seconds=600
build=1
harnesses=()

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
        --time)
            [ $# -ge 2 ] || { echo "fuzz.sh: --time needs a number of seconds" >&2; exit 2; }
            seconds="$2"
            shift
            ;;
        --time=*) seconds="${1#--time=}" ;;
        --no-build) build=0 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "fuzz.sh: unknown option: $1 (see $0 --help)" >&2; exit 2 ;;
        *) harnesses+=("${1#fuzz_}") ;;
    esac
    shift
done
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
    echo "fuzz.sh: --time must be a whole number of seconds, 1 or more (got '$seconds')" >&2
    exit 2
fi
[ ${#harnesses[@]} -gt 0 ] || harnesses=(sites_csv zones_geojson config)
for h in "${harnesses[@]}"; do
    case "$h" in
        sites_csv|zones_geojson|config) ;;
        *) echo "fuzz.sh: unknown harness '$h' (sites_csv, zones_geojson or config)" >&2; exit 2 ;;
    esac
done

if [ "$build" = 1 ]; then
    bash scripts/install-deps.sh --fuzz
    CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD_DIR" -G Ninja \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAILLAGE_FUZZ=ON -DMAILLAGE_BUILD_TESTS=OFF >/dev/null
    targets=()
    for h in "${harnesses[@]}"; do targets+=("fuzz_$h"); done
    cmake --build "$BUILD_DIR" -j"$JOBS" --target "${targets[@]}"
fi

# Seeds: copied from tests/data/ into the build folder, so that libFuzzer reads them (second corpus
# folder) but writes its new inputs only to tests/fuzz/corpus/.
seed_files() {
    case "$1" in
        sites_csv) find tests/data -name '*.csv' ;;
        zones_geojson) find tests/data -name '*.geojson' ;;
        config) find tests/data scripts/examples -name '*.conf' ;;
    esac
}
declare -A max_len=([sites_csv]=4096 [zones_geojson]=8192 [config]=2048)
declare -A dict=([sites_csv]=csv [zones_geojson]=geojson [config]=config)

# GDAL keeps caches (drivers, PROJ contexts) alive until exit: they are reachable, so they do not
# count as leaks; a leak LeakSanitizer reports is one per input. halt_on_error: the first report
# is a finding.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

summary=()
total_findings=0
for h in "${harnesses[@]}"; do
    bin="$BUILD_DIR/tests/fuzz/fuzz_$h"
    [ -x "$bin" ] || { echo "fuzz.sh: $bin is not built (run without --no-build)" >&2; exit 1; }
    corpus="tests/fuzz/corpus/$h"
    findings="tests/fuzz/findings/$h"
    seeds="$BUILD_DIR/seeds/$h"
    logs="$BUILD_DIR/logs"
    mkdir -p "$corpus" "$findings" "$logs"
    rm -rf "$seeds"
    mkdir -p "$seeds"
    while IFS= read -r f; do
        cp "$f" "$seeds/$(echo "$f" | tr '/' '_')"
    done < <(seed_files "$h")

    before="$(find "$findings" -type f | sort)"
    execs=0
    runs=0
    cov=""
    started=$(date +%s)
    log="$logs/fuzz_$h.log"
    : > "$log"
    echo "fuzz.sh: fuzz_$h for ${seconds} s (log: $log)"
    # libFuzzer stops at its first finding: restart it until the time is spent (at most 50 times).
    while :; do
        left=$((seconds - ($(date +%s) - started)))
        [ "$left" -ge 1 ] && [ "$runs" -lt 50 ] || break
        runs=$((runs + 1))
        set +e
        "$bin" "$corpus" "$seeds" \
            -max_total_time="$left" -timeout=25 -rss_limit_mb=2048 -max_len="${max_len[$h]}" \
            -dict="tests/fuzz/${dict[$h]}.dict" -artifact_prefix="$findings/" \
            -print_final_stats=1 >>"$log" 2>&1
        rc=$?
        set -e
        n=$(grep -a 'stat::number_of_executed_units:' "$log" | tail -n 1 | awk '{print $2}')
        execs=$((execs + ${n:-0}))
        # The stats of this run are counted: mark them so that a restart does not count them again.
        sed -i 's/^stat::number_of_executed_units:/stat::counted_units:/' "$log"
        cov=$(grep -aoE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 || true)
        [ "$rc" -eq 0 ] && break
        echo "fuzz.sh: fuzz_$h stopped on a finding (exit $rc); restarting" >&2
    done
    elapsed=$(($(date +%s) - started))
    new="$(comm -13 <(echo "$before") <(find "$findings" -type f | sort) | sed '/^$/d')"
    nfind=$(printf '%s' "$new" | grep -c . || true)
    total_findings=$((total_findings + nfind))
    files=$(find "$corpus" -type f | wc -l)
    kib=$(find "$corpus" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f", s / 1024}')
    line="fuzz_$h: $execs executions in $elapsed s ($runs run(s)), corpus $files files (${kib} KiB), ${cov:-no coverage line}, findings: $nfind"
    summary+=("$line")
    echo "$line"
    if [ -n "$new" ]; then
        printf '  %s\n' $new
    fi
done

echo
echo "fuzz.sh: summary ($(date -u +%Y-%m-%dT%H:%MZ), ${seconds} s per harness)"
printf '  %s\n' "${summary[@]}"
[ "$total_findings" -eq 0 ] || { echo "fuzz.sh: $total_findings finding(s); see above" >&2; exit 1; }
