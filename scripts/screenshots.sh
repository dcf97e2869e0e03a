#!/usr/bin/env bash
# Redraws the pictures of docs/img/ from a fresh run on the shipped data, as a user sees them:
#   report.png, report-en.png        the report's page in Chromium (French, English)
#   report-pdf-fr.png, -en.png       pages 1 and 2 of `report --pdf` (A4), side by side
#   qgis-layout.png                  the print layout of maillage.qgs, exported by QGIS
# Needs chromium, poppler-utils (pdftoppm), python3-qgis (scripts/install-deps.sh --test).
# Usage: scripts/screenshots.sh [BUILD_DIR]   (default build/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="${1:-build}/maillage"
[ -x "$bin" ] || { echo "screenshots.sh: $bin not found; run scripts/build.sh first" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p docs/img
"$bin" analyse --format gpkg --qgis-project --out "$tmp/run" --no-progress
for lang in fr en; do
    "$bin" report --run "$tmp/run" --out "$tmp/report-$lang" --lang "$lang" --pdf --quiet
done
shot() { # HTML PNG
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,2400 \
        --screenshot="$2" "file://$1" 2>/dev/null
}
shot "$tmp/report-fr/index.html" docs/img/report.png
shot "$tmp/report-en/index.html" docs/img/report-en.png
for lang in fr en; do
    pdftoppm -png -r 50 -f 1 -l 2 "$tmp/report-$lang/report.pdf" "$tmp/page-$lang"
    /usr/bin/python3 - "$tmp/page-$lang" "docs/img/report-pdf-$lang.png" <<'PY'
import glob, sys
from osgeo import gdal
pages = sorted(glob.glob(sys.argv[1] + "-*.png"))
srcs = [gdal.Open(p) for p in pages]
w = sum(s.RasterXSize for s in srcs) + 20 * (len(srcs) - 1)
h = max(s.RasterYSize for s in srcs)
mem = gdal.GetDriverByName("MEM").Create("", w, h, 3)
for b in range(1, 4):
    mem.GetRasterBand(b).Fill(200)
x = 0
for s in srcs:
    for b in range(1, 4):
        band = s.GetRasterBand(min(b, s.RasterCount))
        mem.GetRasterBand(b).WriteArray(band.ReadAsArray(), x, 0)
    x += s.RasterXSize + 20
gdal.GetDriverByName("PNG").CreateCopy(sys.argv[2], mem)
PY
done
QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/cli/qgis_layout_probe.py "$tmp/run/maillage.qgs" \
    docs/img/qgis-layout.png "$tmp/layout.pdf" >/dev/null
rm -f docs/img/*.aux.xml
echo "wrote docs/img/report.png report-en.png report-pdf-fr.png report-pdf-en.png qgis-layout.png"
