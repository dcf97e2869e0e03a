#!/usr/bin/python3
"""Accuracy of nearest-site tools against the exact geodesic nearest site (brute force).

For a fixed random sample of the points (seeded), the WGS84 geodesic distance from each sampled
point to every site is computed with pyproj.Geod.inv (vectorised); the true nearest distance is
the minimum. For each tool's output CSV:
  - distance error = |reported distance - true nearest distance| (m); it includes the output's
    rounding (maillage and peer_ckdtree: 4 decimals of km, up to 0.05 m; QGIS and PostGIS write
    full precision);
  - wrong nearest = the reported site is farther than the true nearest by more than 1 mm (ties
    within 1 mm, e.g. sites sharing coordinates, do not count), or no site was reported.

With --pair A B (two tool names), every point (not only the sample) is compared: where A and B
report different sites, the geodesic distances to both are computed, and the cases where one
site is farther than the other by more than 1 mm are counted for each tool.

Usage: accuracy_nearest.py --points P.csv --sites S.csv --sample 20000 --seed 7
                           --tool NAME=OUT.csv [--tool ...] [--pair A B] --json RESULT.json
Tool CSVs need an id column, then a site column and a distance column: nearest_site_id with
nearest_km (maillage, peer_ckdtree) or nearest_m (peer_postgis), or HubName with HubDist (QGIS
"Distance to nearest hub"; its unit is the UNIT parameter of the QGIS run: --hubdist-unit, metres
unless told km).
"""
import argparse
import csv
import json
import sys
import time

import numpy as np
from pyproj import Geod

SITE_COLS = ("nearest_site_id", "HubName")
# Distance columns and their size in metres; HubDist's is set from --hubdist-unit.
DIST_COLS = {"nearest_km": 1000.0, "nearest_m": 1.0, "HubDist": 1.0}


def read_sites(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["id"] for r in rows], np.array([float(r["lon"]) for r in rows]), np.array([float(r["lat"]) for r in rows])


def brute_force(lon, lat, slon, slat, chunk=200):
    geod = Geod(ellps="WGS84")
    n, m = len(lon), len(slon)
    d = np.empty((n, m))
    for b in range(0, n, chunk):
        e = min(b + chunk, n)
        k = e - b
        _, _, dist = geod.inv(np.repeat(lon[b:e], m), np.repeat(lat[b:e], m), np.tile(slon, k), np.tile(slat, k))
        d[b:e] = dist.reshape(k, m)
    return d


def evaluate(path, sample_ids, d, dmin, site_index):
    pos = {int(i): k for k, i in enumerate(sample_ids)}
    reported_m = np.full(len(sample_ids), np.nan)
    chosen = np.full(len(sample_ids), -1, dtype=np.int64)
    seen = np.zeros(len(sample_ids), dtype=bool)  # sampled points present in this output
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r)
        i_id = header.index("id")
        i_site = next((header.index(c) for c in SITE_COLS if c in header), None)
        dist_col = next((c for c in DIST_COLS if c in header), None)
        if i_site is None or dist_col is None:
            sys.exit(f"accuracy_nearest.py: {path}: no site/distance columns in {header}")
        i_dist, to_m = header.index(dist_col), DIST_COLS[dist_col]
        for row in r:
            k = pos.get(int(float(row[i_id])))
            if k is None:
                continue
            seen[k] = True
            if row[i_dist] != "":
                reported_m[k] = float(row[i_dist]) * to_m
            chosen[k] = site_index.get(row[i_site], -1)
    present = seen
    found = present & np.isfinite(reported_m) & (chosen >= 0)
    err = np.abs(reported_m[found] - dmin[found])
    rows = np.nonzero(found)[0]
    excess = d[rows, chosen[found]] - dmin[found]
    missing = int(np.count_nonzero(present & ~found))
    wrong = int(np.count_nonzero(excess > 1e-3)) + missing
    return {
        "n": int(np.count_nonzero(present)),
        "missing": missing,
        "max_error_m": float(err.max()) if err.size else None,
        "p99_error_m": float(np.percentile(err, 99)) if err.size else None,
        "wrong_nearest": wrong,
        "max_wrong_excess_m": float(excess.max()) if excess.size and excess.max() > 1e-3 else 0.0,
    }


def chosen_sites(path, n_points, site_index):
    """Site index (-1 if none) reported for each point id 1..n_points."""
    out = np.full(n_points + 1, -1, dtype=np.int64)
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r)
        i_id = header.index("id")
        i_site = next(header.index(c) for c in SITE_COLS if c in header)
        for row in r:
            out[int(float(row[i_id]))] = site_index.get(row[i_site], -1)
    return out


def compare_pair(path_a, path_b, pid, lon, lat, slon, slat, site_index):
    n = int(pid.max())
    a = chosen_sites(path_a, n, site_index)[pid]
    b = chosen_sites(path_b, n, site_index)[pid]
    diff = np.nonzero(a != b)[0]
    res = {"points": int(len(pid)), "different_site": int(len(diff)), "a_farther": 0, "b_farther": 0,
           "max_excess_a_m": 0.0, "max_excess_b_m": 0.0}
    ok = diff[(a[diff] >= 0) & (b[diff] >= 0)]
    if ok.size:
        geod = Geod(ellps="WGS84")
        _, _, da = geod.inv(lon[ok], lat[ok], slon[a[ok]], slat[a[ok]])
        _, _, db = geod.inv(lon[ok], lat[ok], slon[b[ok]], slat[b[ok]])
        res["a_farther"] = int(np.count_nonzero(da - db > 1e-3))
        res["b_farther"] = int(np.count_nonzero(db - da > 1e-3))
        res["max_excess_a_m"] = float(max(0.0, (da - db).max()))
        res["max_excess_b_m"] = float(max(0.0, (db - da).max()))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", required=True)
    ap.add_argument("--sites", required=True)
    ap.add_argument("--sample", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--tool", action="append", default=[], help="NAME=OUT.csv")
    ap.add_argument("--pair", nargs=2, metavar=("A", "B"), help="compare two tools on every point")
    ap.add_argument("--hubdist-unit", choices=("m", "km"), default="m",
                    help="unit of QGIS's HubDist column (the UNIT of the QGIS run): m (UNIT=0) or km (UNIT=3)")
    ap.add_argument("--json", required=True)
    a = ap.parse_args()
    DIST_COLS["HubDist"] = 1000.0 if a.hubdist_unit == "km" else 1.0

    t0 = time.perf_counter()
    data = np.loadtxt(a.points, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    rng = np.random.default_rng(a.seed)
    take = np.sort(rng.choice(len(data), size=min(a.sample, len(data)), replace=False))
    ids, lon, lat = data[take, 0].astype(np.int64), data[take, 1], data[take, 2]
    site_ids, slon, slat = read_sites(a.sites)
    site_index = {s: i for i, s in enumerate(site_ids)}
    d = brute_force(lon, lat, slon, slat)
    dmin = d.min(axis=1)
    t_ref = time.perf_counter() - t0
    out = {"sample": int(len(ids)), "sites": len(site_ids),
           "distinct_site_positions": len(set(zip(slon.tolist(), slat.tolist()))),
           "seed": a.seed, "reference_s": t_ref, "tools": {}}
    paths = {}
    for spec in a.tool:
        name, path = spec.split("=", 1)
        paths[name] = path
        out["tools"][name] = evaluate(path, ids, d, dmin, site_index)
    if a.pair:
        pa, pb = a.pair
        out["pair"] = {"a": pa, "b": pb, **compare_pair(paths[pa], paths[pb], data[:, 0].astype(np.int64),
                                                        data[:, 1], data[:, 2], slon, slat, site_index)}
    with open(a.json, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
    print(f"accuracy_nearest.py: brute force {len(ids)} x {len(site_ids)} geodesics in {t_ref:.1f} s; "
          + "; ".join(f"{k}: {v}" for k, v in out["tools"].items()), file=sys.stderr)


if __name__ == "__main__":
    main()
