#!/usr/bin/python3
"""Peer for `maillage nearest`: scipy cKDTree over ECEF + pyproj geodesic distances.

What a competent Python user would write: read the points with numpy, build a cKDTree over the
Earth-centred (ECEF, WGS84, height 0) coordinates of the sites, query k=1, then measure the WGS84
geodesic distance to the site found with pyproj.Geod.inv (vectorised). The k=1 chord-nearest
site is not always the geodesic-nearest one (the ellipsoid is not a sphere); the benchmark
measures how often that matters.

Writes CSV id,nearest_site_id,nearest_km (km rounded to 4 decimals, as maillage does) and prints
on stderr: "peer_ckdtree: N points, M sites; timings (s): read X, index X, query with distances X,
write X; total X" (query with distances = ECEF of the points + tree query + geodesic distances).

Usage: peer_ckdtree.py --sites S.csv --points P.csv --out OUT.csv [--workers 1|-1]
"""
import argparse
import csv
import sys
import time

import numpy as np
from pyproj import Geod
from scipy.spatial import cKDTree

A = 6378137.0
F = 1.0 / 298.257223563
E2 = F * (2.0 - F)
LON_NAMES = ("lon", "longitude", "lng", "x")
LAT_NAMES = ("lat", "latitude", "y")


def ecef(lon_deg, lat_deg):
    lon = np.radians(lon_deg)
    lat = np.radians(lat_deg)
    s = np.sin(lat)
    c = np.cos(lat)
    n = A / np.sqrt(1.0 - E2 * s * s)
    return np.column_stack([n * c * np.cos(lon), n * c * np.sin(lon), n * (1.0 - E2) * s])


def column(header, names, path):
    low = [h.strip().lower() for h in header]
    for n in names:
        if n in low:
            return low.index(n)
    sys.exit(f"peer_ckdtree.py: {path}: none of the columns {names} in {header}")


def read_sites(path):
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r)
        i_id = column(header, ("id",), path)
        i_lon = column(header, LON_NAMES, path)
        i_lat = column(header, LAT_NAMES, path)
        ids, lon, lat = [], [], []
        for row in r:
            ids.append(row[i_id])
            lon.append(float(row[i_lon]))
            lat.append(float(row[i_lat]))
    return np.array(ids, dtype=object), np.array(lon), np.array(lat)


def read_points(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    i_id = column(header, ("id",), path)
    i_lon = column(header, LON_NAMES, path)
    i_lat = column(header, LAT_NAMES, path)
    # Numeric ids (as in the benchmark's points); loadtxt's C parser reads 1M rows in about 1 s.
    data = np.loadtxt(path, delimiter=",", skiprows=1, usecols=(i_id, i_lon, i_lat), dtype=np.float64, ndmin=2)
    return data[:, 0].astype(np.int64), data[:, 1], data[:, 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", required=True)
    ap.add_argument("--points", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--workers", type=int, default=1, help="cKDTree.query workers (-1: all cores)")
    a = ap.parse_args()

    t0 = time.perf_counter()
    site_ids, site_lon, site_lat = read_sites(a.sites)
    pid, lon, lat = read_points(a.points)
    t_read = time.perf_counter() - t0

    t = time.perf_counter()
    tree = cKDTree(ecef(site_lon, site_lat))
    t_index = time.perf_counter() - t

    t = time.perf_counter()
    _, nearest = tree.query(ecef(lon, lat), k=1, workers=a.workers)
    _, _, dist_m = Geod(ellps="WGS84").inv(lon, lat, site_lon[nearest], site_lat[nearest])
    t_query = time.perf_counter() - t

    t = time.perf_counter()
    km = np.round(dist_m / 1000.0, 4)
    sid = site_ids[nearest]
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        f.write("id,nearest_site_id,nearest_km\n")
        f.write("".join(f"{i},{s},{d:.4f}\n" for i, s, d in zip(pid.tolist(), sid.tolist(), km.tolist())))
    t_write = time.perf_counter() - t

    print(f"peer_ckdtree: {len(pid)} points, {len(site_ids)} sites; timings (s): read {t_read:.3f}, "
          f"index {t_index:.3f}, query with distances {t_query:.3f}, write {t_write:.3f}; "
          f"total {time.perf_counter() - t0:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
