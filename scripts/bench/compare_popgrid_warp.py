#!/usr/bin/env python3
"""Compares maillage's resampling of a population raster with GDAL's `gdalwarp -r sum`.

    /usr/bin/python3 scripts/bench/compare_popgrid_warp.py RUN_DIR RASTER

RUN_DIR: the output folder of `maillage analyse --population-grid RASTER` (GeoJSON format). The
raster is warped with -r sum onto the run's own grid (the geotransform and CRS of its
distance.tif); its total, and its sum over the cells of the study area (cells of distance.tif that
are not nodata), are printed beside maillage's population_read, population_in_zones and
population_outside_study_area. Used with the SYNTHETIC grid of make_synthetic_popgrid.py; see
docs/method.md, section 5b.
"""

import json
import sys
import time

import numpy as np
from osgeo import gdal

gdal.UseExceptions()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    run_dir, raster = sys.argv[1], sys.argv[2]
    d = gdal.Open(run_dir + "/distance.tif")
    gt = d.GetGeoTransform()
    w, h = d.RasterXSize, d.RasterYSize
    bounds = (gt[0], gt[3] + h * gt[5], gt[0] + w * gt[1], gt[3])
    inside = d.GetRasterBand(1).ReadAsArray() != -9999
    src = gdal.Open(raster)
    band = src.GetRasterBand(1)
    a = band.ReadAsArray().astype(np.float64)
    nodata = band.GetNoDataValue()
    a[(a == nodata) | np.isnan(a)] = 0
    t = time.time()
    out = gdal.Warp("/vsimem/warped.tif", src, dstSRS=d.GetProjection(), outputBounds=bounds,
                    xRes=gt[1], yRes=-gt[5], resampleAlg="sum", srcNodata=nodata, dstNodata=-1)
    seconds = time.time() - t
    b = out.GetRasterBand(1).ReadAsArray().astype(np.float64)
    b[b < 0] = 0
    s = json.load(open(run_dir + "/summary.json", encoding="utf-8"))["population_grid"]
    print(f"raster total              {a.sum():14.1f}")
    print(f"gdalwarp -r sum: total    {b.sum():14.1f}  in study area {b[inside].sum():14.1f}  "
          f"outside {b[~inside].sum():10.1f}  ({seconds:.1f} s)")
    print(f"maillage: read            {s['population_read']:14.1f}  in zones      "
          f"{s['population_in_zones']:14.1f}  outside {s['population_outside_study_area']:10.1f}")


if __name__ == "__main__":
    main()
