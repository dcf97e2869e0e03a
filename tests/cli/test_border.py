"""Border sites (issue 11): sites across the edge of the study area serve the zones like any
other site, are marked and counted, and are no news in the log; a stray site of --sites is.

Fixtures: zones_small.geojson (three 0.13 x 0.09 degree zones, lon 5.00 to 5.39, lat 45.00 to
45.09) and small site files written here. Expected distances come from pyproj (GeographicLib),
never from maillage.
"""

import csv
import json
import unittest

import numpy as np

import helpers as h

ZONES = h.DATA / "zones_small.geojson"
# A site 4.7 km east of zone Z3 (outside every zone) and one inside Z3, for a "border" file.
ACROSS = ("across-1", "Across the edge", 5.45, 45.05)
INSIDE = ("inside-1", "Inside Z3", 5.33, 45.04)


def write_sites(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "nom", "type_service", "lon", "lat"])
        for sid, name, lon, lat in rows:
            w.writerow([sid, name, "cio", lon, lat])
    return path


class BorderSites(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = h.make_tempdir(cls)
        cls.border = write_sites(cls.tmp / "border.csv", [ACROSS])
        cls.without = h.analyse(cls, "--zones", ZONES, "--sites", "sites_one.csv",
                                "--threshold-km", "17", "--grid-m", "200")
        cls.with_ = h.analyse(cls, "--zones", ZONES, "--sites", "sites_one.csv",
                              "--border-sites", cls.border, "--threshold-km", "17",
                              "--grid-m", "200")

    def test_a_border_site_serves_the_zones_near_it(self):
        # Z3's reference point: the border site is its nearest, at the pyproj distance.
        z3 = self.with_.zones["Z3"]["properties"]
        _, _, d_border = h.GEOD.inv(z3["ref_lon"], z3["ref_lat"], ACROSS[2], ACROSS[3])
        _, _, d_a1 = h.GEOD.inv(z3["ref_lon"], z3["ref_lat"], 5.065, 45.045)
        self.assertLess(d_border, d_a1)
        self.assertEqual(z3["nearest_site_id"], ACROSS[0])
        self.assertAlmostEqual(z3["nearest_km"] * 1000, d_border, delta=h.DIST_TOL_M)
        before = self.without.zones["Z3"]["properties"]
        self.assertEqual(before["nearest_site_id"], "a1")
        self.assertAlmostEqual(before["nearest_km"] * 1000, d_a1, delta=h.DIST_TOL_M)
        # Beyond 17 km: by hand, Z3's east edge (lon 5.39) is 25 km from a1 (5.065, 45.045), so
        # part of Z3 is beyond; with the border site, every corner of every zone is within 17 km
        # of a1 or of it (the farthest, (5.26, 45.0) and (5.26, 45.09), 16.1 km from a1 and
        # 15.5 km from the border site), so nobody is.
        self.assertGreater(before["pop_beyond"], 0)
        self.assertEqual(z3["pop_beyond"], 0)
        self.assertEqual(self.with_.summary["population_beyond"], 0)
        self.assertGreater(self.without.summary["population_beyond"], 0)

    def test_marked_and_counted_per_file(self):
        s = self.with_.summary
        self.assertEqual(s["sites_count"], 2)
        self.assertEqual(s["sites_outside_study_area"], 1)
        self.assertEqual([(l["role"], l["sites"], l["in_study_area"], l["outside_study_area"])
                          for l in s["site_layers"]], [("sites", 1, 1, 0), ("border", 1, 0, 1)])
        self.assertEqual(s["parameters"]["border_sites"], [str(self.border)])
        props = {k: f["properties"] for k, f in self.with_.sites.items()}
        self.assertEqual(props["a1"]["in_study_area"], True)
        self.assertEqual(props[ACROSS[0]]["in_study_area"], False)
        self.assertEqual(props[ACROSS[0]]["source"], "border.csv")
        self.assertEqual(props["a1"]["source"], "sites_one.csv")
        # The border site's catchment: the people whose nearest it is (Z3 at least).
        self.assertGreaterEqual(props[ACROSS[0]]["catchment_population"], 4000)
        # A department counts the sites inside it only.
        self.assertEqual(sum(g["sites"] for g in s["by_group"]), 1)
        record = h.load_json(self.with_.out / "run.json")
        self.assertIn("border_sites", record["inputs"])

    def test_no_warning_for_declared_border_sites(self):
        err = self.with_.result.stderr
        self.assertNotIn("outside every zone", err)
        self.assertIn("border.csv: 1 border site(s), 1 outside the study area", err)

    def test_a_stray_site_of_sites_is_still_named(self):
        r = h.analyse(self, "--zones", ZONES, "--sites", write_sites(
            h.make_tempdir(self) / "stray.csv", [("a1", "A", 5.065, 45.045), ACROSS]))
        err = r.result.stderr
        self.assertIn("stray.csv: line 3 (id across-1): lon 5.45, lat 45.05 lies outside every zone", err)
        self.assertIn("1 site(s) of --sites lie outside every zone", err)
        self.assertIn("--border-sites", err)
        self.assertEqual(r.summary["site_layers"][0]["outside_study_area"], 1)

    def test_a_border_site_inside_the_study_area_is_said(self):
        border = write_sites(h.make_tempdir(self) / "mixed.csv", [ACROSS, INSIDE])
        r = h.analyse(self, "--zones", ZONES, "--sites", "sites_one.csv", "--border-sites", border)
        self.assertIn("mixed.csv: 1 of the 2 border sites lie inside the study area, e.g. line 3 "
                      "(id inside-1)", r.result.stderr)
        props = {k: f["properties"] for k, f in r.sites.items()}
        self.assertTrue(props["inside-1"]["in_study_area"])
        self.assertEqual(r.summary["site_layers"][1]["in_study_area"], 1)

    def test_several_sites_layers_are_joined(self):
        # Two --sites layers and the border layer give the same figures as one file of all three.
        tmp = h.make_tempdir(self)
        second = write_sites(tmp / "second.csv", [("b1", "B", 5.2, 45.06)])
        joined = write_sites(tmp / "all.csv", [("a1", "A", 5.065, 45.045), ("b1", "B", 5.2, 45.06),
                                               ACROSS])
        a = h.analyse(self, "--zones", ZONES, "--sites", "sites_one.csv", "--sites", second,
                      "--border-sites", self.border, "--threshold-km", "17")
        b = h.analyse(self, "--zones", ZONES, "--sites", joined, "--threshold-km", "17")
        for key in ("population_beyond", "distance_km"):
            self.assertEqual(a.summary[key], b.summary[key], key)
        self.assertEqual([l["sites"] for l in a.summary["site_layers"]], [1, 1, 1])
        self.assertEqual(a.summary["parameters"]["sites"], f"sites_one.csv, {second}")

    def test_an_id_in_two_layers_stops_the_run_and_writes_nothing(self):
        tmp = h.make_tempdir(self)
        border = write_sites(tmp / "dup.csv", [("a1", "Same id", 5.45, 45.05)])
        out = tmp / "out"
        out.mkdir()
        (out / "keep.txt").write_text("previous run")
        before = h.snapshot(out)
        r = h.run("analyse", "--zones", ZONES, "--sites", "sites_one.csv", "--border-sites", border,
                  "--out", out, "--no-progress", cwd=h.DATA)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("dup.csv: line 2 (id a1): site id 'a1' is already used in sites_one.csv, "
                      "line 2 (id a1)", r.stderr)
        self.assertIn("unique across the site layers", r.stderr)
        self.assertEqual(h.snapshot(out), before)

    def test_contradictory_options_are_a_usage_error(self):
        r = h.run("analyse", "--border-sites", self.border, "--no-border-sites", "--out",
                  h.make_tempdir(self) / "o")
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("--border-sites and --no-border-sites", r.stderr)

    def test_same_messages_in_every_command(self):
        # A stray site is named by every command built on the analysis; a declared border site
        # by none of them.
        tmp = h.make_tempdir(self)
        stray = write_sites(tmp / "stray.csv", [("a1", "A", 5.065, 45.045), ACROSS])
        for cmd, extra in (("analyse", []), ("access", []), ("suggest", ["--add", "1"]),
                           ("whatif", ["--close", "a1"])):
            with self.subTest(command=cmd):
                r = h.run(cmd, "--zones", ZONES, "--sites", stray, "--out", tmp / f"{cmd}-1",
                          "--no-progress", "--grid-m", "500", *extra, cwd=h.DATA)
                self.assertEqual(r.returncode, 0, r)
                self.assertIn("stray.csv: line 3 (id across-1): lon 5.45, lat 45.05 lies outside every zone",
                              r.stderr)
                r = h.run(cmd, "--zones", ZONES, "--sites", "sites_one.csv", "--border-sites",
                          self.border, "--out", tmp / f"{cmd}-2", "--no-progress", "--grid-m",
                          "500", *(["--add", "1"] if cmd == "suggest" else []),
                          *(["--close", ACROSS[0]] if cmd == "whatif" else []), cwd=h.DATA)
                self.assertEqual(r.returncode, 0, r)
                self.assertNotIn("outside every zone", r.stderr)
                self.assertIn("1 border site(s), 1 outside the study area", r.stderr)
                summary = h.load_json(tmp / f"{cmd}-2" / "summary.json")
                layers = (summary.get("access") or summary)["site_layers"]
                self.assertEqual([l["role"] for l in layers], ["sites", "border"])

    def test_whatif_closes_a_border_site(self):
        # Closing the border site gives back the figures without it.
        out = h.make_tempdir(self) / "w"
        h.run_ok(self, "whatif", "--zones", ZONES, "--sites", "sites_one.csv", "--border-sites",
                 self.border, "--threshold-km", "17", "--grid-m", "200", "--close", ACROSS[0],
                 "--out", out, "--no-progress", cwd=h.DATA)
        w = h.load_json(out / "summary.json")["whatif"]
        self.assertEqual(w["population_beyond"]["after"], self.without.summary["population_beyond"])
        self.assertEqual(w["distance_km"]["after"], self.without.summary["distance_km"])

    def test_nearest_takes_border_sites(self):
        tmp = h.make_tempdir(self)
        points = tmp / "points.csv"
        points.write_text("id,lon,lat\np1,5.38,45.05\np2,5.07,45.05\n")
        out = tmp / "nearest.csv"
        h.run_ok(self, "nearest", "--sites", h.DATA / "sites_one.csv", "--border-sites",
                 self.border, "--points", points, "--out", out, "--no-progress")
        rows = list(csv.DictReader(open(out, encoding="utf-8")))
        ids = [r[k] for r in rows for k in r if k.endswith("site_id")]
        self.assertEqual(ids, [ACROSS[0], "a1"])


class DefaultBorder(h.CliTestCase):
    """With no site option, the shipped border sites go with the shipped regional ones; with
    --sites, none unless given; --no-border-sites leaves them out."""

    def test_defaults(self):
        # With --sites and no --border-sites: none. The shipped default itself is checked on
        # the real run (test_analyse_real.test_border_sites_are_counted_per_file).
        tmp = h.make_tempdir(self)
        r = h.run("analyse", "--zones", ZONES, "--sites", "sites_one.csv", "--out", tmp / "a",
                  "--no-progress", cwd=h.DATA)
        self.assertEqual(r.returncode, 0, r)
        s = h.load_json(tmp / "a" / "summary.json")
        self.assertEqual(s["parameters"]["border_sites"], [])
        self.assertEqual(len(s["site_layers"]), 1)
        r = h.run("analyse", "--no-border-sites", "--grid-m", "2000", "--out", tmp / "b",
                  "--no-progress", cwd=h.REPO)
        self.assertEqual(r.returncode, 0, r)
        s = h.load_json(tmp / "b" / "summary.json")
        self.assertEqual(s["sites_count"], h.AURA_SPRO_SITES)
        self.assertEqual(s["parameters"]["border_sites"], [])


if __name__ == "__main__":
    unittest.main()
