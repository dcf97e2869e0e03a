"""`maillage analyse --population-grid` on SYNTHETIC population grids.

The grids are written by tests/data/cli/make_population_grids.py (see its docstring) into a
temporary folder: the same hand-made blocks of populated cells in four forms (vector EPSG:3035
field `ind`, vector EPSG:2154, raster EPSG:4326, raster ESRI:54009) over the three squares of
zones_small.geojson (Z1, Z2, Z3: populations 12000, 25000, 4000). Expected values are the hand
sums of the blocks; the split of the two blocks that straddle an edge is checked against the
areas on each side computed with pyproj (geodesic areas of the cells cut by the edge in lon/lat),
within the bound that the analysis grid's cell-centre rule allows.
"""

import json
import math
import sys

import numpy as np
from osgeo import gdal, ogr

import helpers as h

sys.path.insert(0, str(h.DATA))
import make_population_grids as mpg  # noqa: E402

BLOCK = {b.name: b for b in mpg.BLOCKS}
READ = sum(b.total for b in mpg.BLOCKS if b.name != "F")  # F is far away: never read
A1 = (5.065, 45.045)  # sites_one.csv
OWN = {"Z1": 12000.0, "Z2": 25000.0, "Z3": 4000.0}
TOL = 1e-3  # outputs are rounded to 4 decimals


def field_args(form):
    return ["--population-grid-field", form.field] if form.field and form.field != "ind" else []


def block_fraction_west(form, block, lon_edge):
    """Per-cell population-weighted fraction of BLOCK west of the meridian LON_EDGE (pyproj areas)."""
    return _fraction(form, block, lambda ring: _clip(ring, lambda p: p[0] <= lon_edge, 0, lon_edge))


def block_fraction_north(form, block, lat_edge):
    return _fraction(form, block, lambda ring: _clip(ring, lambda p: p[1] >= lat_edge, 1, lat_edge))


def _clip(ring, inside, axis, bound):
    """Sutherland-Hodgman on a lon/lat ring against one meridian or parallel (written here)."""
    out = []
    pts = ring[:-1]
    for i, cur in enumerate(pts):
        prev = pts[i - 1]
        if inside(cur):
            if not inside(prev):
                out.append(_cross(prev, cur, axis, bound))
            out.append(cur)
        elif inside(prev):
            out.append(_cross(prev, cur, axis, bound))
    return out + out[:1]


def _cross(p, q, axis, bound):
    t = (bound - p[axis]) / (q[axis] - p[axis])
    return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))


def _area(ring):
    if len(ring) < 4:
        return 0.0
    area, _ = h.GEOD.polygon_area_perimeter([p[0] for p in ring], [p[1] for p in ring])
    return abs(area)


def _fraction(form, block, clip):
    part = 0.0
    for x0, y0 in mpg.block_cells(form, block):
        ring = mpg.cell_ring_lonlat(form, x0, y0, per_edge=16)
        part += _area(clip(ring)) / _area(ring)
    return part / (block.nx * block.ny)


def straddle_bound(form, block, grid_m):
    """Largest population the cell-centre rule can move across the edge: everything within half
    a cell diagonal of the edge, over the length of edge inside the block (two cells of the form,
    taken as the block's diagonal to be safe)."""
    cells = mpg.block_cells(form, block)
    ring = mpg.cell_ring_lonlat(form, *cells[0])
    cell_area = _area(ring)
    diag = max(h.GEOD.inv(ring[0][0], ring[0][1], ring[2][0], ring[2][1])[2],
               h.GEOD.inv(ring[1][0], ring[1][1], ring[3][0], ring[3][1])[2])
    length = 2 * diag
    return block.value / cell_area * length * grid_m * math.sqrt(2)


def block_distance_range(form, block):
    """Smallest and largest geodesic distance (m) from A1 to BLOCK's cells (A1 outside them):
    the smallest is on their boundary, sampled every few metres."""
    lons, lats = [], []
    for x0, y0 in mpg.block_cells(form, block):
        for lon, lat in mpg.cell_ring_lonlat(form, x0, y0, per_edge=64):
            lons.append(lon)
            lats.append(lat)
    _, _, d = h.GEOD.inv(np.full(len(lons), A1[0]), np.full(len(lons), A1[1]), lons, lats)
    return float(np.min(d)), float(np.max(d))


class TestFourForms(h.CliTestCase):
    """The same hand-made population in four forms, three CRSs, raster and vector."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = h.make_tempdir(cls)
        cls.paths = mpg.write_all(cls.tmp / "grids")
        cls.runs = {}
        for form in mpg.FORMS:
            cls.runs[form.name] = h.analyse(
                cls, "--zones", "zones_small.geojson", "--sites", "sites_one.csv",
                "--population-grid", cls.paths[form.name], *field_args(form), "--grid-m", "25")

    def zone_pop(self, run, code):
        return run.zones[code]["properties"]["population"]

    def test_read_only_what_reaches_the_study_area(self):
        for form in mpg.FORMS:
            with self.subTest(form=form.name):
                pg = self.runs[form.name].summary["population_grid"]
                self.assertEqual(pg["kind"], form.kind)
                self.assertAlmostEqual(pg["population_read"], READ, delta=TOL)
                # 20 + 30 + 9 + 4 + 4 populated cells; F (500, 33 km south) is not read.
                self.assertEqual(pg["cells_with_population"], 67)
                if form.kind == "vector":
                    self.assertEqual(pg["source_cells"], 68)
                    self.assertEqual(pg["cells_read"], 67)
                    self.assertEqual(pg["field"], form.field)

    def test_population_is_conserved(self):
        for form in mpg.FORMS:
            with self.subTest(form=form.name):
                run = self.runs[form.name]
                pg = run.summary["population_grid"]
                self.assertAlmostEqual(
                    pg["population_in_zones"] + pg["population_outside_study_area"], READ,
                    delta=2 * TOL)
                self.assertAlmostEqual(
                    pg["population_outside_study_area"],
                    pg["population_outside_zones_in_grid"] + pg["population_beyond_grid_extent"],
                    delta=2 * TOL)
                total = sum(self.zone_pop(run, z) for z in OWN)
                self.assertAlmostEqual(total, pg["population_in_zones"], delta=3 * TOL)
                self.assertAlmostEqual(run.summary["population_total"], total, delta=3 * TOL)
                # The catchment of the only site holds everyone.
                self.assertAlmostEqual(run.sites["a1"]["properties"]["catchment_population"],
                                       total, delta=3 * TOL)

    def test_zone_totals_are_the_hand_sums(self):
        # A, B, C lie inside Z1, Z2, Z3; S12 (100) is shared by Z1 and Z2 only; SS (40) by Z3 and
        # the outside only.
        for form in mpg.FORMS:
            with self.subTest(form=form.name):
                run = self.runs[form.name]
                pg = run.summary["population_grid"]
                z1, z2, z3 = (self.zone_pop(run, z) for z in ("Z1", "Z2", "Z3"))
                self.assertAlmostEqual(z1 + z2, 250 + 1200 + 100, delta=2 * TOL)
                self.assertAlmostEqual(z3 + pg["population_outside_study_area"], 67.5 + 40,
                                       delta=2 * TOL)
                self.assertTrue(250 - TOL <= z1 <= 350 + TOL, z1)
                self.assertTrue(1200 - TOL <= z2 <= 1300 + TOL, z2)
                self.assertTrue(67.5 - TOL <= z3 <= 107.5 + TOL, z3)

    def test_straddling_blocks_split_by_area(self):
        for form in mpg.FORMS:
            with self.subTest(form=form.name):
                run = self.runs[form.name]
                s12, ss = BLOCK["S12"], BLOCK["SS"]
                z1_share = self.zone_pop(run, "Z1") - 250
                expected = s12.total * block_fraction_west(form, s12, 5.13)
                self.assertGreater(expected, 10)
                self.assertLess(expected, 90)
                self.assertLessEqual(abs(z1_share - expected), straddle_bound(form, s12, 25),
                                     f"Z1's part of S12: {z1_share}, by area {expected}")
                z3_share = self.zone_pop(run, "Z3") - 67.5
                expected = ss.total * block_fraction_north(form, ss, 45.00)
                self.assertGreater(expected, 4)
                self.assertLess(expected, 36)
                self.assertLessEqual(abs(z3_share - expected), straddle_bound(form, ss, 25),
                                     f"Z3's part of SS: {z3_share}, by area {expected}")

    def test_zones_layer_keeps_the_zones_own_figures(self):
        for form in mpg.FORMS:
            with self.subTest(form=form.name):
                run = self.runs[form.name]
                for code, own in OWN.items():
                    p = run.zones[code]["properties"]
                    self.assertEqual(p["population_layer"], own)
                    self.assertAlmostEqual(p["population_diff"], p["population"] - own, delta=TOL)
                    if p["population"] > 0:
                        self.assertAlmostEqual(p["share_beyond"],
                                               p["pop_beyond"] / p["population"], delta=1e-5)

    def test_summary_compares_with_the_zones(self):
        for form in mpg.FORMS:
            with self.subTest(form=form.name):
                run = self.runs[form.name]
                c = run.summary["population_grid"]["comparison_with_zones"]
                grid = {z: self.zone_pop(run, z) for z in OWN}
                diff = {z: grid[z] - OWN[z] for z in OWN}
                self.assertEqual(c["zones_population_total"], 41000)
                self.assertAlmostEqual(c["grid_population_total"], sum(grid.values()), delta=3 * TOL)
                self.assertAlmostEqual(c["difference"], sum(grid.values()) - 41000, delta=3 * TOL)
                self.assertAlmostEqual(c["relative_difference"],
                                       (sum(grid.values()) - 41000) / 41000, delta=1e-6)
                worst_abs = max(OWN, key=lambda z: abs(diff[z]))
                worst_rel = max(OWN, key=lambda z: abs(diff[z]) / OWN[z])
                self.assertEqual(c["max_abs_difference"]["zone_id"], worst_abs)
                self.assertEqual(c["max_relative_difference"]["zone_id"], worst_rel)
                self.assertEqual(c["zones_off_by_more_than_10_percent"], 3)
                self.assertEqual(c["zones_without_cell"], 0)
                self.assertEqual([w["zone_id"] for w in c["worst_zones"]],
                                 sorted(OWN, key=lambda z: -abs(diff[z])))
                self.assertEqual(run.summary["parameters"]["population_grid"],
                                 str(self.paths[form.name]))


class TestWhereThePopulationIs(h.CliTestCase):
    """Only blocks A, B, C: exact zone totals, a hole in the study area, and distances measured
    where the grid puts people rather than over the whole zone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = h.make_tempdir(cls)
        cls.paths = mpg.write_all(cls.tmp / "grids")
        cls.grid = cls.paths["grid_3035_interior.gpkg"]
        cls.all3 = h.analyse(cls, "--zones", "zones_small.geojson", "--sites", "sites_one.csv",
                             "--population-grid", cls.grid)
        cls.even = h.analyse(cls, "--zones", "zones_small.geojson", "--sites", "sites_one.csv")
        no_b = mpg.write_zones_without(cls.tmp, h.DATA / "zones_small.geojson", {"Z2"})
        cls.hole = h.analyse(cls, "--zones", no_b, "--sites", "sites_one.csv",
                             "--population-grid", cls.grid)

    def test_zone_without_a_cell_gets_nothing_from_the_grid(self):
        # Z4, a 30 m square inside Z1 (no 200 m cell centre in it, as the even-spread run shows:
        # it is a point demand there, with its 100 inhabitants). With the grid, its inhabitants
        # are those of the cells around it, which belong to Z1 by the cell-centre rule: Z4 gets
        # 0, and nothing is counted twice.
        doc = h.load_json(h.DATA / "zones_small.geojson")
        lon, lat, d = 5.1, 45.08, 0.0003
        doc["features"].append({"type": "Feature", "properties": {
            "code": "Z4", "nom": "Tiny", "population": 100, "departement": "01", "canton": "c1"},
            "geometry": {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat],
                                                             [lon + d, lat + d / 1.41],
                                                             [lon, lat + d / 1.41], [lon, lat]]]}})
        path = self.tmp / "zones_tiny.geojson"
        path.write_text(json.dumps(doc), encoding="utf-8")
        even = h.analyse(self, "--zones", path, "--sites", "sites_one.csv")
        self.assertEqual(even.summary["grid"]["zones_on_reference_point"], 1)
        self.assertEqual(even.summary["population_total"], 41100)
        grid = h.analyse(self, "--zones", path, "--sites", "sites_one.csv",
                         "--population-grid", self.grid)
        self.assertEqual(grid.zones["Z4"]["properties"]["population"], 0)
        self.assertEqual(grid.zones["Z4"]["properties"]["population_layer"], 100)
        self.assertAlmostEqual(grid.summary["population_total"], 1517.5, delta=TOL)
        c = grid.summary["population_grid"]["comparison_with_zones"]
        self.assertEqual(c["zones_without_cell"], 1)
        self.assertEqual(c["zones_without_cell_population_layer"], 100)
        self.assertEqual(c["zones_population_total"], 41100)
        groups = {g["group"]: g["population"] for g in grid.summary["by_group"]}
        self.assertAlmostEqual(groups["01"], 250 + 1200, delta=TOL)
        self.assertAlmostEqual(groups["02"], 67.5, delta=TOL)

    def test_exact_zone_totals(self):
        for code, total in (("Z1", 250.0), ("Z2", 1200.0), ("Z3", 67.5)):
            self.assertAlmostEqual(self.all3.zones[code]["properties"]["population"], total,
                                   delta=TOL)
        pg = self.all3.summary["population_grid"]
        self.assertAlmostEqual(pg["population_outside_study_area"], 0.0, delta=TOL)
        self.assertAlmostEqual(self.all3.summary["population_total"], 1517.5, delta=TOL)

    def test_population_in_the_hole_is_reported_outside(self):
        # Z2 removed: the study area has a hole where block B (1200) lies, inside the grid's
        # rectangle. Its population is reported, not lost and not given to Z1 or Z3.
        pg = self.hole.summary["population_grid"]
        self.assertAlmostEqual(pg["population_read"], 1517.5, delta=TOL)
        self.assertAlmostEqual(pg["population_outside_zones_in_grid"], 1200.0, delta=TOL)
        self.assertAlmostEqual(pg["population_outside_study_area"], 1200.0, delta=TOL)
        self.assertAlmostEqual(pg["population_in_zones"], 317.5, delta=TOL)
        self.assertAlmostEqual(self.hole.zones["Z1"]["properties"]["population"], 250, delta=TOL)
        self.assertAlmostEqual(self.hole.zones["Z3"]["properties"]["population"], 67.5, delta=TOL)
        self.assertAlmostEqual(self.hole.summary["population_total"], 317.5, delta=TOL)

    def test_distances_are_those_of_the_blocks(self):
        # Each zone's people are in one block: their mean distance to a1 lies between the
        # block's nearest and farthest points, give or take half a cell diagonal (people are
        # placed at the centres of the 200 m analysis cells the block overlaps) -- 1 cell diagonal
        # here to be safe. The even spread gives other values (checked to differ).
        form = mpg.FORMS[0]
        half_diag = 200 * math.sqrt(2)
        for code, block in (("Z1", "A"), ("Z2", "B"), ("Z3", "C")):
            lo, hi = block_distance_range(form, BLOCK[block])
            got = self.all3.zones[code]["properties"]["mean_km"] * 1000
            self.assertGreaterEqual(got, lo - half_diag, code)
            self.assertLessEqual(got, hi + half_diag, code)
            even = self.even.zones[code]["properties"]["mean_km"] * 1000
            self.assertFalse(lo - half_diag <= even <= hi + half_diag,
                             f"{code}: the even spread ({even} m) falls in the block's range too")

    def test_suggest_uses_the_grid(self):
        # Through the shared analysis: with one site at a1, only block C (67.5 persons, 23 km
        # and more from a1) lies beyond 20 km; blocks A and B are within it. Any new site at a
        # candidate within 20 km of C brings exactly those 67.5 persons.
        out = h.make_tempdir(self) / "suggest"
        h.run_ok(self, "suggest", "--zones", "zones_small.geojson", "--sites", "sites_one.csv",
                 "--population-grid", self.grid, "--add", "1", "--out", out, "--no-progress",
                 cwd=h.DATA)
        s = h.load_json(out / "summary.json")
        self.assertAlmostEqual(s["suggest"]["population_total"], 1517.5, delta=TOL)
        self.assertAlmostEqual(s["suggest"]["before"]["population_beyond"], 67.5, delta=TOL)
        self.assertAlmostEqual(s["suggest"]["picks"][0]["newly_covered"], 67.5, delta=TOL)
        self.assertEqual(s["parameters"]["population_grid"], str(self.grid))
        self.assertIn("population_grid", h.load_json(out / "run.json")["inputs"])

    def test_access_uses_the_grid(self):
        # E2SFCA over the grid's population (blocks A, B, C: 1517.5): every one of the 4 sites
        # reaches someone, so population x index sums to the supply, 4 (the invariant of the
        # method), and the regional mean is 4 / 1517.5 per inhabitant.
        out = h.make_tempdir(self) / "access"
        h.run_ok(self, "access", "--zones", "zones_small.geojson", "--sites", "sites_small.csv",
                 "--population-grid", self.grid, "--out", out, "--no-progress", cwd=h.DATA)
        a = h.load_json(out / "summary.json")["access"]
        self.assertAlmostEqual(a["population_total"], 1517.5, delta=TOL)
        self.assertEqual(a["supply_total"], 4)
        self.assertAlmostEqual(a["sum_population_x_index"], 4.0, delta=1e-6)

    def test_whatif_uses_the_grid(self):
        # A site opened in block C (23 km and more from a1): C's 67.5 persons change site and
        # come back within 20 km; A and B stay nearer to a1. The incremental result equals a
        # full rerun (--verify), which reads the grid again.
        out = h.make_tempdir(self) / "whatif"
        h.run_ok(self, "whatif", "--zones", "zones_small.geojson", "--sites", "sites_one.csv",
                 "--population-grid", self.grid, "--open", "5.368,45.073,new", "--verify",
                 "--out", out, "--no-progress", cwd=h.DATA)
        w = h.load_json(out / "summary.json")["whatif"]
        self.assertAlmostEqual(w["population_total"], 1517.5, delta=TOL)
        self.assertAlmostEqual(w["population_moved"], 67.5, delta=TOL)
        self.assertAlmostEqual(w["population_back_within"], 67.5, delta=TOL)
        self.assertEqual(w["verification"]["full_rerun"], "identical")

    def test_same_result_with_one_or_two_threads(self):
        r1 = h.analyse(self, "--zones", "zones_small.geojson", "--sites", "sites_small.csv",
                       "--population-grid", self.paths["grid_4326.tif"], "--threads", "1")
        r2 = h.analyse(self, "--zones", "zones_small.geojson", "--sites", "sites_small.csv",
                       "--population-grid", self.paths["grid_4326.tif"], "--threads", "2")
        for name in ("summary.json", "zones.geojson", "sites.geojson", "distance.tif"):
            self.assertEqual((r1.out / name).read_bytes(), (r2.out / name).read_bytes(), name)

    def test_geopackage_and_report(self):
        out = h.make_tempdir(self) / "gpkg"
        h.run_ok(self, "analyse", "--zones", "zones_small.geojson", "--sites", "sites_one.csv",
                 "--population-grid", self.grid, "--format", "gpkg", "--out", out,
                 "--no-progress", cwd=h.DATA)
        ds = ogr.Open(str(out / "maillage.gpkg"))
        layer = ds.GetLayerByName("zones")
        got = {f.GetField("zone_id"): (f.GetField("population"), f.GetField("population_layer"))
               for f in layer}
        self.assertAlmostEqual(got["Z2"][0], 1200.0, delta=TOL)
        self.assertEqual(got["Z2"][1], 25000.0)
        ds = None
        for lang, title in (("fr", "Grille de population"), ("en", "Population grid")):
            rep = h.make_tempdir(self) / lang
            h.run_ok(self, "report", "--run", self.all3.out, "--out", rep, "--lang", lang)
            html = (rep / "index.html").read_text(encoding="utf-8")
            self.assertIn(f'<h2 id="population-grid">{title}</h2>', html)
            self.assertIn(title, (rep / "report.md").read_text(encoding="utf-8"))
            figures = (rep / "figures.csv").read_text(encoding="utf-8")
            self.assertIn("population_grid_in_zones,,1517.5000,", figures)
        # A run without a grid has no such section.
        rep = h.make_tempdir(self) / "even"
        h.run_ok(self, "report", "--run", self.even.out, "--out", rep)
        self.assertNotIn("population-grid", (rep / "index.html").read_text(encoding="utf-8"))


class TestErrors(h.CliTestCase):
    """Unusable grids stop the run with a message naming the file, the cell and the value, and
    leave no output folder."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = h.make_tempdir(cls)
        cls.paths = mpg.write_all(cls.tmp / "grids")
        form = mpg.FORMS[0]  # EPSG:3035, field ind
        text = mpg.Form("text.geojson", "vector", "EPSG:3035", 200.0, "ind")
        mpg.write_vector(text, cls.tmp / "text.geojson", mpg.INTERIOR, field_type=ogr.OFTString,
                         value_of=lambda n, b: "abc" if n == 7 else str(b.value))
        mpg.write_vector(form, cls.tmp / "negative.gpkg", mpg.INTERIOR,
                         value_of=lambda n, b: -4.0 if n == 3 else b.value)
        mpg.write_vector(form, cls.tmp / "empty_value.gpkg", mpg.INTERIOR,
                         value_of=lambda n, b: None if n == 5 else b.value)
        mpg.write_vector(form, cls.tmp / "points.gpkg", mpg.INTERIOR, geometry="point")
        # Paris: nowhere near the zones.
        paris = [mpg.Block("P", "far", 2.35, 48.85, 3, 3, 10.0)]
        mpg.write_vector(form, cls.tmp / "paris.gpkg", paris)
        mpg.write_raster(mpg.FORMS[3], cls.tmp / "no_crs.tif", mpg.INTERIOR, with_crs=False)

        def negative_pixel(a):
            a[5, 5] = -1.0
        mpg.write_raster(mpg.FORMS[3], cls.tmp / "negative.tif", mpg.INTERIOR,
                         extra=negative_pixel)
        (cls.tmp / "not_a_grid.tif").write_text("this is not a raster\n", encoding="utf-8")
        # A raster without georeferencing.
        ds = gdal.GetDriverByName("GTiff").Create(str(cls.tmp / "no_geotransform.tif"), 4, 4, 1,
                                                  gdal.GDT_Float32)
        ds.GetRasterBand(1).Fill(1.0)
        ds = None

    def fails(self, *extra, code=1):
        out = self.tmp / "out"
        r = h.run("analyse", "--zones", "zones_small.geojson", "--sites", "sites_one.csv",
                  "--out", out, "--no-progress", *extra, cwd=h.DATA)
        self.assertEqual(r.returncode, code, str(r))
        self.assertFalse(out.exists(), "a failed run must leave no output folder")
        self.assertNotIn("internal error", r.stderr)
        return r.stderr

    def test_missing_field(self):
        err = self.fails("--population-grid", self.paths["grid_3035.gpkg"],
                         "--population-grid-field", "pop")
        self.assertIn("grid_3035.gpkg", err)
        self.assertIn("no field 'pop'", err)
        self.assertIn("fields: id, ind", err)
        self.assertIn("--population-grid-field", err)
        # No ind and no population field: the default cannot be guessed.
        err = self.fails("--population-grid", self.paths["grid_2154.geojson"])
        self.assertIn("no population field 'ind' or 'population'", err)
        self.assertIn("pop_2019", err)

    def test_non_numeric_negative_and_empty_values(self):
        err = self.fails("--population-grid", self.tmp / "text.geojson")
        self.assertIn("text.geojson: feature 7: population (ind) 'abc' is not a non-negative number",
                      err)
        err = self.fails("--population-grid", self.tmp / "negative.gpkg")
        self.assertIn("negative.gpkg: feature 4: population (ind) '-4", err)  # GPKG fids from 1
        err = self.fails("--population-grid", self.tmp / "empty_value.gpkg")
        self.assertIn("feature 6: population (ind) empty", err)
        err = self.fails("--population-grid", self.tmp / "negative.tif")
        self.assertIn("negative.tif: pixel (column 5, row 5): population -1 is not a non-negative",
                      err)
        self.assertIn("nodata", err)

    def test_not_a_grid(self):
        err = self.fails("--population-grid", self.tmp / "not_a_grid.tif")
        self.assertIn("not_a_grid.tif: cannot be read as a population grid", err)
        err = self.fails("--population-grid", self.tmp / "points.gpkg")
        self.assertIn("points.gpkg", err)
        self.assertIn("Point", err)
        self.assertIn("not a population grid", err)
        err = self.fails("--population-grid", self.tmp / "no_geotransform.tif")
        self.assertIn("no georeferencing", err)
        err = self.fails("--population-grid", self.tmp / "nothing_here.gpkg")
        self.assertIn("nothing_here.gpkg: no such file", err)
        err = self.fails("--population-grid", self.paths["grid_4326.tif"],
                         "--population-grid-field", "ind")
        self.assertIn("is a raster", err)

    def test_no_overlap_with_the_study_area(self):
        err = self.fails("--population-grid", self.tmp / "paris.gpkg")
        self.assertIn("paris.gpkg: the population grid does not overlap the study area", err)
        self.assertIn("EPSG:3035", err)
        # A grid read in the wrong CRS: its cells land far away.
        err = self.fails("--population-grid", self.paths["grid_3035.gpkg"],
                         "--population-grid-crs", "EPSG:2154")
        self.assertIn("does not overlap the study area", err)

    def test_no_crs(self):
        err = self.fails("--population-grid", self.tmp / "no_crs.tif")
        self.assertIn("declares no CRS", err)
        self.assertIn("--population-grid-crs", err)
        out = h.analyse(self, "--zones", "zones_small.geojson", "--sites", "sites_one.csv",
                        "--population-grid", self.tmp / "no_crs.tif",
                        "--population-grid-crs", "ESRI:54009")
        self.assertAlmostEqual(out.summary["population_total"], 1517.5, delta=TOL)

    def test_usage_errors(self):
        err = self.fails("--population-grid-field", "ind", code=2)
        self.assertIn("--population-grid-field needs --population-grid", err)
        err = self.fails("--population-grid-crs", "EPSG:3035", code=2)
        self.assertIn("needs --population-grid", err)
        err = self.fails("--population-grid", self.paths["grid_3035.gpkg"],
                         "--population-grid-crs", "not a crs", code=2)
        self.assertIn("--population-grid-crs 'not a crs'", err)


if __name__ == "__main__":
    import unittest
    unittest.main()
