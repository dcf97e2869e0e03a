#!/usr/bin/env python3
"""Regenerates the hand-made fixtures of the CLI tests (tests/cli/) in this folder.

Every value here is chosen by hand (see README.md); pyproj and ogr2ogr only convert them to
Lambert-93 (EPSG:2154) and to a GeoPackage. Run with Debian's python3:
    /usr/bin/python3 tests/data/cli/make_fixtures.py
"""

import csv
import json
import os
import sqlite3
import subprocess
from pathlib import Path

from pyproj import Transformer

HERE = Path(__file__).resolve().parent


def square(lon0, lat0, lon1, lat1):
    """A lon/lat rectangle as one counter-clockwise ring (RFC 7946 winding)."""
    return [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]


def feature(props, rings_or_parts, multi=False):
    if multi:
        geom = {"type": "MultiPolygon", "coordinates": [[r] for r in rings_or_parts]}
    else:
        geom = {"type": "Polygon", "coordinates": [rings_or_parts]}
    return {"type": "Feature", "properties": props, "geometry": geom}


def write_geojson(name, features):
    doc = {"type": "FeatureCollection", "features": features}
    with open(HERE / name, "w", encoding="utf-8") as f:
        f.write('{"type": "FeatureCollection", "features": [\n')
        f.write(",\n".join(json.dumps(ft, ensure_ascii=False) for ft in doc["features"]))
        f.write("\n]}\n")


def write_csv(name, header, rows, delimiter=","):
    with open(HERE / name, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_text(name, text):
    with open(HERE / name, "w", encoding="utf-8", newline="") as f:
        f.write(text)


# --- Three ~10 km squares near lon 5, lat 45 --------------------------------------------------
SMALL_ZONES = [
    # code, nom, population, departement, canton, lon0, lon1
    ("Z1", "Zone A", 12000, "01", "c1", 5.00, 5.13),
    ("Z2", "Zone B", 25000, "01", "c2", 5.13, 5.26),
    ("Z3", "Zone C", 4000, "02", "c2", 5.26, 5.39),
]
LAT0, LAT1 = 45.00, 45.09

# id, nom, type_service, active, lon, lat
SMALL_SITES = [
    ("a1", "Site A centre", "cio", 1, 5.065, 45.045),   # centre of zone A
    ("b1", "Site B", "cij", 1, 5.20, 45.06),            # in zone B
    ("c1", "Site C (inactive)", "cio", 0, 5.33, 45.03),  # in zone C, filtered out by active = 1
    ("x1", "Site outside", "cij", 1, 5.45, 45.20),       # outside every zone
]


def small():
    feats = [
        feature({"code": c, "nom": n, "population": p, "departement": d, "canton": k},
                square(l0, LAT0, l1, LAT1))
        for c, n, p, d, k, l0, l1 in SMALL_ZONES
    ]
    write_geojson("zones_small.geojson", feats)
    write_csv("sites_one.csv", ["id", "nom", "lon", "lat"], [["a1", "Site A centre", 5.065, 45.045]])
    write_csv("sites_small.csv", ["id", "nom", "type_service", "active", "lon", "lat"],
              [list(s) for s in SMALL_SITES])

    # Lambert-93 versions: the sites as x/y columns (no CRS in a CSV), the zones with ogr2ogr.
    to_l93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    rows = []
    for sid, nom, typ, active, lon, lat in SMALL_SITES:
        x, y = to_l93.transform(lon, lat)
        rows.append([sid, nom, typ, active, f"{x:.3f}", f"{y:.3f}"])
    write_csv("sites_small_l93.csv", ["id", "nom", "type_service", "active", "x", "y"], rows)

    for name in ("zones_small_l93.geojson", "zones_small_l93_nocrs.geojson", "sites_small_l93.gpkg"):
        (HERE / name).unlink(missing_ok=True)
    subprocess.run(["ogr2ogr", "-f", "GeoJSON", "-t_srs", "EPSG:2154", "-lco", "RFC7946=NO",
                    "-lco", "COORDINATE_PRECISION=3", "-lco", "WRITE_NAME=NO",
                    str(HERE / "zones_small_l93.geojson"), str(HERE / "zones_small.geojson")],
                   check=True)
    # The same coordinates with the "crs" member removed: a layer without CRS.
    doc = json.loads((HERE / "zones_small_l93.geojson").read_text(encoding="utf-8"))
    doc.pop("crs")
    write_geojson("zones_small_l93_nocrs.geojson", doc["features"])

    gpkg = HERE / "sites_small_l93.gpkg"
    subprocess.run(["ogr2ogr", "-f", "GPKG", "-s_srs", "EPSG:4326", "-t_srs", "EPSG:2154",
                    "-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat",
                    "-oo", "AUTODETECT_TYPE=YES", "-lco", "SPATIAL_INDEX=NO", "-nln", "sites",
                    "-select", "id,nom,type_service,active",
                    str(gpkg), str(HERE / "sites_small.csv")], check=True)
    con = sqlite3.connect(gpkg)
    con.execute("PRAGMA page_size = 1024")
    con.execute("VACUUM")
    con.close()


# --- Antimeridian (Fiji-like, lat -17) -------------------------------------------------------
def antimeridian():
    feats = [
        feature({"code": "W", "nom": "West of 180", "population": 5000},
                square(179.70, -17.20, 180.0, -17.00)),
        feature({"code": "E", "nom": "East of -180", "population": 3000},
                square(-180.0, -17.20, -179.70, -17.00)),
        # Crosses the antimeridian: split in two parts as RFC 7946 asks.
        feature({"code": "X", "nom": "Across 180", "population": 2000},
                [square(179.85, -17.40, 180.0, -17.20), square(-180.0, -17.40, -179.85, -17.20)],
                multi=True),
    ]
    write_geojson("zones_antimeridian.geojson", feats)
    write_csv("sites_antimeridian.csv", ["id", "nom", "lon", "lat"], [
        ["f1", "West site", 179.80, -17.10],
        ["f2", "East site in X", -179.95, -17.30],
        ["f3", "East site", -179.75, -17.05],
    ])


# --- Near the North Pole (lat 85 to 88) ------------------------------------------------------
def pole():
    feats = [
        feature({"code": "P1", "nom": "P1", "population": 100}, square(0.0, 85.0, 10.0, 86.0)),
        feature({"code": "P2", "nom": "P2", "population": 200}, square(10.0, 85.0, 20.0, 86.0)),
        feature({"code": "P3", "nom": "P3", "population": 50}, square(-170.0, 86.0, -160.0, 87.0)),
        feature({"code": "P4", "nom": "P4", "population": 70}, square(175.0, 87.0, 180.0, 88.0)),
        feature({"code": "P5", "nom": "P5", "population": 30}, square(-180.0, 87.0, -175.0, 88.0)),
    ]
    write_geojson("zones_pole.geojson", feats)
    write_csv("sites_pole.csv", ["id", "nom", "lon", "lat"], [
        ["n1", "N1", 5.0, 85.5],
        ["n2", "N2", 100.0, 86.5],
        ["n3", "N3", -177.0, 87.5],
    ])


# --- Bad inputs used by other tests than the corpus (tests/data/bad/, make_bad.py) -------------
def bad():
    feats = []
    for c, n, p, d, k, l0, l1 in SMALL_ZONES:
        props = {"code": c, "nom": n, "population": "abc" if c == "Z2" else str(p), "departement": d}
        feats.append(feature(props, square(l0, LAT0, l1, LAT1)))
    write_geojson("zones_bad_population.geojson", feats)

    write_csv("sites_duplicates_swapped.csv", ["id", "nom", "lon", "lat"], [
        ["t1", "Tokyo", 139.69, 35.69],            # line 2
        ["t2", "Osaka", 135.50, 34.69],            # line 3
        ["t1", "Tokyo bis", 139.70, 35.70],        # line 4: duplicate of line 2
        ["t4", "Sapporo (swapped)", 43.06, 141.35],  # line 5: lat/lon swapped
        ["t5", "Fukuoka (swapped)", 33.59, 130.40],  # line 6: lat/lon swapped
        ["t2", "Osaka bis", 135.51, 34.70],        # line 7: duplicate of line 3
    ])


if __name__ == "__main__":
    os.chdir(HERE)
    small()
    antimeridian()
    pole()
    bad()
