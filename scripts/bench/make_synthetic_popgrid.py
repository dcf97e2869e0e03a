#!/usr/bin/env python3
"""SYNTHETIC population grids over the shipped communes, to measure --population-grid at the
size of real grids. NOT REAL DATA: no real population grid ships with maillage (INSEE Filosofi
and GHS-POP are downloads; this machine has no internet). Figures computed with these grids say
how fast and how conservative the resampling is, never where people live.

For every commune of geodata/communes-aura-cog2026.geojson, its legal population is put on a
random subset of the grid cells whose centre lies in it (about one inhabited cell per 25
inhabitants, at least one), split at random (Dirichlet weights, rounded to 0.1 person as
Filosofi's `ind` is not whole either). Written in two forms:

    synthetic_filosofi_3035.gpkg  vector, EPSG:3035, 200 m squares, field ind (inhabited only)
    synthetic_ghspop_54009.tif    raster, ESRI:54009 (Mollweide), 100 m, Float32, nodata -200

Run with Debian's python3 (osgeo, numpy):
    /usr/bin/python3 scripts/bench/make_synthetic_popgrid.py OUT_DIR [SEED]
"""

import json
import sys
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()

REPO = Path(__file__).resolve().parents[2]
COMMUNES = REPO / "geodata" / "communes-aura-cog2026.geojson"


def srs_of(text):
    srs = osr.SpatialReference()
    srs.SetFromUserInput(text)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def commune_raster(crs, cell):
    """Commune index + 1 of every cell (0: none), in CRS with square cells of CELL."""
    src = gdal.OpenEx(str(COMMUNES), gdal.OF_VECTOR)
    mem = gdal.VectorTranslate("/vsimem/communes.gpkg", src, format="GPKG", dstSRS=crs,
                               SQLStatement="SELECT rowid AS burn, * FROM \"communes-aura-cog2026\"",
                               SQLDialect="SQLITE")
    layer = mem.GetLayer(0)
    x0, x1, y0, y1 = layer.GetExtent()
    x0 = np.floor(x0 / cell) * cell
    y1 = np.ceil(y1 / cell) * cell
    w = int(np.ceil((x1 - x0) / cell))
    h = int(np.ceil((y1 - y0) / cell))
    ds = gdal.GetDriverByName("MEM").Create("", w, h, 1, gdal.GDT_Int32)
    ds.SetGeoTransform([x0, cell, 0, y1, 0, -cell])
    ds.SetProjection(srs_of(crs).ExportToWkt())
    gdal.RasterizeLayer(ds, [1], layer, options=["ATTRIBUTE=burn"])
    ids = ds.GetRasterBand(1).ReadAsArray()
    pops = {}
    for f in layer:
        pops[f.GetField("burn")] = float(f.GetField("population"))
    mem = None
    gdal.Unlink("/vsimem/communes.gpkg")
    return ids, pops, (x0, y1, w, h)


def spread(ids, pops, rng, per_cell=25.0):
    """Population per cell: each commune's on a random subset of its cells."""
    flat = ids.ravel()
    order = np.argsort(flat, kind="stable")
    sorted_ids = flat[order]
    starts = np.searchsorted(sorted_ids, np.arange(1, max(pops) + 2))
    values = np.zeros(flat.size, dtype=np.float64)
    for burn, pop in pops.items():
        cells = order[starts[burn - 1]:starts[burn]]
        if len(cells) == 0 or pop <= 0:
            continue  # a commune too small for a cell: its people are not in this synthetic grid
        k = int(min(len(cells), max(1, round(pop / per_cell))))
        chosen = rng.choice(cells, size=k, replace=False)
        w = rng.dirichlet(np.ones(k))
        v = np.round(pop * w, 1)
        values[chosen] = v
    return values.reshape(ids.shape)


def write_vector(path, values, geo, crs):
    x0, y1, w, h = geo
    cell = 200.0
    if path.exists():
        path.unlink()
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = ds.CreateLayer("synthetic_filosofi_200m", srs_of(crs), ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("idcar_200m", ogr.OFTString))
    layer.CreateField(ogr.FieldDefn("ind", ogr.OFTReal))
    layer.StartTransaction()
    rows, cols = np.nonzero(values > 0)
    for r, c in zip(rows.tolist(), cols.tolist()):
        f = ogr.Feature(layer.GetLayerDefn())
        xa = x0 + c * cell
        yb = y1 - (r + 1) * cell
        f.SetField("idcar_200m", f"CRS3035RES200mN{int(yb)}E{int(xa)}")
        f.SetField("ind", float(values[r, c]))
        f.SetGeometry(ogr.CreateGeometryFromWkt(
            f"POLYGON(({xa} {yb},{xa + cell} {yb},{xa + cell} {yb + cell},{xa} {yb + cell},{xa} {yb}))"))
        layer.CreateFeature(f)
    layer.CommitTransaction()
    ds = None
    return len(rows)


def write_raster(path, values, geo, crs):
    x0, y1, w, h = geo
    drv = gdal.GetDriverByName("GTiff")
    ds = drv.Create(str(path), w, h, 1, gdal.GDT_Float32,
                    ["COMPRESS=DEFLATE", "TILED=YES", "PREDICTOR=3"])
    ds.SetGeoTransform([x0, 100.0, 0, y1, 0, -100.0])
    ds.SetProjection(srs_of(crs).ExportToWkt())
    band = ds.GetRasterBand(1)
    band.SetNoDataValue(-200.0)
    band.WriteArray(values.astype(np.float32))
    ds = None


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: make_synthetic_popgrid.py OUT_DIR [SEED]")
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    seed = int(sys.argv[2]) if len(sys.argv) == 3 else 1
    rng = np.random.default_rng(seed)
    facts = {"SYNTHETIC": "not real population data; see the script's docstring", "seed": seed}

    ids, pops, geo = commune_raster("EPSG:3035", 200.0)
    values = spread(ids, pops, rng)
    facts["vector"] = {"path": "synthetic_filosofi_3035.gpkg",
                       "squares": write_vector(out / "synthetic_filosofi_3035.gpkg", values, geo,
                                               "EPSG:3035"),
                       "population": float(values.sum())}

    ids, pops, geo = commune_raster("ESRI:54009", 100.0)
    values = spread(ids, pops, rng, per_cell=6.25)
    write_raster(out / "synthetic_ghspop_54009.tif", values, geo, "ESRI:54009")
    facts["raster"] = {"path": "synthetic_ghspop_54009.tif", "pixels": int(values.size),
                       "populated": int((values > 0).sum()),
                       "population": float(values.astype(np.float32).astype(np.float64).sum())}
    (out / "synthetic_popgrid.json").write_text(json.dumps(facts, indent=2) + "\n",
                                                encoding="utf-8")
    print(json.dumps(facts, indent=2))


if __name__ == "__main__":
    main()
