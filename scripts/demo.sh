#!/usr/bin/env bash
# Build maillage, run it on the shipped Auvergne-Rhône-Alpes data (layers, QGIS project, report)
# and show where the results are.
# Environment: BUILD_DIR (default: build), BUILD_TYPE (default: Release).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR="${BUILD_DIR:-build}"
export BUILD_DIR

bash scripts/build.sh

"$BUILD_DIR/maillage" analyse --out out --qgis-project
"$BUILD_DIR/maillage" report --run out --out report

echo
echo "Results written to $(pwd)/out/:"
ls -l out/
echo
echo "Open out/maillage.qgs in QGIS (every layer styled; a ready A4 print layout under"
echo "Project > Layouts), and the report report/index.html in a browser"
echo "(\`maillage report --run out --out report --pdf\` also prints it to report/report.pdf)."
echo

if [ -f out/summary.json ]; then
    echo "Headline figures (out/summary.json):"
    /usr/bin/python3 - out/summary.json <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    s = json.load(f)
d = s["distance_km"]
t = s["parameters"]["threshold_km"]
u = s["underserved"]
print(f"  inhabitants            {s['population_total']:,.0f}")
border = sum(l["outside_study_area"] for l in s.get("site_layers", []))
print(f"  sites                  {s['sites_count'] - border:,} in the region, {border:,} across its edge (border sites)")
print(f"  mean distance          {d['mean']:.2f} km (population-weighted; median {d['p50']:.2f} km, p90 {d['p90']:.2f} km)")
print(f"  beyond {t:g} km          {s['population_beyond']:,.0f} inhabitants ({100 * s['share_beyond']:.2f} %)")
print(f"  underserved areas      {u['parts']} ({u['area_km2']:,.0f} km2)")
PY
else
    echo "demo.sh: out/summary.json not found" >&2
    exit 1
fi
