"""Every polygon maillage writes is valid as written (issue 11), underserved parts' max_km,
and whole populations written as integers.

Validity is checked independently of maillage with OGR's IsValid() (GEOS through GDAL's Python
bindings) on the files as read back: the GeoJSON text with its 7 decimals, the GeoPackage's
stored coordinates. Distances come from pyproj's Geod (GeographicLib), by brute force over the
sites.

The test regions other than the shipped data are SYNTHETIC: jittered lattices of zones with
wiggly shared edges and coordinates of 15 decimals, random sites, written by this file into a
temporary folder (one across the antimeridian, one near 70 N, two fine tessellations).
"""

import json
import random
import re
import unittest

from osgeo import ogr

import helpers as h

POLYGON_TYPES = (ogr.wkbPolygon, ogr.wkbMultiPolygon)


def polygon_report(path):
    """{layer: (polygons, [invalid feature descriptions], null geometries)} of a vector file."""
    ds = ogr.Open(str(path))
    if ds is None:
        raise AssertionError(f"{path}: OGR cannot open it")
    out = {}
    for i in range(ds.GetLayerCount()):
        layer = ds.GetLayer(i)
        # GeoJSON layers mixing Polygon and MultiPolygon read back as wkbUnknown: the features'
        # own geometries decide.
        declared = ogr.GT_Flatten(layer.GetGeomType()) in POLYGON_TYPES
        n = 0
        bad = []
        null = 0
        for f in layer:
            g = f.GetGeometryRef()
            if g is None:
                null += 1
                continue
            if ogr.GT_Flatten(g.GetGeometryType()) not in POLYGON_TYPES:
                continue
            n += 1
            if not g.IsValid():
                bad.append(f"{layer.GetName()} feature {f.GetFID()}")
        if n > 0 or declared:
            out[layer.GetName()] = (n, bad, null)
    return out


def assert_all_valid(tc, paths, expected_layers):
    """Every polygon of every polygon layer of PATHS is valid; EXPECTED_LAYERS are among them."""
    seen = {}
    for p in paths:
        for name, rep in polygon_report(p).items():
            seen[name] = rep
    tc.assertTrue(set(expected_layers) <= set(seen), f"layers {sorted(seen)}")
    for name, (n, bad, null) in seen.items():
        tc.assertEqual(bad, [], f"{name}: {len(bad)} invalid polygon(s) of {n}")
        tc.assertEqual(null, 0, f"{name}: null geometries")
    return {name: rep[0] for name, rep in seen.items()}


_COORD = re.compile(r"-?\d+\.(\d+)")


def assert_on_grid(tc, path):
    """Every coordinate in a GeoJSON file has at most 7 decimals (GDAL did not re-round)."""
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    for f in doc["features"]:
        for poly in h.polygons_of(f["geometry"]):
            for ring in poly:
                for x, y in ring:
                    for v in (x, y):
                        tc.assertAlmostEqual(v * 1e7, round(v * 1e7), delta=1e-3, msg=f"{path}: {v}")


def vertex_sets(features, key):
    """{feature key: sorted vertex list} of GeoJSON-like features (lon, lat at 7 decimals)."""
    out = {}
    for f in features:
        pts = []
        for poly in h.polygons_of(f["geometry"]):
            for ring in poly:
                pts += [(round(x, 7), round(y, 7)) for x, y in ring[:-1]]
        out[f["properties"][key]] = sorted(pts)
    return out


def gpkg_features(path, layer_name):
    ds = ogr.Open(str(path))
    layer = ds.GetLayerByName(layer_name)
    return [json.loads(f.ExportToJson()) for f in layer]


class DefaultRunPolygonsAreValid(h.CliTestCase):
    """The shipped data (no input option) with --catchments, GeoJSON and GeoPackage; access and
    whatif on the same data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tmp = h.make_tempdir(cls)
        cls.gj = tmp / "geojson"
        cls.gp = tmp / "gpkg"
        for out, fmt in ((cls.gj, "geojson"), (cls.gp, "gpkg")):
            r = h.run("analyse", "--catchments", "--format", fmt, "--out", out, "--no-progress",
                      cwd=h.REPO, timeout=600)
            if r.returncode != 0:
                raise AssertionError(f"analyse failed\n{r}")
        cls.summary = h.load_json(cls.gj / "summary.json")

    def test_geojson_polygons_valid(self):
        counts = assert_all_valid(self, sorted(self.gj.glob("*.geojson")),
                                  ["zones", "underserved", "catchments"])
        self.assertEqual(counts["zones"], h.AURA_COMMUNES)
        self.assertEqual(counts["underserved"], self.summary["underserved"]["parts"])
        self.assertEqual(counts["catchments"],
                         self.summary["catchments"]["sites_with_catchment"])
        for name in ("zones", "underserved", "catchments"):
            assert_on_grid(self, self.gj / f"{name}.geojson")

    def test_gpkg_polygons_valid(self):
        assert_all_valid(self, [self.gp / "maillage.gpkg"], ["zones", "underserved", "catchments"])

    def test_both_formats_hold_the_same_coordinates(self):
        for layer, key in (("underserved", "part"), ("catchments", "site_id")):
            gj = vertex_sets(h.load_json(self.gj / f"{layer}.geojson")["features"], key)
            gp = vertex_sets(gpkg_features(self.gp / "maillage.gpkg", layer), key)
            self.assertEqual(gj.keys(), gp.keys(), layer)
            for k in gj:
                self.assertEqual(gj[k], gp[k], f"{layer} {k}")

    def test_summary_counts_the_repairs(self):
        og = self.summary["output_geometry"]
        self.assertEqual(og["grid_deg"], 1e-7)
        for name in ("zones", "underserved", "catchments"):
            layer = og["layers"][name]
            self.assertEqual(layer["invalid"], 0, name)
            self.assertEqual(layer["collapsed"], 0, name)
        self.assertEqual(og["layers"]["zones"]["polygons"], h.AURA_COMMUNES)

    def test_access_polygons_valid(self):
        out = h.make_tempdir(self) / "access"
        h.run_ok(self, "access", "--out", out, "--no-progress", cwd=h.REPO, timeout=600)
        counts = assert_all_valid(self, sorted(out.glob("*.geojson")), ["access_zones"])
        self.assertEqual(counts["access_zones"], h.AURA_COMMUNES)

    def test_whatif_polygons_valid(self):
        out = h.make_tempdir(self) / "whatif"
        h.run_ok(self, "whatif", "--close", "pole_emploi-15014-01", "--open", "3.8944,44.8309,Mezenc",
                 "--format", "gpkg", "--out", out, "--no-progress", cwd=h.REPO, timeout=600)
        counts = assert_all_valid(self, [out / "maillage.gpkg"],
                                  ["zones", "underserved", "whatif_zones"])
        self.assertGreater(counts["whatif_zones"], 0)

    def test_underserved_max_km_beyond_threshold(self):
        # Every part, with or without a cell centre, reaches beyond 20 km (the default).
        parts = h.load_json(self.gj / "underserved.geojson")["features"]
        self.assertGreater(len(parts), 0)
        for f in parts:
            self.assertGreater(f["properties"]["max_km"], 20.0, f["properties"])
        s = self.summary["underserved"]
        self.assertEqual(s["population"], self.summary["population_beyond"])
        self.assertEqual(s["beyond_in_no_part"]["unassigned"], 0)

    def test_whole_populations_are_integers(self):
        # The communes' legal populations are whole numbers: every population written is an
        # integer (JSON integer, GeoPackage INTEGER), and they add up to the published total.
        zones = h.load_json(self.gj / "zones.geojson")["features"]
        for f in zones:
            self.assertIsInstance(f["properties"]["population"], int, f["properties"]["zone_id"])
            self.assertIsInstance(f["properties"]["pop_beyond"], int, f["properties"]["zone_id"])
        self.assertEqual(sum(f["properties"]["population"] for f in zones), h.AURA_POPULATION)
        self.assertIsInstance(self.summary["population_total"], int)
        self.assertEqual(self.summary["population_total"], h.AURA_POPULATION)
        self.assertIsInstance(self.summary["population_beyond"], int)
        for g in self.summary["by_group"]:
            self.assertIsInstance(g["population"], int, g["group"])
        for name, key in (("sites", "catchment_population"), ("underserved", "population"),
                          ("catchments", "population")):
            for f in h.load_json(self.gj / f"{name}.geojson")["features"]:
                self.assertIsInstance(f["properties"][key], int, name)
        ds = ogr.Open(str(self.gp / "maillage.gpkg"))
        defn = ds.GetLayerByName("zones").GetLayerDefn()
        self.assertEqual(defn.GetFieldDefn(defn.GetFieldIndex("population")).GetType(),
                         ogr.OFTInteger64)


# --- SYNTHETIC regions -----------------------------------------------------------------------

def lattice_zones(rng, lon0, lat0, nx, ny, dx, dy, jitter=0.3, wiggle=0.15, fixed_columns=()):
    """A jittered nx x ny lattice of zones whose shared edges carry 2 wiggly extra vertices each
    (the same for both neighbours), every coordinate with 15 decimals. Columns in
    FIXED_COLUMNS keep their longitude exactly (no jitter, no wiggle across them). Longitudes
    may exceed 180 (the caller wraps them). Returns [(code, ring)]."""
    v = {}
    for i in range(nx + 1):
        for j in range(ny + 1):
            edge_i = i in (0, nx) or i in fixed_columns
            edge_j = j in (0, ny)
            jx = 0.0 if edge_i else rng.uniform(-jitter, jitter) * dx
            jy = 0.0 if edge_j else rng.uniform(-jitter, jitter) * dy
            v[i, j] = (round(lon0 + i * dx + jx, 15), round(lat0 + j * dy + jy, 15))
    mids = {}

    def edge(a, b):
        key = (min(a, b), max(a, b))
        if key not in mids:
            (x0, y0), (x1, y1) = v[key[0]], v[key[1]]
            vertical = key[0][0] == key[1][0]
            border = (vertical and (key[0][0] in (0, nx) or key[0][0] in fixed_columns)) or \
                     (not vertical and key[0][1] in (0, ny))
            pts = []
            for t in (1 / 3, 2 / 3):
                x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
                if not border:
                    if vertical:
                        x += rng.uniform(-wiggle, wiggle) * dx
                    else:
                        y += rng.uniform(-wiggle, wiggle) * dy
                pts.append((round(x, 15), round(y, 15)))
            mids[key] = pts
        pts = mids[key]
        return pts if key == (a, b) else pts[::-1]

    zones = []
    for i in range(nx):
        for j in range(ny):
            corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
            ring = []
            for k in range(4):
                a, b = corners[k], corners[(k + 1) % 4]
                ring.append(v[a])
                ring += edge(a, b)
            ring.append(ring[0])
            zones.append((f"Z{i:03d}_{j:03d}", ring))
    return zones


def write_region(folder, name, zones, sites, rng, wrap=False):
    feats = []
    for code, ring in zones:
        if wrap and min(x for x, _ in ring) >= 180.0:
            ring = [(round(x - 360.0, 15), y) for x, y in ring]
        feats.append({"type": "Feature",
                      "properties": {"code": code, "nom": code, "population": rng.randint(0, 5000)},
                      "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}})
    zpath = folder / f"{name}_zones.geojson"
    zpath.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    spath = folder / f"{name}_sites.csv"
    lines = ["id,nom,lon,lat"]
    for k, (lon, lat) in enumerate(sites):
        if wrap and lon > 180.0:
            lon -= 360.0
        lines.append(f"s{k},Site {k},{lon:.9f},{lat:.9f}")
    spath.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return zpath, spath


def random_sites(rng, n, lon0, lat0, lon1, lat1):
    return [(rng.uniform(lon0, lon1), rng.uniform(lat0, lat1)) for _ in range(n)]


# name: (lattice args, sites box and count, threshold km, grid m, wrap)
REGIONS = {
    # Fiji-like, lon 177..183 (177..-177): one lattice column boundary exactly on 180.
    "antimeridian": (dict(lon0=177.0, lat0=-19.0, nx=24, ny=16, dx=0.25, dy=0.25,
                          fixed_columns=(12,)),
                     (177.0, -19.0, 183.0, -15.0, 12), 25, 1000, True),
    # Northern Norway-like, lat 69..71.
    "north70": (dict(lon0=20.0, lat0=69.0, nx=40, ny=20, dx=0.25, dy=0.1),
                (20.0, 69.0, 30.0, 71.0, 15), 20, 1000, False),
    # Fine tessellations: many small zones (1 km and 300 m), many sites, short thresholds.
    "fine": (dict(lon0=5.0, lat0=45.0, nx=50, ny=50, dx=0.01, dy=0.008),
             (5.0, 45.0, 5.5, 45.4, 25), 3, 200, False),
    "finer": (dict(lon0=-1.2, lat0=47.3, nx=60, ny=40, dx=0.004, dy=0.003, jitter=0.45,
                   wiggle=0.3),
              (-1.2, 47.3, -0.96, 47.42, 30), 1.5, 100, False),
}


class SyntheticRegionsPolygonsAreValid(h.CliTestCase):
    """SYNTHETIC regions: analyse --catchments; every written polygon valid."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = h.make_tempdir(cls)

    def run_region(self, name, fmt="geojson"):
        lattice, (a, b, c, d, n), threshold, grid_m, wrap = REGIONS[name]
        rng = random.Random(name)
        zones = lattice_zones(rng, **lattice)
        zpath, spath = write_region(self.tmp, name, zones, random_sites(rng, n, a, b, c, d), rng,
                                    wrap)
        out = self.tmp / f"{name}_{fmt}"
        h.run_ok(self, "analyse", "--zones", zpath, "--sites", spath, "--threshold-km", threshold,
                 "--grid-m", grid_m, "--catchments", "--format", fmt, "--out", out,
                 "--no-progress", timeout=600)
        summary = h.load_json(out / "summary.json")
        paths = sorted(out.glob("*.geojson")) if fmt == "geojson" else [out / "maillage.gpkg"]
        counts = assert_all_valid(self, paths, ["zones", "underserved", "catchments"])
        self.assertEqual(counts["zones"], len(zones))
        self.assertGreater(counts["underserved"], 0, name)
        if fmt == "geojson":
            for layer in ("zones", "underserved", "catchments"):
                self.assertEqual(h.rfc7946_errors(out / f"{layer}.geojson"), [], layer)
            parts = h.load_json(out / "underserved.geojson")["features"]
            for f in parts:
                self.assertGreater(f["properties"]["max_km"], threshold, f["properties"])
        return summary

    def test_antimeridian(self):
        s = self.run_region("antimeridian")
        # The region straddles 180: some written polygons lie on each side.
        self.assertGreater(s["underserved"]["parts"], 0)

    def test_antimeridian_gpkg(self):
        self.run_region("antimeridian", "gpkg")

    def test_north_70(self):
        self.run_region("north70")

    def test_fine_tessellation(self):
        self.run_region("fine")

    def test_finer_tessellation_gpkg(self):
        self.run_region("finer")
        self.run_region("finer", "gpkg")


# --- max_km of a part without a cell centre: a hand-worked case ----------------------------------

class UnderservedMaxKmWithoutCell(h.CliTestCase):
    """A 0.1 x 0.07 degree zone at 45 N with one site at its centre: its corners are about
    5.54 km away, so at 5.45 km only four corner slivers (legs of about 130 m) are underserved;
    with 2 km cells they hold no cell centre. Each part's max_km must be its corner's distance
    (the farthest point of a corner triangle from the site), computed here with pyproj's Geod."""

    def test_corner_slivers(self):
        tmp = h.make_tempdir(self)
        ring = [[5.0, 45.0], [5.1, 45.0], [5.1, 45.07], [5.0, 45.07], [5.0, 45.0]]
        zones = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"code": "Q", "nom": "Q", "population": 1000},
             "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
        (tmp / "zones.geojson").write_text(json.dumps(zones), encoding="utf-8")
        (tmp / "sites.csv").write_text("id,nom,lon,lat\nc,Centre,5.05,45.035\n", encoding="utf-8")
        threshold = 5.45
        out = tmp / "out"
        h.run_ok(self, "analyse", "--zones", tmp / "zones.geojson", "--sites", tmp / "sites.csv",
                 "--threshold-km", threshold, "--grid-m", 2000, "--out", out, "--no-progress")
        parts = h.load_json(out / "underserved.geojson")["features"]
        self.assertEqual(len(parts), 4)
        corners = [(5.0, 45.0), (5.1, 45.0), (5.1, 45.07), (5.0, 45.07)]
        corner_km = [h.GEOD.inv(5.05, 45.035, lon, lat)[2] / 1000 for lon, lat in corners]
        for k in corner_km:  # the hand-worked premise: every corner beyond the threshold
            self.assertGreater(k, threshold)
        for f in parts:
            p = f["properties"]
            self.assertEqual(p["population"], 0, p)  # no cell centre in a sliver
            # Brute force over the written vertices: the farthest from the (only) site.
            far = max(h.GEOD.inv(5.05, 45.035, x, y)[2] / 1000
                      for poly in h.polygons_of(f["geometry"]) for ring in poly for x, y in ring)
            self.assertGreater(p["max_km"], threshold, p)
            self.assertAlmostEqual(p["max_km"], far, delta=0.0005, msg=p)
            # ... and that is one of the corners.
            self.assertTrue(any(abs(far - k) < 0.0005 for k in corner_km), (far, corner_km))


class FractionalPopulationsStayReal(h.CliTestCase):
    """A zone population that is not whole makes the populations real numbers."""

    def test_fraction(self):
        tmp = h.make_tempdir(self)
        feats = []
        for k, pop in enumerate((1000, 250.5)):
            lon = 5.0 + 0.1 * k
            ring = [[lon, 45.0], [lon + 0.1, 45.0], [lon + 0.1, 45.07], [lon, 45.07], [lon, 45.0]]
            feats.append({"type": "Feature", "properties": {"code": f"F{k}", "nom": "F",
                                                            "population": pop},
                          "geometry": {"type": "Polygon", "coordinates": [ring]}})
        (tmp / "zones.geojson").write_text(json.dumps({"type": "FeatureCollection",
                                                       "features": feats}), encoding="utf-8")
        (tmp / "sites.csv").write_text("id,nom,lon,lat\nc,Centre,5.05,45.035\n", encoding="utf-8")
        out = tmp / "out"
        h.run_ok(self, "analyse", "--zones", tmp / "zones.geojson", "--sites", tmp / "sites.csv",
                 "--out", out, "--no-progress")
        summary = h.load_json(out / "summary.json")
        self.assertIsInstance(summary["population_total"], float)
        self.assertEqual(summary["population_total"], 1250.5)
        zones = {f["properties"]["zone_id"]: f["properties"]
                 for f in h.load_json(out / "zones.geojson")["features"]}
        self.assertIsInstance(zones["F0"]["population"], float)
        self.assertEqual(zones["F1"]["population"], 250.5)


if __name__ == "__main__":
    unittest.main()
