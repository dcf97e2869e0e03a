#!/usr/bin/env bash
# Build maillage, run it on the shipped Auvergne-Rhône-Alpes data and show where the results are.
# Environment: BUILD_DIR (default: build), BUILD_TYPE (default: Release).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR="${BUILD_DIR:-build}"
export BUILD_DIR

bash scripts/build.sh

"$BUILD_DIR/maillage" analyse --out out

echo
echo "Results written to $(pwd)/out/:"
ls -l out/
echo
echo "Open out/zones.geojson in QGIS."
echo

if [ -f out/summary.json ]; then
    echo "Headline figures (out/summary.json):"
    /usr/bin/python3 -c '
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    s = json.load(f)
def get(path):
    v = s
    for k in path.split("."):
        if not isinstance(v, dict) or k not in v:
            return "n/a"
        v = v[k]
    return v
for key in ("population_total", "population_beyond", "share_beyond",
            "distance_km.mean", "distance_km.p90"):
    v = get(key)
    if isinstance(v, float):
        v = f"{v:.4g}"
    print(f"  {key:<18} {v}")
' out/summary.json
else
    echo "demo.sh: out/summary.json not found" >&2
    exit 1
fi
