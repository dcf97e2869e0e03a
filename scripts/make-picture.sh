#!/usr/bin/env bash
# Draws docs/img/distance.png from a run's distance raster (GDAL only): distance to the nearest
# site in colour classes, department outlines and sites in black.
# Usage: scripts/make-picture.sh [RUN_DIR] (default out/, made by scripts/demo.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
run="${1:-out}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
[ -f "$run/distance.tif" ] || { echo "make-picture.sh: $run/distance.tif not found; run scripts/demo.sh first" >&2; exit 1; }
cat > "$tmp/ramp.txt" <<'RAMP'
nv 255 255 255
0 26 152 80
5 145 207 96
10 217 239 139
15 254 224 139
20 252 141 89
30 215 48 39
60 120 0 20
RAMP
gdaldem color-relief -q -nearest_color_entry "$run/distance.tif" "$tmp/ramp.txt" "$tmp/rgb.tif"
srs="$(gdalsrsinfo -o proj4 "$run/distance.tif" | tr -d "'")"
ogr2ogr -q -t_srs "$srs" -nlt MULTILINESTRING "$tmp/dep.gpkg" geodata/departements-aura-adminexpress-2018.geojson
ogr2ogr -q -t_srs "$srs" "$tmp/sites.gpkg" "$run/sites.geojson"
gdal_rasterize -q -burn 40 -burn 40 -burn 40 "$tmp/dep.gpkg" "$tmp/rgb.tif"
gdal_rasterize -q -burn 0 -burn 0 -burn 0 "$tmp/sites.gpkg" "$tmp/rgb.tif"
mkdir -p docs/img
gdal_translate -q -of PNG -outsize 50% 50% "$tmp/rgb.tif" docs/img/distance.png
rm -f docs/img/distance.png.aux.xml
echo "wrote docs/img/distance.png"
