#!/usr/bin/python3
"""Compare a gdal_proximity.py distance raster with maillage's distance.tif on the same grid.

maillage's distance.tif holds, for every cell whose centre lies in the study area, the exact
WGS84 geodesic distance (km, Float32) from the cell centre to the nearest site; other cells are
nodata. gdal_proximity.py (-distunits GEO) gives the planar distance (m, in the raster's
equal-area projection) from each cell centre to the nearest cell that holds a site. Errors are
|proximity - maillage| over the study-area cells.

maillage's own raster is also checked: on a seeded sample of study-area cells, the cell centre
is taken back to lon/lat with the raster's CRS (pyproj) and the nearest-site geodesic distance is
computed by brute force (pyproj.Geod.inv to every site); the error includes Float32 storage.

Usage: compare_rasters.py --maillage distance.tif --proximity prox.tif --sites sites.geojson
                          --json OUT.json [--sample-cells 3000] [--seed 11]
"""
import argparse
import json
import sys

import numpy as np
from osgeo import gdal, ogr
from pyproj import CRS, Geod, Transformer

gdal.UseExceptions()
ogr.UseExceptions()


def read_band(path):
    ds = gdal.Open(path)
    band = ds.GetRasterBand(1)
    return ds, band.ReadAsArray().astype(np.float64), band.GetNoDataValue()


def site_lonlat(path):
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    lon, lat = [], []
    for f in lyr:
        g = f.GetGeometryRef()
        lon.append(g.GetX())
        lat.append(g.GetY())
    return np.array(lon), np.array(lat)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--maillage", required=True)
    ap.add_argument("--proximity", help="gdal_proximity.py output (optional: without it, only the check of maillage)")
    ap.add_argument("--sites", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--sample-cells", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()

    mds, mk, nodata = read_band(a.maillage)
    valid = mk != nodata
    pm = None
    if a.proximity:
        pds, pm, _ = read_band(a.proximity)
        if mk.shape != pm.shape or mds.GetGeoTransform() != pds.GetGeoTransform():
            sys.exit("compare_rasters.py: the two rasters are not on the same grid")
        err = np.abs(pm[valid] - mk[valid] * 1000.0)

    # maillage's raster against brute force on a sample of cells.
    gt = mds.GetGeoTransform()
    rows, cols = np.nonzero(valid)
    rng = np.random.default_rng(a.seed)
    take = rng.choice(len(rows), size=min(a.sample_cells, len(rows)), replace=False)
    r, c = rows[take], cols[take]
    x = gt[0] + (c + 0.5) * gt[1] + (r + 0.5) * gt[2]
    y = gt[3] + (c + 0.5) * gt[4] + (r + 0.5) * gt[5]
    to_ll = Transformer.from_crs(CRS.from_wkt(mds.GetProjection()), CRS.from_epsg(4326), always_xy=True)
    lon, lat = to_ll.transform(x, y)
    slon, slat = site_lonlat(a.sites)
    geod = Geod(ellps="WGS84")
    n, m = len(lon), len(slon)
    _, _, d = geod.inv(np.repeat(lon, m), np.repeat(lat, m), np.tile(slon, n), np.tile(slat, n))
    truth = d.reshape(n, m).min(axis=1)
    self_err = np.abs(mk[r, c] * 1000.0 - truth)

    out = {
        "cells": int(valid.sum()),
        "grid_cells": int(valid.size),
        "sites": int(m),
        "maillage_vs_brute_force": {
            "sample": int(n),
            "max_error_m": float(self_err.max()),
            "p99_error_m": float(np.percentile(self_err, 99)),
        },
    }
    if pm is not None:
        # gdal_proximity against the same brute-force truth too (independent of maillage).
        prox_err_truth = np.abs(pm[r, c] - truth)
        out["proximity_vs_maillage"] = {
            "max_error_m": float(err.max()),
            "p99_error_m": float(np.percentile(err, 99)),
            "mean_error_m": float(err.mean()),
        }
        out["proximity_vs_brute_force_sample"] = {
            "max_error_m": float(prox_err_truth.max()),
            "p99_error_m": float(np.percentile(prox_err_truth, 99)),
        }
    with open(a.json, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
    print(f"compare_rasters.py: {json.dumps(out)}", file=sys.stderr)


if __name__ == "__main__":
    main()
