#!/usr/bin/env bash
# Benchmark maillage against peers, in one run; writes bench/results.md and prints its table.
#
#   1. SYNTHETIC points: 1,000,000 random points inside the region outline (fixed seed), and the
#      first 100,000 of them (scripts/bench/make_points.py).
#   2. Timings, each the median of BENCH_REPS (default 3) runs, wall and peak memory from
#      /usr/bin/time -f '%e %M', phase timings parsed from the tools' stderr:
#      a. maillage nearest, 100k and 1M points, --threads 1 and all threads;
#      b. peer: scipy cKDTree (ECEF) + pyproj geodesic (scripts/bench/peer_ckdtree.py), workers=1/-1;
#         QGIS "Distance to nearest hub" (100k points) only where qgis_process is installed;
#      c. accuracy against the exact geodesic nearest (brute force on 20,000 sampled points);
#      d. gdal_rasterize + gdal_proximity.py on maillage's distance.tif grid at 200 m and 100 m,
#         compared with maillage's exact distances;
#      e. maillage analyse on the shipped data at 500 m, 200 m and 100 m.
#   3. bench/results.md (and bench/tmp/ for everything intermediate).
#
# Takes about 10 minutes on 2 cores. Environment: BENCH_REPS (3), BENCH_BUILD_DIR (build-bench),
# BENCH_REF (empty: measure the working tree; else a git revision, e.g. HEAD, measured from a clean export),
# BENCH_IDLE_WAIT (120: seconds to wait at most for other processes to calm down before measuring).
# The benchmark builds its own Release tree (BENCH_BUILD_DIR, tests off) with scripts/build.sh, so
# that it never reconfigures a developer's build/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REPS="${BENCH_REPS:-3}"
BUILD_DIR="${BENCH_BUILD_DIR:-build-bench}"
PY=/usr/bin/python3 # Debian's python3 (python3-scipy, python3-pyproj, python3-gdal), not a pyenv one
TMP=bench/tmp
LOGS="$TMP/logs"
RUNS="$TMP/runs.tsv"
SITES=geodata/structures-aura-dila-2017.csv
P1M="$TMP/points-1m-synthetic.csv"
P100K="$TMP/points-100k-synthetic.csv"
GRIDS=(500 200 100)
PROXIMITY_GRIDS=(200 100)
NPROC="$(nproc)"

log() { printf 'bench.sh: %s\n' "$*" >&2; }
T_START=$(date +%s)

# --- Dependencies and build -------------------------------------------------------------------
bash scripts/install-deps.sh --bench
rm -rf "$LOGS"
mkdir -p "$TMP" "$LOGS"
rm -f "$TMP"/nearest-*.csv "$TMP"/accuracy.json "$TMP"/raster-*.json
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
run_timed() {
    local id=$1 tool=$2 task=$3 size=$4 threads=$5 rep=$6 step=$7
    shift 8
    local err="$LOGS/$id.$rep.$step.err" tf="$LOGS/$id.$rep.$step.time" b0 b1
    b0=$(machine_busy_s)
    if ! /usr/bin/time -f '%e %M %U %S' -o "$tf" "$@" 2>"$err"; then
        log "FAILED: $*"
        tail -20 "$err" >&2
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
log "generating SYNTHETIC points"
"$PY" scripts/bench/make_points.py --communes geodata/communes-aura-cog2026.geojson \
    --region geodata/region-aura-adminexpress-2018.geojson \
    --out "$P1M" --n 1000000 --subset-out "$P100K" --subset-n 100000 --seed 20170

# --- QGIS peer, only where installed ----------------------------------------------------------
QGIS=""
for c in qgis_process.bin /usr/lib/qgis/qgis_process.bin /usr/bin/qgis_process.bin qgis_process; do
    if command -v "$c" >/dev/null 2>&1; then
        QGIS="$(command -v "$c")"
        break
    fi
done
if [ -n "$QGIS" ]; then
    echo "qgis=$QGIS" >>"$META"
    echo "qgis_version=QGIS $(dpkg-query -W -f='${Version}' qgis 2>/dev/null || echo '(version unknown)')" >>"$META"
    log "QGIS peer: $QGIS"
else
    echo "qgis=" >>"$META"
    log "QGIS peer: not installed (qgis_process.bin / qgis_process not found)"
fi
csv_uri() { # a delimited-text layer URI for QGIS
    printf 'file://%s?type=csv&delimiter=,&xField=lon&yField=lat&crs=EPSG:4326&detectTypes=yes&geomType=point' "$(realpath "$1")"
}

# --- 2a/2b. Nearest site: maillage and peers, interleaved repetitions -----------------------------
log "nearest: maillage, scipy cKDTree + pyproj (${REPS} repetitions)"
wait_idle
for rep in $(seq 1 "$REPS"); do
    for size in 100k 1m; do
        pts="$TMP/points-$size-synthetic.csv"
        for th in 1 0; do
            label=$([ "$th" = 0 ] && echo "$NPROC" || echo 1)
            run_timed "nearest.maillage.$size.t$label" maillage nearest "$size" "$label" "$rep" all -- \
                "$MAILLAGE" nearest --sites "$SITES" --points "$pts" \
                --out "$TMP/nearest-maillage-$size-t$label.csv" --threads "$th" --no-progress
        done
        for w in 1 -1; do
            label=$([ "$w" = -1 ] && echo "$NPROC" || echo 1)
            run_timed "nearest.ckdtree.$size.t$label" ckdtree nearest "$size" "$label" "$rep" all -- \
                "$PY" scripts/bench/peer_ckdtree.py --sites "$SITES" --points "$pts" \
                --out "$TMP/nearest-ckdtree-$size-t$label.csv" --workers "$w"
        done
        if [ -n "$QGIS" ] && [ "$size" = 100k ]; then
            # Debian's qgis_process wrapper adds an option QGIS 3.22 rejects: call the .bin directly.
            # Every parameter as --NAME=VALUE (accepted by all 3.x versions; a bare "--" is not).
            # UNIT=3: kilometres; the ellipsoid makes the distances ellipsoidal (WGS84).
            rm -f "$TMP/nearest-qgis-$size-t1.csv"
            run_timed "nearest.qgis.$size.t1" qgis nearest "$size" 1 "$rep" all -- \
                env QT_QPA_PLATFORM=offscreen "$QGIS" run native:distancetonearesthubpoints \
                --ELLIPSOID=EPSG:7030 "--INPUT=$(csv_uri "$pts")" "--HUBS=$(csv_uri "$SITES")" \
                --FIELD=id --UNIT=3 "--OUTPUT=$(realpath "$TMP")/nearest-qgis-$size-t1.csv"
        fi
    done
done

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
log "accuracy: brute-force geodesic nearest on 20,000 sampled points; rasters"
tools=()
for f in "$TMP"/nearest-*-t*.csv; do
    b=$(basename "$f" .csv)
    tools+=(--tool "${b#nearest-}=$f")
done
"$PY" scripts/bench/accuracy_nearest.py --points "$P1M" --sites "$SITES" --sample 20000 --seed 7 \
    "${tools[@]}" --pair "maillage-1m-t$NPROC" "ckdtree-1m-t$NPROC" --json "$TMP/accuracy.json"
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
"$PY" scripts/bench/report.py --tmp "$TMP" --out bench/results.md
