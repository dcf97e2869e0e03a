"""`maillage info --role sites|zones` (issue 13): the file read by analyse's readers with analyse's
options; what it would read, and exit 1 where analyse would fail. And plain notation for the
extent of a projected layer.

Expected values come from the files read with python (csv, json) or OGR, never from maillage.
"""

import csv
import json
import re
import unittest

from osgeo import ogr

import helpers as h


def analyse_exit(tc, *args):
    """Exit code and stderr of `maillage analyse ARGS` into a temporary folder."""
    r = h.run("analyse", *args, "--out", h.make_tempdir(tc) / "out", "--no-progress")
    return r.returncode, r.stderr


class TestInfoRoleSites(h.CliTestCase):
    def setUp(self):
        self.tmp = h.make_tempdir(self)

    def test_shipped_sites_with_the_spro_filter(self):
        r = h.run_ok(self, "info", "--role", "sites", h.STRUCTURES_CSV, "--site-filter",
                     "spro_core = 1", "--json")
        j = json.loads(r.stdout)
        with open(h.STRUCTURES_CSV, encoding="utf-8") as f:
            rows = [row for row in csv.DictReader(f) if row["spro_core"] == "1"]
        self.assertEqual(len(rows), h.AURA_SPRO_SITES)
        self.assertEqual(j["features"], len(rows))
        self.assertEqual(j["used"], len(rows))
        self.assertEqual(j["skipped"], [])
        self.assertEqual(j["fields"], {"id": "id", "name": "nom", "type": "type_service",
                                       "type_label": "type_label", "lon": "lon", "lat": "lat"})
        types = {}
        for row in rows:
            types[row["type_service"]] = types.get(row["type_service"], 0) + 1
        self.assertEqual(j["types"], types)

    def test_skipped_lines_with_their_reasons(self):
        path = self.tmp / "sites.csv"
        path.write_text("code,lieu,lon,lat\nA,Un,5.0,45.0\n,Deux,5.1,45.1\nC,Trois,,\n"
                        "A,Quatre,5.2,45.2\n", encoding="utf-8")
        r = h.run_ok(self, "info", "--role", "sites", path, "--site-id", "code", "--site-name",
                     "lieu", "--json")
        j = json.loads(r.stdout)
        self.assertEqual((j["features"], j["used"]), (4, 1))
        where = [s["where"] for s in j["skipped"]]
        # Lines as a text editor numbers them (header = line 1).
        self.assertEqual([w.split(" ")[0:2] for w in where], [["line", "3"], ["line", "4"],
                                                              ["line", "5"]])
        reasons = " | ".join(s["reason"] for s in j["skipped"])
        self.assertIn("empty code", reasons)
        self.assertIn("no usable coordinates", reasons)
        self.assertIn("duplicate id 'A'", reasons)
        self.assertEqual(j["fields"]["name"], "lieu")
        # Text form says the same.
        text = h.run_ok(self, "info", "--role", "sites", path, "--site-id", "code").stdout
        self.assertRegex(text, r"features: 4 read, 1 used, 3 skipped")
        # analyse agrees: it runs, with the same three skipped lines as warnings.
        code, err = analyse_exit(self, "--zones", h.DATA / "zones_small.geojson", "--sites", path,
                                 "--site-id", "code")
        self.assertEqual(code, 0, err)
        self.assertEqual(len(re.findall(r"warning: .*: line \d+.*skipped", err)), 3, err)
        # --strict: both stop, exit 1, on the first skipped line.
        r = h.run("info", "--role", "sites", path, "--site-id", "code", "--strict")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("line 3", r.stderr)
        code, err = analyse_exit(self, "--zones", h.DATA / "zones_small.geojson", "--sites", path,
                                 "--site-id", "code", "--strict")
        self.assertEqual(code, 1, err)

    def test_fails_where_analyse_fails(self):
        path = self.tmp / "sites.csv"
        path.write_text("id,easting,northing\na,5.0,45.0\n", encoding="utf-8")
        r = h.run("info", "--role", "sites", path)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("no longitude/latitude columns", r.stderr)
        self.assertEqual(r.stdout, "")
        code, err = analyse_exit(self, "--zones", h.DATA / "zones_small.geojson", "--sites", path)
        self.assertEqual(code, 1)
        self.assertIn("no longitude/latitude columns", err)
        # With the options analyse takes, both read it.
        r = h.run_ok(self, "info", "--role", "sites", path, "--lon-field", "easting",
                     "--lat-field", "northing", "--json")
        self.assertEqual(json.loads(r.stdout)["fields"]["lon"], "easting")
        # An id field that does not exist: exit 1 for both.
        r = h.run("info", "--role", "sites", path, "--site-id", "ident", "--lon-field", "easting",
                  "--lat-field", "northing")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("no field 'ident'", r.stderr)

    def test_usage_errors(self):
        for args, text in [
            (["--role", "communes"], "--role must be sites or zones"),
            (["--role", "sites", "--id", "x"], "--site-id or --zone-id"),
            (["--role", "sites", "--group-by", "dep"], "--group-by is an option of --role zones"),
            (["--role", "zones", "--site-id", "x"], "--site-id is an option of --role sites"),
            (["--zone-id", "x"], "--zone-id is an option of --role zones"),
        ]:
            with self.subTest(args=args):
                r = h.run("info", h.DATA / "sites_small.csv", *args)
                self.assertEqual(r.returncode, 2, r)
                self.assertIn(text, r.stderr)


class TestInfoRoleZones(h.CliTestCase):
    def test_shipped_communes(self):
        r = h.run_ok(self, "info", "--role", "zones", h.COMMUNES, "--json")
        j = json.loads(r.stdout)
        data = h.load_json(h.COMMUNES)["features"]
        self.assertEqual(j["features"], h.AURA_COMMUNES)
        self.assertEqual(j["used"], h.AURA_COMMUNES)
        self.assertEqual(len(j["repaired"]), h.AURA_INVALID_COMMUNES)
        self.assertEqual(j["population"], h.AURA_POPULATION)
        self.assertEqual(j["population"], sum(f["properties"]["population"] for f in data))
        self.assertEqual(j["fields"], {"id": "code", "name": "nom", "population": "population",
                                       "group": "departement"})
        groups = {}
        for f in data:
            groups[f["properties"]["departement"]] = groups.get(f["properties"]["departement"], 0) + 1
        self.assertEqual(j["groups"], groups)
        self.assertEqual(sorted(groups), h.AURA_DEPARTMENTS)
        self.assertEqual(j["warnings"], [])

    def test_no_group_field_and_bad_population(self):
        tmp = h.make_tempdir(self)
        data = h.load_json(h.DATA / "zones_small.geojson")
        for f in data["features"]:
            f["properties"].pop("departement")
            f["properties"]["pop"] = f["properties"].pop("population")
        path = tmp / "zones.geojson"
        path.write_text(json.dumps(data), encoding="utf-8")
        r = h.run("info", "--role", "zones", path)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("no field 'population'", r.stderr)
        self.assertIn("--population", r.stderr)
        r = h.run_ok(self, "info", "--role", "zones", path, "--population", "pop", "--json")
        j = json.loads(r.stdout)
        self.assertEqual(j["population"], sum(f["properties"]["pop"] for f in data["features"]))
        self.assertIsNone(j["fields"]["group"])
        self.assertEqual(len(j["warnings"]), 1)
        self.assertIn("no field groups the zones", j["warnings"][0])
        text = h.run_ok(self, "info", "--role", "zones", path, "--population", "pop").stdout
        self.assertIn("warning: ", text)
        # A named group field that does not exist: exit 1, as for analyse.
        r = h.run("info", "--role", "zones", path, "--population", "pop", "--group-by", "dept")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("no field 'dept'", r.stderr)


class TestInfoExtentNotation(h.CliTestCase):
    def test_projected_extent_in_plain_notation(self):
        path = h.DATA / "zones_small_l93.geojson"
        text = h.run_ok(self, "info", path).stdout
        line = next(ln for ln in text.splitlines() if ln.strip().startswith("extent:"))
        self.assertNotRegex(line, r"[eE][+-]?\d", line)
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", line)]
        ds = ogr.Open(str(path))
        minx, maxx, miny, maxy = ds.GetLayer(0).GetExtent()
        for got, want in zip(numbers, [minx, miny, maxx, maxy]):
            self.assertAlmostEqual(got, want, delta=0.005)
        self.assertGreater(numbers[1], 1e6, "a Lambert-93 northing, written out in full")


if __name__ == "__main__":
    unittest.main()
