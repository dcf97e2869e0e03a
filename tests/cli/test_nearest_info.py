"""`maillage nearest` (k nearest sites of points or polygons) and `maillage info`.

Expected values: pyproj (GeographicLib) distances from every point to all 470 SPRO sites (brute
force), OGR's own reading of the input files, and the hand-made fixture sites_duplicates_swapped.csv.
"""

import csv
import json
import unittest

import numpy as np
from osgeo import ogr
from pyproj import Transformer

import helpers as h

N_POINTS = 2000
SEED = 20261129
# Envelope of the region (communes extent, rounded outwards).
LON_RANGE = (2.06, 7.19)
LAT_RANGE = (44.11, 46.81)
SITE_ARGS = ("--sites", h.STRUCTURES_CSV, "--site-filter", "spro_core = 1")


def read_rows(path):
    """Rows of a nearest output (.csv, .geojson or .gpkg) as dicts; empty values become None."""
    path = str(path)
    if path.endswith(".csv"):
        with open(path, encoding="utf-8", newline="") as f:
            return [{k: (v if v != "" else None) for k, v in r.items()} for r in csv.DictReader(f)]
    if path.endswith(".geojson"):
        return [f["properties"] for f in h.load_json(path)["features"]]
    ds = ogr.Open(path)
    layer = ds.GetLayer(0)
    defn = layer.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    return [{n: f.GetField(n) for n in names} for f in layer]


class TestNearestPoints(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = h.make_tempdir(cls)
        rng = np.random.default_rng(SEED)
        lon = np.round(rng.uniform(*LON_RANGE, N_POINTS), 7)
        lat = np.round(rng.uniform(*LAT_RANGE, N_POINTS), 7)
        cls.sites = h.spro_sites()
        cls.site_index = cls.sites.index()
        # Extra rows: exactly on a site, and one without coordinates (line N_POINTS + 3).
        ids = [f"p{i}" for i in range(N_POINTS)] + ["on_site", "no_coords"]
        lons = list(lon) + [cls.sites.lon[0], None]
        lats = list(lat) + [cls.sites.lat[0], None]
        cls.points = cls.tmp / "points.csv"
        with open(cls.points, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["id", "lon", "lat"])
            for i, x, y in zip(ids, lons, lats):
                w.writerow([i, "" if x is None else repr(float(x)), "" if y is None else repr(float(y))])
        cls.ids = ids
        n = len(ids) - 1
        cls.dist = dict(zip(ids[:n], h.distance_matrix(lons[:n], lats[:n], cls.sites)))
        cls.runs = {}
        for k in (1, 3):
            for ext in ("csv", "geojson", "gpkg"):
                out = cls.tmp / f"nearest_k{k}.{ext}"
                r = h.run("nearest", *SITE_ARGS, "--points", cls.points, "--out", out, "-k", k,
                          "--no-progress")
                if r.returncode != 0:
                    raise AssertionError(f"nearest failed\n{r}")
                cls.runs[(k, ext)] = (r, read_rows(out))

    def check(self, k, ext):
        r, rows = self.runs[(k, ext)]
        self.assertEqual([row["id"] for row in rows], self.ids, "rows lost or reordered")
        errors = []
        for row in rows:
            if row["id"] == "no_coords":
                continue
            got_ids = []
            for rank in range(k):
                suffix = "" if rank == 0 else f"_{rank + 1}"
                sid, km = row[f"nearest_site_id{suffix}"], row[f"nearest_km{suffix}"]
                errors += h.nearest_errors(row["id"], self.dist[row["id"]], self.site_index, sid, km, rank)
                got_ids.append(sid)
            if len(set(got_ids)) != k:
                errors.append(f"{row['id']}: the same site twice: {got_ids}")
        h.assert_no_errors(self, errors, f"wrong results in the k={k} {ext} output")
        # Columns: the input's, then id, name and km per rank.
        expected = ["id", "lon", "lat"]
        for rank in range(k):
            suffix = "" if rank == 0 else f"_{rank + 1}"
            expected += [f"nearest_site_id{suffix}", f"nearest_site_name{suffix}", f"nearest_km{suffix}"]
        self.assertEqual(list(rows[0].keys()), expected)

    def test_k1_csv(self):
        self.check(1, "csv")

    def test_k1_geojson(self):
        self.check(1, "geojson")

    def test_k1_gpkg(self):
        self.check(1, "gpkg")

    def test_k3_csv(self):
        self.check(3, "csv")

    def test_k3_geojson(self):
        self.check(3, "geojson")

    def test_k3_gpkg(self):
        self.check(3, "gpkg")

    def test_rerun_on_its_own_output_replaces_the_results(self):
        # The k=1 GeoPackage output as input, with k=3: its result columns are replaced, not
        # duplicated, and the new results are right.
        out = self.tmp / "rerun_k3.gpkg"
        r = h.run("nearest", *SITE_ARGS, "--points", self.tmp / "nearest_k1.gpkg", "--out", out,
                  "-k", 3, "--no-progress")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("replaced", r.stderr)
        rows = read_rows(out)
        expected = ["id", "lon", "lat"]
        for rank in range(3):
            suffix = "" if rank == 0 else f"_{rank + 1}"
            expected += [f"nearest_site_id{suffix}", f"nearest_site_name{suffix}", f"nearest_km{suffix}"]
        self.assertEqual(list(rows[0].keys()), expected)
        errors = []
        for row in rows:
            if row["id"] in ("no_coords",):
                continue
            for rank in range(3):
                suffix = "" if rank == 0 else f"_{rank + 1}"
                errors += h.nearest_errors(row["id"], self.dist[row["id"]], self.site_index,
                                           row[f"nearest_site_id{suffix}"], row[f"nearest_km{suffix}"], rank)
        h.assert_no_errors(self, errors, "wrong results after a rerun")

    def test_point_on_a_site(self):
        for (k, ext), (_, rows) in self.runs.items():
            row = next(r for r in rows if r["id"] == "on_site")
            self.assertEqual(float(row["nearest_km"]), 0.0, (k, ext))

    def test_point_without_coordinates(self):
        for (k, ext), (r, rows) in self.runs.items():
            row = next(r for r in rows if r["id"] == "no_coords")
            for key in [key for key in row if key.startswith("nearest")]:
                self.assertIsNone(row[key], (k, ext, key))
            self.assertRegex(r.stderr, rf"warning: .*points\.csv: line {N_POINTS + 3}: no usable coordinates")

    def test_geojson_output_follows_rfc7946(self):
        doc = h.load_json(self.tmp / "nearest_k1.geojson")
        self.assertNotIn("crs", doc)

    def test_max_km_leaves_far_sites_empty(self):
        out = self.tmp / "max5.csv"
        h.run_ok(self, "nearest", *SITE_ARGS, "--points", self.points, "--out", out, "-k", "3",
                 "--max-km", "5", "--no-progress")
        rows = read_rows(out)
        errors = []
        empty = 0
        for row in rows:
            if row["id"] == "no_coords":
                continue
            d = np.sort(self.dist[row["id"]])
            for rank in range(3):
                suffix = "" if rank == 0 else f"_{rank + 1}"
                km = row[f"nearest_km{suffix}"]
                if d[rank] > 5000 + h.DIST_TOL_M:
                    if km is not None or row[f"nearest_site_id{suffix}"] is not None:
                        errors.append(f"{row['id']} rank {rank + 1}: {km} km kept, brute force {d[rank]:.0f} m")
                    empty += 1
                elif d[rank] < 5000 - h.DIST_TOL_M:
                    errors += h.nearest_errors(row["id"], self.dist[row["id"]], self.site_index,
                                               row[f"nearest_site_id{suffix}"], km, rank)
        h.assert_no_errors(self, errors, "wrong --max-km results")
        self.assertGreater(empty, 100)  # the limit did remove results

    def test_points_crs_override(self):
        # The first 200 points in Lambert-93 (x, y to the millimetre) with --points-crs EPSG:2154.
        to_l93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
        path = self.tmp / "points_l93.csv"
        with open(self.points, encoding="utf-8") as f:
            src = list(csv.DictReader(f))[:200]
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["id", "x", "y"])
            for row in src:
                x, y = to_l93.transform(float(row["lon"]), float(row["lat"]))
                w.writerow([row["id"], f"{x:.3f}", f"{y:.3f}"])
        out = self.tmp / "l93.csv"
        h.run_ok(self, "nearest", *SITE_ARGS, "--points", path, "--points-crs", "EPSG:2154",
                 "--out", out, "--no-progress")
        errors = []
        for row in read_rows(out):
            errors += h.nearest_errors(row["id"], self.dist[row["id"]], self.site_index,
                                       row["nearest_site_id"], row["nearest_km"])
        h.assert_no_errors(self, errors, "wrong results from Lambert-93 points")


class TestNearestPolygons(h.CliTestCase):
    """Polygons (communes) are measured from their centroid, or a point on their surface."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = h.make_tempdir(cls)
        doc = h.load_json(h.COMMUNES)
        chosen, refs = [], {}
        crescents = multis = 0
        for i, f in enumerate(doc["features"]):
            g = ogr.CreateGeometryFromJson(json.dumps(f["geometry"]))
            if not g.IsValid():
                continue
            c = g.Centroid()
            inside = g.Contains(c)
            multi = f["geometry"]["type"] == "MultiPolygon"
            take = i % 200 == 0 or (not inside and crescents < 4) or (multi and multis < 3)
            if take:
                crescents += 0 if inside else 1
                multis += 1 if multi else 0
                chosen.append(f)
                p = c if inside else g.PointOnSurface()
                refs[f["properties"]["code"]] = (p.GetX(), p.GetY())
        cls.crescents = crescents
        cls.multis = multis
        cls.refs = refs
        cls.src = cls.tmp / "communes_sample.geojson"
        cls.src.write_text(json.dumps({"type": "FeatureCollection", "features": chosen}), encoding="utf-8")
        cls.out = cls.tmp / "communes_nearest.geojson"
        cls.result = h.run("nearest", *SITE_ARGS, "--points", cls.src, "--out", cls.out, "-k", "2",
                           "--no-progress")
        if cls.result.returncode != 0:
            raise AssertionError(f"nearest failed\n{cls.result}")
        cls.sites = h.spro_sites()

    def test_sample_has_crescents_and_multipolygons(self):
        self.assertGreaterEqual(self.crescents, 1)
        self.assertGreaterEqual(self.multis, 1)

    def test_nearest_from_reference_point(self):
        feats = h.load_json(self.out)["features"]
        self.assertEqual(len(feats), len(self.refs))
        codes = [f["properties"]["code"] for f in feats]
        d = h.distance_matrix([self.refs[c][0] for c in codes], [self.refs[c][1] for c in codes], self.sites)
        index = self.sites.index()
        errors = []
        for i, f in enumerate(feats):
            p = f["properties"]
            errors += h.nearest_errors(p["code"], d[i], index, p["nearest_site_id"], p["nearest_km"])
            errors += h.nearest_errors(p["code"], d[i], index, p["nearest_site_id_2"], p["nearest_km_2"], 1)
        h.assert_no_errors(self, errors, "wrong nearest sites of communes")

    def test_polygons_kept(self):
        feats = h.load_json(self.out)["features"]
        self.assertTrue(all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in feats))
        self.assertEqual(h.rfc7946_errors(self.out), [])
        self.assertEqual(feats[0]["properties"]["population"],
                         h.load_json(self.src)["features"][0]["properties"]["population"])


class TestInfo(h.CliTestCase):
    def test_communes(self):
        r = h.run_ok(self, "info", h.COMMUNES, "--json")
        layer = json.loads(r.stdout)["layers"][0]
        self.assertEqual(layer["features"], h.AURA_COMMUNES)
        # SOURCES.md: 3,969 Polygon and 56 MultiPolygon features.
        self.assertEqual(sorted(layer["geometries"].values()), [56, 3969])
        self.assertEqual(layer["crs"], "EPSG:4326")
        invalid_key = [k for k in layer["problems"] if "invalid" in k]
        self.assertEqual(len(invalid_key), 1, layer["problems"])
        listed = layer["problems"][invalid_key[0]]["where"]
        # The invalid features, found independently with OGR, in file order.
        ds = ogr.Open(str(h.COMMUNES))
        invalid = [f"feature {f.GetFID()}" for f in ds.GetLayer(0) if not f.GetGeometryRef().IsValid()]
        self.assertEqual(len(invalid), h.AURA_INVALID_COMMUNES)
        self.assertEqual(layer["problems"][invalid_key[0]]["count"], len(invalid))
        shown = [w for w in listed if w != "..."]
        self.assertGreater(len(shown), 0)
        self.assertEqual(shown, invalid[:len(shown)])
        if len(shown) < len(invalid):
            self.assertEqual(listed[-1], "...", "a truncated list must say so")
        # No other problem: codes are unique and every population is a non-negative number.
        self.assertEqual(set(layer["problems"]), set(invalid_key))

    def test_communes_text(self):
        r = h.run_ok(self, "info", h.COMMUNES)
        self.assertRegex(r.stdout, r"features: 4025\b")
        self.assertIn("invalid geometry", r.stdout)
        self.assertRegex(r.stdout, r"\bPolygon 3969\b")

    def test_csv_with_duplicate_ids_and_swapped_coordinates(self):
        path = h.DATA / "sites_duplicates_swapped.csv"
        r = h.run_ok(self, "info", path, "--json")
        layer = json.loads(r.stdout)["layers"][0]
        self.assertEqual(layer["features"], 6)
        problems = layer["problems"]
        dup = [v["where"] for k, v in problems.items() if "duplicate" in k]
        self.assertEqual(len(dup), 1, problems)
        self.assertEqual([w.split(" (")[0] for w in dup[0]], ["line 4", "line 7"])
        self.assertIn("first at line 2", dup[0][0])
        self.assertIn("first at line 3", dup[0][1])
        self.assertEqual([v["count"] for k, v in problems.items() if "duplicate" in k], [2])
        swapped = [v["where"] for k, v in problems.items() if "swapped" in k]
        self.assertEqual(len(swapped), 1, problems)
        self.assertIn("2 of 6", swapped[0][0])
        text = h.run_ok(self, "info", path)
        self.assertIn("duplicate", text.stdout)
        self.assertIn("swapped", text.stdout)

    def test_clean_csv_has_no_problem(self):
        r = h.run_ok(self, "info", h.DATA / "sites_small.csv")
        self.assertIn("none found", r.stdout)


if __name__ == "__main__":
    unittest.main()
