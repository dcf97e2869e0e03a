#!/usr/bin/env bash
# Benchmark maillage against peers, in one run; writes bench/results.md and prints its table.
#
#   1. SYNTHETIC points: 1,000,000 random points inside the region outline (fixed seed), and the
#      first 100,000 of them (scripts/bench/make_points.py).
#   2. Timings, each the median of BENCH_REPS (default 3) runs, wall and peak memory from
#      /usr/bin/time -f '%e %M', phase timings parsed from the tools' stderr:
#      a. maillage nearest, 100k and 1M points, --threads 1 and all threads;
#      b. peers for the nearest site, where installed (else their rows say so):
#         - scipy cKDTree (ECEF) + pyproj geodesic (scripts/bench/peer_ckdtree.py), workers=1 and -1;
#         - PostgreSQL + PostGIS (scripts/bench/peer_postgis.py): a server this script starts in a
#           temporary directory (unix socket only) and stops at the end; COPY, GiST index, KNN
#           LATERAL join, ST_Distance on geography; parallel query allowed on all cores (the
#           planner decides: none for this query with PostgreSQL 15);
#         - QGIS "Distance to nearest hub (points)" with qgis_process, one thread, WGS84 ellipsoid,
#           BENCH_QGIS_REPS repetitions (default: BENCH_REPS), only for sizes up to
#           BENCH_QGIS_MAX_POINTS points (default 100000). QGIS 3.22's algorithm is a Python loop
#           (about 0.5 ms of CPU per point, 3 s to start): about 50 s for 100k points, 8 minutes
#           for 1M; BENCH_QGIS_MAX_POINTS=1000000 BENCH_QGIS_REPS=1 runs 1M once;
#      c. accuracy against the exact geodesic nearest (brute force on 20,000 sampled points);
#      d. gdal_rasterize + gdal_proximity.py on maillage's distance.tif grid at 200 m and 100 m,
#         compared with maillage's exact distances;
#      e. maillage analyse on the shipped data at 500 m, 200 m and 100 m.
#   3. bench/results.md (and bench/tmp/ for everything intermediate).
#
# Takes about 10 minutes on 2 idle cores, build excluded (3 without the PostGIS and QGIS peers). Environment:
#   BENCH_REPS (3); BENCH_BUILD_DIR (build-bench); BENCH_REF (empty: measure the working tree; else
#   a git revision, e.g. HEAD, measured from a clean export); BENCH_IDLE_WAIT (120: seconds to wait
#   at most for other processes to calm down before measuring);
#   BENCH_SIZES ("100k 1m": point counts for nearest, NNk or NNm);
#   BENCH_PEERS ("ckdtree postgis qgis": the nearest-site peers to run; the others' rows say "not run");
#   BENCH_QGIS_REPS (BENCH_REPS), BENCH_QGIS_MAX_POINTS (100000): see 2b;
#   BENCH_QUICK=1: a quick check while developing the benchmark (10k points, 1 repetition, 500 m
#   grid only, 2,000 sampled points for accuracy; about 2 minutes): not a result, its report goes to
#   bench/tmp/results-quick.md and bench/results.md is left alone.
# The benchmark builds its own Release tree (BENCH_BUILD_DIR, tests off) with scripts/build.sh, so
# that it never reconfigures a developer's build/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'bench.sh: %s\n' "$*" >&2; }

QUICK="${BENCH_QUICK:-0}"
if [ "$QUICK" = 1 ]; then
    REPS="${BENCH_REPS:-1}"
    read -r -a SIZES <<<"${BENCH_SIZES:-10k}"
    GRIDS=(500)
    PROXIMITY_GRIDS=(500)
    ACC_SAMPLE=2000
    REPORT=bench/tmp/results-quick.md
    log "BENCH_QUICK=1: a quick check of the benchmark itself, not a result (report: $REPORT)"
else
    REPS="${BENCH_REPS:-3}"
    read -r -a SIZES <<<"${BENCH_SIZES:-100k 1m}"
    GRIDS=(500 200 100)
    PROXIMITY_GRIDS=(200 100)
    ACC_SAMPLE=20000
    REPORT=bench/results.md
fi
read -r -a PEERS <<<"${BENCH_PEERS-ckdtree postgis qgis}"
QGIS_REPS="${BENCH_QGIS_REPS:-$REPS}"
QGIS_MAX_POINTS="${BENCH_QGIS_MAX_POINTS:-100000}"
BUILD_DIR="${BENCH_BUILD_DIR:-build-bench}"
PY=/usr/bin/python3 # Debian's python3 (python3-scipy, python3-pyproj, python3-gdal), not a pyenv one
TMP=bench/tmp
LOGS="$TMP/logs"
RUNS="$TMP/runs.tsv"
SITES=geodata/structures-aura-dila-2017.csv
NPROC="$(nproc)"

# Point count of a size label: 10k -> 10000, 1m -> 1000000.
size_n() {
    case "$1" in
        *k) echo $((${1%k} * 1000)) ;;
        *m) echo $((${1%m} * 1000000)) ;;
        *) echo "$1" ;;
    esac
}
for size in "${SIZES[@]}"; do
    if ! [[ "$size" =~ ^[0-9]+[km]?$ ]]; then
        log "BENCH_SIZES: '$size' is not a point count such as 10k, 100k or 1m"
        exit 2
    fi
done
# Sizes in increasing order; the largest file is generated, the others are its first lines.
mapfile -t SIZES < <(for s in "${SIZES[@]}"; do echo "$(size_n "$s") $s"; done | sort -n -u | cut -d' ' -f2)
LARGEST="${SIZES[-1]}"
P_LARGEST="$TMP/points-$LARGEST-synthetic.csv"
has_peer() { [[ " ${PEERS[*]} " == *" $1 "* ]]; }
T_START=$(date +%s)

# --- Dependencies and build -------------------------------------------------------------------
bash scripts/install-deps.sh --bench
# The peers are optional: where they cannot be installed, their rows say so.
if [ "${#PEERS[@]}" -gt 0 ] && ! bash scripts/install-deps.sh --bench-peers; then
    log "the peers' packages could not be installed: the rows of the missing ones will say 'not installed'"
fi
rm -rf "$LOGS"
mkdir -p "$TMP" "$LOGS"
rm -f "$TMP"/nearest-*.csv "$TMP"/accuracy.json "$TMP"/raster-*.json "$TMP"/failed.tsv "$TMP"/points-*.csv
# What is measured: the working tree (default), or with BENCH_REF a committed revision, exported
# with git archive to bench/tmp/src-REV and built there with its own scripts/build.sh.
if [ -n "${BENCH_REF:-}" ]; then
    REV="$(git rev-parse --short "${BENCH_REF}^{commit}")"
    SRC="$TMP/src-$REV"
    find "$TMP" -maxdepth 1 -name 'src-*' ! -name "src-$REV" -exec rm -rf {} + # older exports
    if [ ! -f "$SRC/CMakeLists.txt" ]; then
        rm -rf "$SRC"
        mkdir -p "$SRC"
        git archive "$REV" | tar -x -C "$SRC"
    fi
    SOURCE_DESC="git revision $REV (exported with git archive; uncommitted changes not included)"
else
    SRC=.
    REV="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    DIRTY="$(git status --porcelain --untracked-files=no -- src include CMakeLists.txt 2>/dev/null | awk '{print $2}' | tr '\n' ' ')"
    SOURCE_DESC="working tree at git $REV${DIRTY:+, with uncommitted changes in: $DIRTY}"
fi
# Tests off in the benchmark's own tree: they are not needed here (and scripts/build.sh keeps the
# cached option when it reconfigures).
cmake -S "$SRC" -B "$SRC/$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMAILLAGE_BUILD_TESTS=OFF >/dev/null
BUILD_DIR="$BUILD_DIR" BUILD_TYPE=Release bash "$SRC/scripts/build.sh"
MAILLAGE="$SRC/$BUILD_DIR/maillage"
printf 'id\ttool\ttask\tsize\tthreads\trep\tstep\twall_s\tmaxrss_kb\tuser_s\tsys_s\tother_cpu_s\tstderr\n' >"$RUNS"

# --- Machine state and versions, for the report -------------------------------------------------
META="$TMP/meta.env"
{
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "nproc=$NPROC"
    echo "quick=$QUICK"
    echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "maillage_version=$("$MAILLAGE" --version 2>&1 | head -1)"
    echo "source=$SOURCE_DESC"
    echo "gdal=$(gdalinfo --version | head -1)"
    echo "proj=$(pkg-config --modversion proj 2>/dev/null || echo unknown)"
    echo "compiler=$(c++ --version | head -1)"
    echo "python=$("$PY" --version 2>&1)"
    "$PY" -c 'import numpy, scipy, pyproj; print(f"numpy={numpy.__version__}\nscipy={scipy.__version__}\npyproj={pyproj.__version__} (PROJ {pyproj.proj_version_str})")'
} >"$META"
free -g >"$TMP/free.txt"

# CPU time (s) used by the whole machine so far: user, nice, system, irq, softirq, steal.
HZ="$(getconf CLK_TCK)"
machine_busy_s() { awk -v hz="$HZ" '/^cpu /{printf "%.2f\n", ($2+$3+$4+$7+$8+$9)/hz}' /proc/stat; }

# Other processes compete for the 2 cores and make timings slower and noisier: wait (at most
# BENCH_IDLE_WAIT seconds, default 120) until they use less than a quarter of a core.
wait_idle() {
    local waited=0 max="${BENCH_IDLE_WAIT:-120}" b0 b1 busy
    while :; do
        b0=$(machine_busy_s)
        sleep 3
        b1=$(machine_busy_s)
        busy=$(awk -v a="$b0" -v b="$b1" 'BEGIN{printf "%.2f", (b-a)/3}')
        if awk -v x="$busy" 'BEGIN{exit !(x < 0.25)}'; then
            return 0
        fi
        if [ "$waited" -ge "$max" ]; then
            log "other processes still use $busy cores after ${waited} s: measuring anyway (see the load table)"
            return 0
        fi
        log "other processes use $busy cores: waiting for a quieter machine (${waited}/${max} s)"
        sleep 10
        waited=$((waited + 13))
    done
}

# run_timed ID TOOL TASK SIZE THREADS REP STEP -- CMD...: one timed run, appended to $RUNS, with the
# CPU time that other processes used meanwhile (machine busy time minus the run's user + sys).
# A failure stops the benchmark, except with PEER=1 (a peer's run): then it is recorded in
# failed.tsv (report.py says so in the peer's row) and run_timed returns 1.
run_timed() {
    local id=$1 tool=$2 task=$3 size=$4 threads=$5 rep=$6 step=$7
    shift 8
    local err="$LOGS/$id.$rep.$step.err" tf="$LOGS/$id.$rep.$step.time" b0 b1
    b0=$(machine_busy_s)
    if ! /usr/bin/time -f '%e %M %U %S' -o "$tf" "$@" >"$LOGS/$id.$rep.$step.out" 2>"$err"; then
        log "FAILED: $*"
        tail -20 "$err" >&2
        if [ "${PEER:-0}" = 1 ]; then
            printf '%s\t%s\t%s\n' "$id" "$rep" "$err" >>"$TMP/failed.tsv"
            return 1
        fi
        exit 1
    fi
    b1=$(machine_busy_s)
    local w m u s other
    read -r w m u s < <(tail -1 "$tf")
    other=$(awk -v a="$b0" -v b="$b1" -v u="$u" -v s="$s" 'BEGIN{x=b-a-u-s; printf "%.2f", (x<0?0:x)}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$id" "$tool" "$task" "$size" "$threads" "$rep" "$step" "$w" "$m" "$u" "$s" "$other" "$err" >>"$RUNS"
}

# --- 1. Points -----------------------------------------------------------------------------------
log "generating SYNTHETIC points (${SIZES[*]})"
"$PY" scripts/bench/make_points.py --communes geodata/communes-aura-cog2026.geojson \
    --region geodata/region-aura-adminexpress-2018.geojson \
    --out "$P_LARGEST" --n "$(size_n "$LARGEST")" --seed 20170
for size in "${SIZES[@]}"; do # the smaller sets: the first points of the largest one
    if [ "$size" != "$LARGEST" ]; then
        head -n "$(($(size_n "$size") + 1))" "$P_LARGEST" >"$TMP/points-$size-synthetic.csv"
    fi
done
echo "sizes=${SIZES[*]}" >>"$META"
echo "peers=${PEERS[*]}" >>"$META"

# --- Peers: which are installed -------------------------------------------------------------------
# QGIS: qgis_process, headless. Debian's qgis_process wrapper adds an option (--noversioncheck) that
# QGIS 3.22 rejects: call the .bin directly.
QGIS=""
QGIS_ALG=""
if ! has_peer qgis; then
    echo "qgis_status=not run (not in BENCH_PEERS)" >>"$META"
else
    for c in qgis_process.bin /usr/lib/qgis/qgis_process.bin /usr/bin/qgis_process.bin qgis_process; do
        if command -v "$c" >/dev/null 2>&1; then
            QGIS="$(command -v "$c")"
            break
        fi
    done
    if [ -n "$QGIS" ]; then
        # native: (C++, QGIS >= 3.28?) if there, else the Python qgis: one of QGIS 3.22.
        QGIS_ALG="$(QT_QPA_PLATFORM=offscreen "$QGIS" list 2>/dev/null |
            grep -o -E '(native|qgis):distancetonearesthubpoints' | sort | head -1 || true)"
    fi
    if [ -n "$QGIS_ALG" ]; then
        {
            echo "qgis_status=ok"
            echo "qgis=$QGIS"
            echo "qgis_alg=$QGIS_ALG"
            echo "qgis_version=$(QT_QPA_PLATFORM=offscreen "$QGIS" --version 2>/dev/null |
                grep -m1 -o -E '^QGIS [0-9.]+' || echo 'QGIS (version unknown)')"
            echo "qgis_reps=$QGIS_REPS"
            echo "qgis_max_points=$QGIS_MAX_POINTS"
        } >>"$META"
        log "QGIS peer: $QGIS $QGIS_ALG"
    else
        echo "qgis_status=not installed (no qgis_process with distancetonearesthubpoints; scripts/install-deps.sh --bench-peers)" >>"$META"
        log "QGIS peer: not installed (qgis_process.bin / qgis_process not found, or without the algorithm)"
    fi
fi
csv_uri() { # a delimited-text layer of a lon/lat CSV, as QGIS's "Add delimited text layer" makes it
    printf 'delimitedtext://file://%s?type=csv&delimiter=,&xField=lon&yField=lat&crs=EPSG:4326&detectTypes=yes&geomType=point' \
        "$(realpath "$1")"
}

# PostGIS: a server of our own, in a temporary directory, listening on its unix socket only (no TCP
# port to collide with); initdb's default settings. PostgreSQL refuses to run as root: as root, the
# server runs as the postgres user (made by Debian's postgresql package).
PG_DIR=""
PG_BIN=""
PG_WHY=""
PG_STATE="not installed"
pg_as() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}
pg_stop() {
    if [ -n "$PG_DIR" ]; then
        if [ -f "$PG_DIR/data/postmaster.pid" ]; then
            pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -m fast stop >/dev/null 2>&1 || true
        fi
        rm -rf "$PG_DIR"
        PG_DIR=""
    fi
}
pg_start() {
    PG_BIN="$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1)"
    local ver
    ver="$(basename "$(dirname "${PG_BIN:-/x/x}")")"
    if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
        PG_WHY="PostgreSQL server not installed (no /usr/lib/postgresql/*/bin/initdb)"
        return 1
    elif [ ! -f "/usr/share/postgresql/$ver/extension/postgis.control" ]; then
        PG_WHY="PostGIS not installed for PostgreSQL $ver"
        return 1
    elif ! "$PY" -c 'import psycopg2' 2>/dev/null; then
        PG_WHY="python3-psycopg2 not installed"
        return 1
    elif [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        PG_WHY="running as root and there is no postgres user to run the server"
        PG_STATE="not run"
        return 1
    fi
    PG_DIR="$(mktemp -d /tmp/maillage-bench-pg.XXXXXX)"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$PG_DIR"
    fi
    if ! pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >"$LOGS/postgres-initdb.log" 2>&1 ||
        ! pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/server.log" \
            -o "-k $PG_DIR -c listen_addresses=''" start >/dev/null 2>&1 ||
        ! psql -h "$PG_DIR" -U postgres -d postgres -Atqc "CREATE DATABASE bench" >/dev/null 2>&1 ||
        ! psql -h "$PG_DIR" -U postgres -d bench -Atqc "CREATE EXTENSION postgis" >/dev/null 2>&1; then
        PG_WHY="the server could not be started (see $LOGS/postgres-*.log)"
        PG_STATE="failed"
        cp "$PG_DIR/server.log" "$LOGS/postgres-server.log" 2>/dev/null || true
        pg_stop
        return 1
    fi
    return 0
}
trap pg_stop EXIT
trap 'exit 130' INT TERM # through the EXIT trap: the server is stopped
if ! has_peer postgis; then
    echo "postgis_status=not run (not in BENCH_PEERS)" >>"$META"
elif pg_start; then
    {
        echo "postgis_status=ok"
        echo "postgres_version=$(psql -h "$PG_DIR" -U postgres -d bench -Atc 'SHOW server_version')"
        echo "postgis_version=$(psql -h "$PG_DIR" -U postgres -d bench -Atc 'SELECT postgis_lib_version()')"
    } >>"$META"
    log "PostGIS peer: server in $PG_DIR"
else
    echo "postgis_status=$PG_STATE ($PG_WHY; scripts/install-deps.sh --bench-peers)" >>"$META"
    log "PostGIS peer: $PG_WHY"
fi

# --- 2a/2b. Nearest site: maillage and peers, interleaved repetitions -----------------------------
log "nearest: maillage and the peers (${PEERS[*]:-none}), ${SIZES[*]} points, ${REPS} repetitions"
wait_idle
if [ -n "$QGIS_ALG" ]; then
    # QGIS reads the hubs from a GeoPackage: it fetches the nearest hub by feature id for every
    # point, and that is faster from a GeoPackage than from a delimited-text layer.
    rm -f "$TMP/sites-qgis.gpkg"
    ogr2ogr -f GPKG "$TMP/sites-qgis.gpkg" "$SITES" -nln sites -a_srs EPSG:4326 \
        -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat
fi
for rep in $(seq 1 "$REPS"); do
    for size in "${SIZES[@]}"; do
        pts="$TMP/points-$size-synthetic.csv"
        for th in 1 0; do
            label=$([ "$th" = 0 ] && echo "$NPROC" || echo 1)
            run_timed "nearest.maillage.$size.t$label" maillage nearest "$size" "$label" "$rep" all -- \
                "$MAILLAGE" nearest --sites "$SITES" --points "$pts" \
                --out "$TMP/nearest-maillage-$size-t$label.csv" --threads "$th" --no-progress
        done
        if has_peer ckdtree; then
            for w in 1 -1; do
                label=$([ "$w" = -1 ] && echo "$NPROC" || echo 1)
                PEER=1 run_timed "nearest.ckdtree.$size.t$label" ckdtree nearest "$size" "$label" "$rep" all -- \
                    "$PY" scripts/bench/peer_ckdtree.py --sites "$SITES" --points "$pts" \
                    --out "$TMP/nearest-ckdtree-$size-t$label.csv" --workers "$w" || true
            done
        fi
        if [ -n "$PG_DIR" ]; then
            # Parallel query allowed on all cores (the session's server process and NPROC-1 workers);
            # whether the planner uses the workers is its choice: peer_postgis.py prints how many it
            # planned, and report.py puts the row with that many threads. One run, not two: with
            # PostgreSQL 15 the planner plans no worker for this LATERAL KNN join.
            PEER=1 run_timed "nearest.postgis.$size.tauto" postgis nearest "$size" auto "$rep" all -- \
                "$PY" scripts/bench/peer_postgis.py --host "$PG_DIR" --user postgres --db bench \
                --sites "$SITES" --points "$pts" --out "$TMP/nearest-postgis-$size-tauto.csv" \
                --workers $((NPROC - 1)) || true
        fi
        # QGIS: single-threaded; BENCH_QGIS_REPS repetitions, sizes up to BENCH_QGIS_MAX_POINTS.
        if [ -n "$QGIS_ALG" ] && [ "$rep" -le "$QGIS_REPS" ] && [ "$(size_n "$size")" -le "$QGIS_MAX_POINTS" ]; then
            # As an analyst sets it up: the points as a delimited-text layer (EPSG:4326), the hub
            # name field = site id, UNIT=0 (metres), and the WGS 84 ellipsoid (EPSG:7030), without
            # which QGIS measures in degrees. Every parameter as --NAME=VALUE.
            out="$(realpath "$TMP")/nearest-qgis-$size-t1.csv"
            rm -f "$out"
            PEER=1 run_timed "nearest.qgis.$size.t1" qgis nearest "$size" 1 "$rep" all -- \
                env QT_QPA_PLATFORM=offscreen "$QGIS" run "$QGIS_ALG" --ELLIPSOID=EPSG:7030 \
                "--INPUT=$(csv_uri "$pts")" "--HUBS=$(realpath "$TMP/sites-qgis.gpkg")" \
                --FIELD=id --UNIT=0 "--OUTPUT=$out" || true
        fi
    done
done
pg_stop

# --- 2e + 2d. Full analysis at each grid size; the GDAL proximity peer on the same grids ------------
log "analyse at ${GRIDS[*]} m; gdal_rasterize + gdal_proximity.py at ${PROXIMITY_GRIDS[*]} m"
BENCH_IDLE_WAIT="${BENCH_IDLE_WAIT_AGAIN:-30}" wait_idle
for rep in $(seq 1 "$REPS"); do
    for g in "${GRIDS[@]}"; do
        run_timed "analyse.maillage.$g" maillage analyse "$g" "$NPROC" "$rep" all -- \
            "$MAILLAGE" analyse --out "$TMP/run$g" --no-progress --grid-m "$g"
    done
    for g in "${PROXIMITY_GRIDS[@]}"; do
        run="$TMP/run$g"
        # The peer works on maillage's grid: same extent, resolution and CRS as distance.tif.
        "$PY" - "$run/distance.tif" "$run/grid.env" "$run/grid.wkt" <<'EOF'
import sys
from osgeo import gdal
ds = gdal.Open(sys.argv[1])
gt = ds.GetGeoTransform()
x0, y1 = gt[0], gt[3]
x1, y0 = x0 + gt[1] * ds.RasterXSize, y1 + gt[5] * ds.RasterYSize
with open(sys.argv[2], "w") as f:
    f.write(f"TE='{x0!r} {y0!r} {x1!r} {y1!r}'\nTR='{gt[1]!r} {-gt[5]!r}'\n")
with open(sys.argv[3], "w") as f:
    f.write(ds.GetProjection())
EOF
        # shellcheck disable=SC1091
        . "$run/grid.env"
        rm -f "$run/sites-grid.gpkg" "$run/sites-grid.tif" "$run/proximity.tif"
        id="proximity.gdal.$g"
        # Sites (the ones maillage used) into the grid's CRS, burnt into a grid, then proximity.
        run_timed "$id" gdal_proximity raster "$g" 1 "$rep" 1-ogr2ogr -- \
            ogr2ogr -t_srs "$run/grid.wkt" "$run/sites-grid.gpkg" "$run/sites.geojson"
        # shellcheck disable=SC2086
        run_timed "$id" gdal_proximity raster "$g" 1 "$rep" 2-rasterize -- \
            gdal_rasterize -q -burn 1 -init 0 -ot Byte -a_srs "$run/grid.wkt" -te $TE -tr $TR \
            "$run/sites-grid.gpkg" "$run/sites-grid.tif"
        run_timed "$id" gdal_proximity raster "$g" 1 "$rep" 3-proximity -- \
            gdal_proximity.py -q "$run/sites-grid.tif" "$run/proximity.tif" -values 1 \
            -distunits GEO -ot Float32
    done
done

# --- 2c. Accuracy ------------------------------------------------------------------------------------
log "accuracy: brute-force geodesic nearest on $ACC_SAMPLE sampled points; rasters"
tools=()
for f in "$TMP"/nearest-*-t*.csv; do
    b=$(basename "$f" .csv)
    # A peer's output is scored only if none of its runs failed (a failed run may leave half a file).
    if [ -f "$TMP/failed.tsv" ] && cut -f1 "$TMP/failed.tsv" | grep -qxF "${b//-/.}"; then
        log "accuracy: $f not scored (a run failed: see $TMP/failed.tsv)"
        continue
    fi
    tools+=(--tool "${b#nearest-}=$f")
done
pair=()
if [ -f "$TMP/nearest-ckdtree-$LARGEST-t$NPROC.csv" ]; then
    pair=(--pair "maillage-$LARGEST-t$NPROC" "ckdtree-$LARGEST-t$NPROC")
fi
# QGIS's HubDist is in metres (UNIT=0 above).
"$PY" scripts/bench/accuracy_nearest.py --points "$P_LARGEST" --sites "$SITES" --sample "$ACC_SAMPLE" --seed 7 \
    "${tools[@]}" "${pair[@]}" --hubdist-unit m --json "$TMP/accuracy.json"
for g in "${GRIDS[@]}"; do
    prox=()
    if [ -f "$TMP/run$g/proximity.tif" ]; then
        prox=(--proximity "$TMP/run$g/proximity.tif")
    fi
    "$PY" scripts/bench/compare_rasters.py --maillage "$TMP/run$g/distance.tif" "${prox[@]}" \
        --sites "$TMP/run$g/sites.geojson" --json "$TMP/raster-$g.json"
done

echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$META"
echo "bench_seconds=$(($(date +%s) - T_START))" >>"$META"

# --- 3. Report ---------------------------------------------------------------------------------------
"$PY" scripts/bench/report.py --tmp "$TMP" --out "$REPORT"
