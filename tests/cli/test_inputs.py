"""Inputs named by the user (issue 13): --lon-field / --lat-field for CSV sites whose coordinate
columns have other names, and the group field of the zones (detected names, warning without one).

Every fixture is synthetic, written by the test; the expected values come from its text (or from
the zones file read with json), never from maillage.
"""

import csv
import io
import json
import unittest
from collections import defaultdict

import helpers as h

# Decoy columns `x` and `y` (which maillage would take by default) hold positions far from the
# named columns: a run that ignored --lon-field / --lat-field would put the sites elsewhere (or
# outside the lon/lat range: x 600000 is not a longitude).
SITES_CSV = """id,nom,x,y,longitude_wgs84,latitude_wgs84
a1,Site A,600000,5000000,5.065,45.045
b1,Site B,600100,5000100,5.2,45.06
c1,Site C,600200,5000200,5.33,45.03
"""

BORDER_CSV = """id,nom,x,y,longitude_wgs84,latitude_wgs84
z9,Site across,600300,5000300,5.45,45.2
"""


def positions(text):
    """Site id -> (lon, lat) read from the CSV text with python's csv module."""
    return {row["id"]: (float(row["longitude_wgs84"]), float(row["latitude_wgs84"]))
            for row in csv.DictReader(io.StringIO(text))}


class TestLonLatFields(h.CliTestCase):
    def setUp(self):
        self.tmp = h.make_tempdir(self)
        self.sites = self.tmp / "sites.csv"
        self.sites.write_text(SITES_CSV, encoding="utf-8")
        self.border = self.tmp / "border.csv"
        self.border.write_text(BORDER_CSV, encoding="utf-8")

    def test_named_columns_give_the_positions(self):
        o = h.analyse(self, "--zones", h.DATA / "zones_small.geojson", "--sites", self.sites,
                      "--border-sites", self.border, "--lon-field", "longitude_wgs84",
                      "--lat-field", "latitude_wgs84")
        expected = positions(SITES_CSV) | positions(BORDER_CSV)
        self.assertEqual(sorted(o.sites), sorted(expected))
        for sid, (lon, lat) in expected.items():
            got = o.sites[sid]["geometry"]["coordinates"]
            self.assertAlmostEqual(got[0], lon, places=9, msg=sid)
            self.assertAlmostEqual(got[1], lat, places=9, msg=sid)
        # The border file's site is marked as such: it went through the same options.
        self.assertFalse(o.sites["z9"]["properties"]["in_study_area"])

    def test_without_the_options_the_decoy_columns_are_read(self):
        # Proof that the fixture can tell: without the options x/y (projected-looking values)
        # are taken as lon/lat, and the run stops on them.
        r = h.run("analyse", "--zones", h.DATA / "zones_small.geojson", "--sites", self.sites,
                  "--no-border-sites", "--out", self.tmp / "out", "--no-progress")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("600000", r.stderr)

    def test_a_named_column_that_does_not_exist(self):
        r = h.run("analyse", "--zones", h.DATA / "zones_small.geojson", "--sites", self.sites,
                  "--no-border-sites", "--lon-field", "longitude", "--lat-field", "latitude_wgs84",
                  "--out", self.tmp / "out", "--no-progress")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("no column 'longitude' (--lon-field)", r.stderr)
        # The message lists the columns, as the CSV header has them.
        header = SITES_CSV.splitlines()[0].split(",")
        self.assertIn(", ".join(header), r.stderr)
        self.assertFalse((self.tmp / "out").exists())

    def test_options_on_a_layer_that_is_not_a_csv(self):
        r = h.run("analyse", "--zones", h.DATA / "zones_small.geojson", "--sites",
                  h.DATA / "sites_small_l93.gpkg", "--lon-field", "lon", "--out",
                  self.tmp / "out", "--no-progress")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("not a CSV", r.stderr)

    def test_candidates_get_theirs(self):
        cands = self.tmp / "cands.csv"
        cands.write_text("id,easting,northing\nk1,5.07,45.05\nk2,5.3,45.04\n", encoding="utf-8")
        out = self.tmp / "out"
        r = h.run_ok(self, "suggest", "--zones", h.DATA / "zones_small.geojson", "--sites",
                     self.sites, "--no-border-sites", "--lon-field", "longitude_wgs84",
                     "--lat-field", "latitude_wgs84", "--candidates", cands,
                     "--candidate-lon-field", "easting", "--candidate-lat-field", "northing",
                     "--add", "1", "--threshold-km", "2", "--out", out, "--no-progress")
        feats = h.load_json(out / "suggested.geojson")["features"]
        self.assertEqual(len(feats), 1, r)
        lon, lat = feats[0]["geometry"]["coordinates"][:2]
        self.assertIn((round(lon, 9), round(lat, 9)), {(5.07, 45.05), (5.3, 45.04)})


def zones_with(src, rename=None, drop=()):
    """The features of SRC with their group field renamed or dropped."""
    data = h.load_json(src)
    for f in data["features"]:
        props = f["properties"]
        for k in drop:
            props.pop(k, None)
        for old, new in (rename or {}).items():
            props[new] = props.pop(old)
    return data


class TestGroupField(h.CliTestCase):
    def setUp(self):
        self.tmp = h.make_tempdir(self)
        self.sites = h.DATA / "sites_small.csv"

    def test_insee_dep_is_detected(self):
        zones = self.tmp / "zones_insee.geojson"
        data = zones_with(h.DATA / "zones_small.geojson", rename={"departement": "INSEE_DEP"})
        zones.write_text(json.dumps(data), encoding="utf-8")
        o = h.analyse(self, "--zones", zones, "--sites", self.sites)
        population = defaultdict(float)
        count = defaultdict(int)
        for f in data["features"]:
            population[f["properties"]["INSEE_DEP"]] += f["properties"]["population"]
            count[f["properties"]["INSEE_DEP"]] += 1
        self.assertGreater(len(count), 1, "the fixture should have several groups")
        got = {g["group"]: g for g in o.summary["by_group"]}
        self.assertEqual(sorted(got), sorted(count))
        for dep in count:
            self.assertEqual(got[dep]["zones"], count[dep])
            self.assertAlmostEqual(got[dep]["population"], population[dep], places=3)
        self.assertEqual(o.summary["inputs"]["zones"]["group_field"], "INSEE_DEP")
        self.assertNotIn("no field groups the zones", o.result.stderr)

    def test_code_dep_and_dep_are_detected(self):
        for name in ("code_dep", "dep"):
            with self.subTest(name=name):
                zones = self.tmp / f"zones_{name}.geojson"
                data = zones_with(h.DATA / "zones_small.geojson", rename={"departement": name})
                zones.write_text(json.dumps(data), encoding="utf-8")
                o = h.analyse(self, "--zones", zones, "--sites", self.sites)
                self.assertEqual(o.summary["inputs"]["zones"]["group_field"], name)
                groups = {f["properties"][name] for f in data["features"]}
                self.assertEqual({g["group"] for g in o.summary["by_group"]}, groups)

    def test_no_group_field_warns(self):
        zones = self.tmp / "zones_nogroup.geojson"
        data = zones_with(h.DATA / "zones_small.geojson", drop=("departement",))
        zones.write_text(json.dumps(data), encoding="utf-8")
        o = h.analyse(self, "--zones", zones, "--sites", self.sites)
        warnings = [ln for ln in o.result.stderr.splitlines()
                    if ln.startswith("maillage: warning:") and "no field groups the zones" in ln]
        self.assertEqual(len(warnings), 1, o.result.stderr)
        self.assertIn("INSEE_DEP", warnings[0])
        self.assertIn("--group-by", warnings[0])
        self.assertIn("canton", warnings[0], "the message lists the layer's fields")
        self.assertEqual(o.summary["inputs"]["zones"]["group_field"], "")
        # --group-by none: no groups wanted, no warning.
        o = h.analyse(self, "--zones", zones, "--sites", self.sites, "--group-by", "none")
        self.assertNotIn("no field groups the zones", o.result.stderr)


if __name__ == "__main__":
    unittest.main()
