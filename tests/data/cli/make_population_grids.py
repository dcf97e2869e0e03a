#!/usr/bin/env python3
"""SYNTHETIC population grids for the --population-grid tests (tests/cli/test_population_grid.py).

Nothing here is real population data: every value is chosen by hand below, and the same hand-made
population is written in four forms over the three zones of zones_small.geojson (Z1 lon
5.00-5.13, Z2 5.13-5.26, Z3 5.26-5.39, all lat 45.00-45.09):

    form               kind    CRS                     cell               field
    grid_3035.gpkg     vector  EPSG:3035 (ETRS89-LAEA) 200 m squares      ind (as INSEE Filosofi)
    grid_2154.geojson  vector  EPSG:2154 (Lambert-93)  250 m squares      pop_2019
    grid_4326.tif      raster  EPSG:4326 (lon/lat)     0.0025 degree      band 1, nodata -200
    grid_54009.tif     raster  ESRI:54009 (Mollweide)  100 m (as GHS-POP) band 1, nodata -200

Each form holds the same blocks of cells (BLOCKS), laid out in the form's own CRS, starting at the
cell that holds the block's anchor point:

    block  where                                   cells       per cell  total
    A      inside Z1, anchor (5.012, 45.068)       4 x 5 = 20  12.5      250
    B      inside Z2, anchor (5.180, 45.030)       5 x 6 = 30  40        1200
    C      inside Z3, anchor (5.365, 45.070)       3 x 3 = 9   7.5       67.5
    S12    across the Z1/Z2 edge at (5.13, 45.06)  2 x 2 = 4   25        100
    SS     across the south edge of Z3 (5.33, 45)  2 x 2 = 4   10        40
    F      far south, (5.20, 44.70)                1           500       500

A, B and C lie at least 0.01 degree (about 800 m) inside their zone, so all their population must
land in it whatever the analysis grid; S12 and SS straddle an edge (the test checks their split
against the area on each side); F lies about 33 km south of the study area and must not be read.
The "interior" variant holds A, B and C only.

Rasters: value 0 elsewhere, and a nodata band (-200, as GHS-POP marks no-data) along the first
row. Run with Debian's python3 (osgeo, pyproj):
    /usr/bin/python3 tests/data/cli/make_population_grids.py OUT_DIR
The tests call write_all(OUT_DIR) themselves; no generated file is kept in the repository.
"""

import functools
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from osgeo import gdal, ogr, osr
from pyproj import Transformer

gdal.UseExceptions()
ogr.UseExceptions()


@dataclass(frozen=True)
class Block:
    name: str
    zone: str       # the zone holding it, "Z1|Z2" or "Z3|out" for the straddling ones, "far"
    lon: float      # anchor
    lat: float
    nx: int         # cells along x (east)
    ny: int         # cells along y (north)
    value: float    # population of each cell
    straddles: bool = False

    @property
    def total(self):
        return self.nx * self.ny * self.value


BLOCKS = [
    Block("A", "Z1", 5.012, 45.068, 4, 5, 12.5),
    Block("B", "Z2", 5.180, 45.030, 5, 6, 40.0),
    Block("C", "Z3", 5.365, 45.070, 3, 3, 7.5),
    Block("S12", "Z1|Z2", 5.130, 45.060, 2, 2, 25.0, straddles=True),
    Block("SS", "Z3|out", 5.330, 45.000, 2, 2, 10.0, straddles=True),
    Block("F", "far", 5.200, 44.700, 1, 1, 500.0),
]
INTERIOR = [b for b in BLOCKS if b.name in ("A", "B", "C")]

ZONES = {"Z1": (5.00, 5.13), "Z2": (5.13, 5.26), "Z3": (5.26, 5.39)}
LAT = (45.00, 45.09)


@dataclass(frozen=True)
class Form:
    name: str
    kind: str        # vector or raster
    crs: str
    cell: float      # side of a cell in CRS units
    field: str = ""


FORMS = [
    Form("grid_3035.gpkg", "vector", "EPSG:3035", 200.0, "ind"),
    Form("grid_2154.geojson", "vector", "EPSG:2154", 250.0, "pop_2019"),
    Form("grid_4326.tif", "raster", "EPSG:4326", 0.0025),
    Form("grid_54009.tif", "raster", "ESRI:54009", 100.0),
]


@functools.lru_cache(maxsize=None)
def transformer(src, dst):
    return Transformer.from_crs(src, dst, always_xy=True)


def srs_of(text):
    srs = osr.SpatialReference()
    srs.SetFromUserInput(text)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def block_cells(form, block):
    """The block's cells in the form's CRS: (x0, y0) lower-left corners, from the cell holding the
    anchor; a straddling block is centred on the cell corner nearest to the anchor instead."""
    to = transformer("EPSG:4326", form.crs)
    x, y = to.transform(block.lon, block.lat)
    if block.straddles:
        i0 = round(x / form.cell) - block.nx // 2
        j0 = round(y / form.cell) - block.ny // 2
    else:
        i0 = math.floor(x / form.cell)
        j0 = math.floor(y / form.cell)
    return [((i0 + i) * form.cell, (j0 + j) * form.cell)
            for j in range(block.ny) for i in range(block.nx)]


def cell_ring_lonlat(form, x0, y0, per_edge=1):
    """A cell's ring in lon/lat (closed), with PER_EDGE points per edge."""
    back = transformer(form.crs, "EPSG:4326")
    c = form.cell
    corners = [(x0, y0), (x0 + c, y0), (x0 + c, y0 + c), (x0, y0 + c)]
    pts = []
    for k in range(4):
        (ax, ay), (bx, by) = corners[k], corners[(k + 1) % 4]
        for t in range(per_edge):
            f = t / per_edge
            pts.append(back.transform(ax + f * (bx - ax), ay + f * (by - ay)))
    pts.append(pts[0])
    return pts


def check_layout(form):
    """Asserts what the docstring promises: A, B, C 0.01 degree inside their zone, S12 and SS
    across their edge, F far from the study area."""
    for b in BLOCKS:
        lons, lats = [], []
        for x0, y0 in block_cells(form, b):
            for lon, lat in cell_ring_lonlat(form, x0, y0):
                lons.append(lon)
                lats.append(lat)
        if b.zone in ZONES:
            lo, hi = ZONES[b.zone]
            assert lo + 0.01 <= min(lons) and max(lons) <= hi - 0.01, (form.name, b.name)
            assert LAT[0] + 0.01 <= min(lats) and max(lats) <= LAT[1] - 0.01, (form.name, b.name)
        elif b.name == "S12":
            assert min(lons) < 5.13 < max(lons), (form.name, b.name)
            assert LAT[0] + 0.01 <= min(lats) and max(lats) <= LAT[1] - 0.01
        elif b.name == "SS":
            assert min(lats) < 45.00 < max(lats), (form.name, b.name)
            assert 5.26 + 0.01 <= min(lons) and max(lons) <= 5.39 - 0.01
        else:
            assert max(lats) < 44.75, (form.name, b.name)


def write_vector(form, path, blocks, field_type=ogr.OFTReal, value_of=None, geometry="polygon"):
    driver = "GPKG" if path.suffix == ".gpkg" else "GeoJSON"
    if path.exists():
        path.unlink()
    ds = ogr.GetDriverByName(driver).CreateDataSource(str(path))
    gtype = {"polygon": ogr.wkbPolygon, "point": ogr.wkbPoint}[geometry]
    layer = ds.CreateLayer("population", srs_of(form.crs), gtype)
    layer.CreateField(ogr.FieldDefn("id", ogr.OFTString))
    layer.CreateField(ogr.FieldDefn(form.field, field_type))
    n = 0
    for b in blocks:
        for x0, y0 in block_cells(form, b):
            f = ogr.Feature(layer.GetLayerDefn())
            f.SetField("id", f"{b.name}{n}")
            value = value_of(n, b) if value_of else b.value
            if value is not None:
                f.SetField(form.field, value)
            c = form.cell
            if geometry == "polygon":
                ring = ogr.Geometry(ogr.wkbLinearRing)
                for px, py in [(x0, y0), (x0 + c, y0), (x0 + c, y0 + c), (x0, y0 + c), (x0, y0)]:
                    ring.AddPoint_2D(px, py)
                g = ogr.Geometry(ogr.wkbPolygon)
                g.AddGeometry(ring)
            else:
                g = ogr.Geometry(ogr.wkbPoint)
                g.AddPoint_2D(x0 + c / 2, y0 + c / 2)
            f.SetGeometry(g)
            layer.CreateFeature(f)
            n += 1
    ds = None


def raster_layout(form, blocks):
    """Origin (west, north) and size of a raster holding every block, 3 cells of margin."""
    cells = [xy for b in blocks for xy in block_cells(form, b)]
    c = form.cell
    i0 = round(min(x for x, _ in cells) / c) - 3
    i1 = round(max(x for x, _ in cells) / c) + 4
    j0 = round(min(y for _, y in cells) / c) - 3
    j1 = round(max(y for _, y in cells) / c) + 4
    return i0 * c, j1 * c, i1 - i0, j1 - j0


def write_raster(form, path, blocks, with_crs=True, first_row_nodata=True, extra=None):
    import numpy as np
    west, north, width, height = raster_layout(form, blocks)
    c = form.cell
    a = np.zeros((height, width), dtype=np.float32)
    for b in blocks:
        for x0, y0 in block_cells(form, b):
            col = round((x0 - west) / c)
            row = round((north - (y0 + c)) / c)
            a[row, col] = b.value
    if first_row_nodata:
        a[0, :] = -200.0
    if extra:
        extra(a)
    drv = gdal.GetDriverByName("GTiff")
    ds = drv.Create(str(path), width, height, 1, gdal.GDT_Float32, ["COMPRESS=DEFLATE"])
    ds.SetGeoTransform([west, c, 0.0, north, 0.0, -c])
    if with_crs:
        ds.SetProjection(srs_of(form.crs).ExportToWkt())
    band = ds.GetRasterBand(1)
    band.SetNoDataValue(-200.0)
    band.WriteArray(a)
    ds = None


def write_form(form, out, blocks=BLOCKS, name=None):
    path = Path(out) / (name or form.name)
    if form.kind == "vector":
        write_vector(form, path, blocks)
    else:
        write_raster(form, path, blocks)
    return path


def write_all(out):
    """Writes the four forms (full) and grid_3035_interior.gpkg into OUT; returns their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for form in FORMS:
        check_layout(form)
        paths[form.name] = write_form(form, out)
    paths["grid_3035_interior.gpkg"] = write_form(FORMS[0], out, INTERIOR,
                                                  "grid_3035_interior.gpkg")
    return paths


def write_zones_without(out, source, drop):
    """zones_small without the zones in DROP (a hole in the study area between Z1 and Z3)."""
    doc = json.loads(Path(source).read_text(encoding="utf-8"))
    doc["features"] = [f for f in doc["features"] if f["properties"]["code"] not in drop]
    path = Path(out) / ("zones_without_" + "_".join(sorted(drop)) + ".geojson")
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_population_grids.py OUT_DIR")
    for p in write_all(sys.argv[1]).values():
        print(p)
