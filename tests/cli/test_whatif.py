"""`maillage whatif`: hand-worked village case, input validation, and the shipped data.

The small case is SYNTHETIC, written by this file into a temporary folder:
    village "V": lon 5.0000-5.0254, lat 45.000-45.018 (about 2 km x 2 km), 1,000 inhabitants, dept 01
    town    "T": lon 5.37-5.40, lat 44.99-45.03, 9,000 inhabitants, dept 02
    site a at the village centre (5.0127, 45.009); site b 30 km due east of a (in the town).
With a 20 km threshold: closing a sends the 1,000 villagers to b, 29 to 31 km away (all newly
beyond); opening c 5 km east of a instead keeps them within (4 to 6 km). Expected distances come
from pyproj (GeographicLib) over points spread on the village, never from maillage.
"""

import csv
import json
import os
import subprocess
from pathlib import Path

import numpy as np
from osgeo import ogr

import helpers as h

VILLAGE = (5.0, 45.0, 5.0254, 45.018)
TOWN = (5.37, 44.99, 5.40, 45.03)
A = (5.0127, 45.009)
B = tuple(float(v) for v in h.GEOD.fwd(A[0], A[1], 90.0, 30000.0)[:2])
C = tuple(float(v) for v in h.GEOD.fwd(A[0], A[1], 90.0, 5000.0)[:2])


def square(lon0, lat0, lon1, lat1):
    return [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]]


def write_fixture(folder):
    zones = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "V", "nom": "Village", "population": 1000,
                                           "departement": "01", "source": "SYNTHETIC"},
         "geometry": {"type": "Polygon", "coordinates": square(*VILLAGE)}},
        {"type": "Feature", "properties": {"code": "T", "nom": "Town", "population": 9000,
                                           "departement": "02", "source": "SYNTHETIC"},
         "geometry": {"type": "Polygon", "coordinates": square(*TOWN)}}]}
    (folder / "zones.geojson").write_text(json.dumps(zones), encoding="utf-8")
    with open(folder / "sites.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "nom", "lon", "lat", "source"])
        w.writerow(["a", "Village office", A[0], A[1], "SYNTHETIC"])
        w.writerow(["b", "Town office", B[0], B[1], "SYNTHETIC"])
    with open(folder / "sites_b.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "nom", "lon", "lat", "source"])
        w.writerow(["b", "Town office", B[0], B[1], "SYNTHETIC"])


def village_points(n=40):
    """An n x n lattice of points spread evenly over the village (cell centres of a finer grid)."""
    lon0, lat0, lon1, lat1 = VILLAGE
    lons = lon0 + (np.arange(n) + 0.5) * (lon1 - lon0) / n
    lats = lat0 + (np.arange(n) + 0.5) * (lat1 - lat0) / n
    lon, lat = np.meshgrid(lons, lats)
    return lon.ravel(), lat.ravel()


def village_mean_km(site):
    lon, lat = village_points()
    _, _, d = h.GEOD.inv(lon, lat, np.full(lon.size, site[0]), np.full(lon.size, site[1]))
    return float(np.mean(d)) / 1000.0


def features(path, layer=None):
    ds = ogr.Open(str(path))
    lyr = ds.GetLayerByName(layer) if layer else ds.GetLayer(0)
    out = {}
    for f in lyr:
        props = {lyr.GetLayerDefn().GetFieldDefn(i).GetName(): f.GetField(i)
                 for i in range(f.GetFieldCount())}
        out[props.get("zone_id") or props.get("site_id")] = props
    return out


class WhatIfSmall(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.data = h.make_tempdir(cls)
        write_fixture(cls.data)

    def whatif(self, *args, sites="sites.csv", expect=0):
        out = h.make_tempdir(self) / "out"
        r = h.run("whatif", "--zones", self.data / "zones.geojson", "--sites", self.data / sites,
                  *args, "--out", out, "--no-progress")
        self.assertEqual(r.returncode, expect, str(r))
        return r, out

    def test_close_the_village_site(self):
        r, out = self.whatif("--close", "a")
        s = h.load_json(out / "summary.json")["whatif"]
        top = h.load_json(out / "summary.json")
        # The folder is a complete run of the baseline, with the what-if as a section.
        self.assertEqual(top["population_beyond"], s["population_beyond"]["before"])
        self.assertEqual(top["distance_km"], s["distance_km"]["before"])
        for name in ("zones.geojson", "sites.geojson", "underserved.geojson", "distance.tif"):
            self.assertTrue((out / name).exists(), name)
        self.assertEqual(s["population_total"], 10000)
        self.assertEqual(s["population_moved"], 1000)
        self.assertEqual(s["population_newly_beyond"], 1000)
        self.assertEqual(s["population_back_within"], 0)
        self.assertEqual(s["population_beyond"]["before"], 0)
        self.assertEqual(s["population_beyond"]["after"], 1000)
        self.assertEqual(s["sites_count"], {"before": 2, "after": 1})
        self.assertEqual([c["site_id"] for c in s["changes"]["closed"]], ["a"])
        self.assertEqual(s["changes"]["closed"][0]["catchment_population"], 1000)
        # Mean distance: the village's rises from ~0.77 km to ~30 km, the town's does not move.
        # maillage averages over its 200 m cells, whose centres sit up to half a cell (0.1 km)
        # off the even spread of the lattice used here: 0.1 km is the tolerance for a far site.
        before, after = village_mean_km(A), village_mean_km(B)
        groups = {g["group"]: g for g in s["by_group"]}
        self.assertAlmostEqual(groups["01"]["mean_km_before"], before, delta=0.05)
        self.assertAlmostEqual(groups["01"]["mean_km_after"], after, delta=0.1)
        self.assertEqual(groups["01"]["population_moved"], 1000)
        self.assertEqual(groups["01"]["population_newly_beyond"], 1000)
        self.assertEqual(groups["01"]["zones_changed"], 1)
        self.assertEqual(groups["02"]["population_moved"], 0)
        self.assertEqual(groups["02"]["zones_changed"], 0)
        self.assertEqual(groups["02"]["mean_km_change"], 0)
        self.assertAlmostEqual(s["distance_km"]["mean_change"], (after - before) * 1000 / 10000,
                               delta=0.015)
        # The zones layer holds the village only.
        zones = features(out / "whatif_zones.geojson")
        self.assertEqual(list(zones), ["V"])
        v = zones["V"]
        self.assertEqual((v["nearest_site_before"], v["nearest_site_after"]), ("a", "b"))
        self.assertEqual(v["change"], "rose")
        self.assertAlmostEqual(v["mean_km_after"], after, delta=0.1)
        self.assertAlmostEqual(v["delta_km"], v["mean_km_after"] - v["mean_km_before"], delta=2e-4)
        self.assertEqual((v["pop_moved"], v["pop_newly_beyond"]), (1000, 1000))
        self.assertEqual((v["pop_beyond_before"], v["pop_beyond_after"]), (0, 1000))
        # The reference point is the village centre, 30 km from b (to within the centroid's
        # shift in the equal-area plane, a few metres).
        self.assertAlmostEqual(v["nearest_km_after"], 30.0, delta=0.02)
        self.assertEqual((v["sites_within_before"], v["sites_within_after"]), (1, 0))
        sites = features(out / "whatif_sites.geojson")
        self.assertEqual(sites["a"]["status"], "closed")
        self.assertEqual((sites["a"]["catchment_before"], sites["a"]["catchment_after"]), (1000, 0))
        self.assertEqual(sites["b"]["status"], "kept")
        self.assertEqual((sites["b"]["catchment_before"], sites["b"]["catchment_after"]),
                         (9000, 10000))
        self.assertEqual(h.rfc7946_errors(out / "whatif_zones.geojson"), [])
        # Incremental: only the village's cells (about 100 of 200 m) were searched again.
        inc = s["incremental"]
        self.assertEqual(inc["cells_compared_with_opened"], 0)
        self.assertGreater(inc["cells_searched_again"], 80)
        self.assertLess(inc["cells_searched_again"], 125)
        self.assertEqual(inc["cells_recomputed"], inc["cells_searched_again"])
        # The town's ~260 cells (2.4 km x 4.4 km) were left alone.
        self.assertGreater(inc["cells_total"] - inc["cells_recomputed"], 200)
        self.assertEqual(inc["zones_recomputed"], 1)
        self.assertIn("cells recomputed", r.stderr)
        run = h.load_json(out / "run.json")
        self.assertEqual(run["command"], "whatif")
        self.assertIn("whatif_phases", run["timings_s"])
        self.assertEqual(run["timings_s"]["whatif_cells"],
                         {"recomputed": inc["cells_recomputed"], "total": inc["cells_total"]})
        self.assertIn(f"for {inc['cells_recomputed']} of {inc['cells_total']} cells", r.stderr)

    def test_close_and_open(self):
        _, out = self.whatif("--close", "a", "--open", f"{C[0]},{C[1]},Relais")
        s = h.load_json(out / "summary.json")["whatif"]
        self.assertEqual(s["population_moved"], 1000)
        self.assertEqual(s["population_newly_beyond"], 0)
        self.assertEqual(s["population_beyond"]["after"], 0)
        self.assertEqual(s["changes"]["opened"][0]["name"], "Relais")
        self.assertEqual(s["changes"]["opened"][0]["catchment_population"], 1000)
        v = features(out / "whatif_zones.geojson")["V"]
        self.assertEqual(v["nearest_site_after"], "new-1")
        self.assertAlmostEqual(v["mean_km_after"], village_mean_km(C), delta=0.1)
        sites = features(out / "whatif_sites.geojson")
        self.assertEqual(sites["new-1"]["status"], "opened")
        self.assertEqual(sites["new-1"]["catchment_after"], 1000)
        self.assertNotIn("b", sites)  # b's catchment does not change

    def test_opening_brings_the_village_back_within(self):
        _, out = self.whatif("--open", f"{C[0]},{C[1]}", sites="sites_b.csv")
        s = h.load_json(out / "summary.json")["whatif"]
        self.assertEqual(s["population_beyond"], {"before": 1000, "after": 0, "change": -1000,
                                                  "share_before": 0.1, "share_after": 0.0})
        self.assertEqual(s["population_back_within"], 1000)
        self.assertEqual(s["population_moved"], 1000)
        v = features(out / "whatif_zones.geojson")["V"]
        self.assertEqual(v["change"], "fell")
        self.assertEqual(v["pop_back_within"], 1000)
        inc = s["incremental"]
        self.assertEqual(inc["cells_searched_again"], 0)
        # Compared: the village's cells; the town's are nearer to b than to c.
        self.assertEqual(inc["cells_compared_with_opened"], inc["cells_changed"])

    def test_changes_file_equals_the_options(self):
        path = h.make_tempdir(self) / "changes.csv"
        path.write_text(f"action,id,lon,lat,name\nclose,a,,,\nopen,relais,{C[0]},{C[1]},Relais\n",
                        encoding="utf-8")
        _, out = self.whatif("--changes", path)
        _, out2 = self.whatif("--close", "a", "--open", f"{C[0]},{C[1]},Relais")
        s, s2 = (h.load_json(p / "summary.json")["whatif"] for p in (out, out2))
        self.assertEqual(s["changes"]["opened"][0]["site_id"], "relais")
        for key in ("population_moved", "population_beyond", "distance_km", "by_group"):
            self.assertEqual(s[key], s2[key], key)

    def test_verify_and_geopackage(self):
        _, out = self.whatif("--close", "a", "--open", f"{C[0]},{C[1]}", "--verify",
                             "--format", "gpkg")
        s = h.load_json(out / "summary.json")["whatif"]
        self.assertEqual(s["verification"]["full_rerun"], "identical")
        self.assertEqual(sorted(p.name for p in out.iterdir()), ["maillage.gpkg", "run.json",
                                                                 "summary.json"])
        self.assertEqual(list(features(out / "maillage.gpkg", "whatif_zones")), ["V"])
        self.assertEqual(sorted(features(out / "maillage.gpkg", "whatif_sites")), ["a", "new-1"])
        self.assertEqual(sorted(features(out / "maillage.gpkg", "zones")), ["T", "V"])

    def test_report_section(self):
        _, out = self.whatif("--close", "a", "--open", f"{C[0]},{C[1]},Relais")
        for lang, words in (("en", ["Scenario: what if", "Sites closed (1): Village office",
                                    "Sites opened (1): Relais"]),
                            ("fr", ["Scénario : et si", "Lieux fermés (1) : Village office"])):
            with self.subTest(lang):
                rep = h.make_tempdir(self) / "report"
                h.run_ok(self, "report", "--run", out, "--out", rep, "--lang", lang)
                page = (rep / "index.html").read_text(encoding="utf-8")
                self.assertIn('id="whatif"', page)
                for w in words:
                    self.assertIn(w, page)
                self.assertIn("Village", (rep / "report.md").read_text(encoding="utf-8"))
                figures = {}
                with open(rep / "figures.csv", encoding="utf-8") as f:
                    for row in csv.DictReader(f):
                        figures[(row["figure"], row["group"])] = float(row["value"])
                # The hand-worked figures: everyone in the village moves, nobody goes beyond.
                self.assertEqual(figures[("whatif_population_moved", "")], 1000)
                self.assertEqual(figures[("whatif_population_newly_beyond", "")], 0)
                self.assertEqual(figures[("whatif_sites_count_after", "")], 2)
                self.assertEqual(figures[("whatif_group_population_moved", "01")], 1000)
                self.assertNotIn(("whatif_group_population_moved", "02"), figures)
                self.assertAlmostEqual(figures[("whatif_group_mean_km_after", "01")],
                                       village_mean_km(C), delta=0.1)
        # A plain analysis has no such section.
        plain = h.analyse(self, "--zones", self.data / "zones.geojson", "--sites",
                          self.data / "sites.csv")
        rep = h.make_tempdir(self) / "report"
        h.run_ok(self, "report", "--run", plain.out, "--out", rep)
        self.assertNotIn('id="whatif"', (rep / "index.html").read_text(encoding="utf-8"))

    def test_qgis_reads_the_styles(self):
        try:
            ok = subprocess.run(["/usr/bin/python3", "-c", "import qgis.core"], timeout=60,
                                capture_output=True,
                                env=dict(os.environ, QT_QPA_PLATFORM="offscreen")).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        if not ok:
            self.skipTest("QGIS is not installed (scripts/test.sh installs it)")
        args = ("--close", "a", "--open", f"{C[0]},{C[1]}")
        _, geojson = self.whatif(*args)
        _, gpkg = self.whatif(*args, "--format", "gpkg")
        tmp = h.make_tempdir(self)
        p = subprocess.run(["/usr/bin/python3", str(Path(__file__).with_name("qgis_probe_whatif.py")),
                            str(geojson), str(gpkg)], capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, QT_QPA_PLATFORM="offscreen",
                                    XDG_RUNTIME_DIR=str(tmp)))
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        seen = json.loads(p.stdout.strip().splitlines()[-1])
        for fmt in ("geojson", "gpkg"):
            self.assertEqual(seen[f"{fmt}:whatif_zones"], {"valid": True, "renderer": "graduatedSymbol",
                                                           "field": "delta_km", "classes": 7})
            self.assertEqual(seen[f"{fmt}:whatif_sites"], {"valid": True,
                                                           "renderer": "categorizedSymbol",
                                                           "field": "status", "classes": 3})

    def test_same_bytes_whatever_the_threads(self):
        outs = [self.whatif("--close", "a", "--open", f"{C[0]},{C[1]}", "--threads", t)[1]
                for t in ("1", "2")]
        for name in ("summary.json", "whatif_zones.geojson", "whatif_sites.geojson"):
            self.assertEqual((outs[0] / name).read_bytes(), (outs[1] / name).read_bytes(), name)

    def test_negative_longitude_with_equals(self):
        r, out = self.whatif("--open=-1.5,47.2,far")
        self.assertIn("outside every zone", r.stderr)
        self.assertEqual(h.load_json(out / "summary.json")["whatif"]["population_moved"], 0)

    # --- errors -------------------------------------------------------------------------------

    def assert_error(self, args, code, *words, sites="sites.csv"):
        parent = h.make_tempdir(self)
        r = h.run("whatif", "--zones", self.data / "zones.geojson", "--sites", self.data / sites,
                  *args, "--out", parent / "out", "--no-progress")
        self.assertEqual(r.returncode, code, str(r))
        for w in words:
            self.assertIn(w, r.stderr)
        self.assertFalse((parent / "out").exists(), "a failed run left an output folder")
        return r

    def test_unknown_id_to_close(self):
        self.assert_error(["--close", "a,zz-99"], 1, "'zz-99'", "error")

    def test_malformed_open(self):
        self.assert_error(["--open", "5.0;45.0"], 2, "no comma", "LON,LAT")
        self.assert_error(["--open", "5.0,abc"], 2, "latitude 'abc' is not a number")
        self.assert_error(["--open", "east,45"], 2, "longitude 'east'")
        self.assert_error(["--close", "a,,b"], 2, "empty site id")

    def test_out_of_range_open(self):
        self.assert_error(["--open", "200,45"], 2, "out of range")
        self.assert_error(["--open", "5.1,95"], 2, "out of range", "swapped")

    def test_nothing_to_change(self):
        self.assert_error([], 2, "nothing to change")

    def test_bad_changes_files(self):
        folder = h.make_tempdir(self)
        cases = {
            "missing.csv": (None, "no such file"),
            "action.csv": ("action,id\nclose,a\nmove,b\n", "line 3: action 'move'"),
            "lat.csv": ("action,lon,lat\nopen,5.0,north\n", "line 2"),
            "range.csv": ("action,lon,lat\nopen,5.0,100\n", "out of range"),
            "noaction.csv": ("id,lon,lat\na,5,45\n", "no column 'action'"),
            "unknown.csv": ("action,id\nclose,nope\n", "'nope'"),
            "dupid.csv": ("action,id,lon,lat\nopen,b,5.1,45.1\n", "already used"),
        }
        for name, (text, words) in cases.items():
            with self.subTest(name):
                path = folder / name
                if text is not None:
                    path.write_text(text, encoding="utf-8")
                self.assert_error(["--changes", path], 1, words, name)


# --- The shipped data ---------------------------------------------------------------------------

# Cantal's France Travail (ex Pôle emploi) network: its three sites, the smallest networks of a
# department (geodata/SOURCES.md lists the directory); and a site opened at the centre of the
# largest underserved area of the default run (Mézenc / Haute-Loire-Ardèche border).
# Three regional sites, and one border site (the CIO of Mâcon, across the edge of the region).
CLOSE = ["pole_emploi-15014-01", "pole_emploi-15187-01", "pole_emploi-15120-01", "cio-71270-01"]
OPEN = (3.8944, 44.8309)


class WhatIfReal(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tmp = h.make_tempdir(cls)
        cls.out = tmp / "whatif"
        cls.r = h.run("whatif", "--close", ",".join(CLOSE), "--open", f"{OPEN[0]},{OPEN[1]},Mezenc",
                      "--verify", "--out", cls.out, "--no-progress", cwd=h.REPO)
        if cls.r.returncode != 0:
            raise AssertionError(f"maillage whatif failed\n{cls.r}")
        cls.summary = h.load_json(cls.out / "summary.json")["whatif"]
        cls.zones = features(cls.out / "whatif_zones.geojson")
        # The full rerun through the public command: the same sites (regional, then border), kept
        # in order, then the new, in one layer.
        with open(h.STRUCTURES_CSV, encoding="utf-8", newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["spro_core"].strip() == "1"]
        with open(h.BORDER_CSV, encoding="utf-8", newline="") as f:
            rows += list(csv.DictReader(f))
        cls.kept = [r for r in rows if r["id"] not in CLOSE]
        with open(tmp / "sites.csv", "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "nom", "type_service", "lon", "lat"])
            for r in cls.kept:
                w.writerow([r["id"], r["nom"], r["type_service"], r["lon"], r["lat"]])
            w.writerow(["new-1", "Mezenc", "opened", OPEN[0], OPEN[1]])
        cls.full = h.analyse(cls, "--sites", tmp / "sites.csv", cwd=h.REPO)

    def test_verified_identical(self):
        self.assertEqual(self.summary["verification"]["full_rerun"], "identical")
        self.assertIn("every cell and zone equals a full rerun", self.r.stderr)

    def test_equals_the_analyse_command_on_the_changed_sites(self):
        s, full = self.summary, self.full.summary
        self.assertEqual(s["distance_km"]["after"], full["distance_km"])
        self.assertEqual(s["population_beyond"]["after"], full["population_beyond"])
        self.assertEqual(s["sites_count"]["after"], full["sites_count"])
        groups = {g["group"]: g for g in full["by_group"]}
        for g in s["by_group"]:
            self.assertEqual(g["mean_km_after"], groups[g["group"]]["mean_km"], g["group"])
            self.assertEqual(g["population_beyond_after"], groups[g["group"]]["population_beyond"])
            self.assertEqual(g["sites_after"], groups[g["group"]]["sites"], g["group"])
        self.assertGreater(len(self.zones), 100)
        for zid, z in self.zones.items():
            f = self.full.zones[zid]["properties"]
            self.assertEqual(z["mean_km_after"], f["mean_km"], zid)
            self.assertEqual(z["max_km_after"], f["max_km"], zid)
            self.assertEqual(z["nearest_km_after"], f["nearest_km"], zid)
            self.assertEqual(z["pop_beyond_after"], f["pop_beyond"], zid)

    def test_changed_zones_against_brute_force(self):
        sites = h.Sites([r["id"] for r in self.kept] + ["new-1"],
                        np.array([float(r["lon"]) for r in self.kept] + [OPEN[0]]),
                        np.array([float(r["lat"]) for r in self.kept] + [OPEN[1]]))
        ids = sorted(self.zones)
        props = [self.full.zones[z]["properties"] for z in ids]
        d = h.distance_matrix([p["ref_lon"] for p in props], [p["ref_lat"] for p in props], sites)
        errors = []
        for i, zid in enumerate(ids):
            z = self.zones[zid]
            errors += h.nearest_errors(zid, d[i], sites.index(), z["nearest_site_after"],
                                       z["nearest_km_after"])
        h.assert_no_errors(self, errors, "changed zones off the brute force")

    def test_figures(self):
        s = self.summary
        self.assertEqual(s["population_total"], h.AURA_POPULATION)
        # Everyone whose nearest site closed has moved: at least the three catchments.
        closed = sum(c["catchment_population"] for c in s["changes"]["closed"])
        self.assertGreater(closed, 0)
        self.assertGreaterEqual(s["population_moved"], closed)
        self.assertEqual(s["population_beyond"]["after"] - s["population_beyond"]["before"],
                         s["population_newly_beyond"] - s["population_back_within"])
        inc = s["incremental"]
        self.assertLess(inc["cells_recomputed"], inc["cells_total"] / 10)
        self.assertGreater(inc["cells_searched_again"], 0)
        self.assertGreater(inc["cells_compared_with_opened"], 0)
        changed_groups = {g["group"] for g in s["by_group"] if g["zones_changed"]}
        self.assertIn("15", changed_groups)
        self.assertIn("43", changed_groups)
