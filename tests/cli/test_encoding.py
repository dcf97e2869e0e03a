"""A French spreadsheet export: semicolons, decimal commas and Windows-1252 accents.

The sites must be read at the right places, their names must come out as valid UTF-8 with the
accents intact, and the run must say that it recoded the text.
"""
import csv
import json
import unittest

import helpers as h

NAMES = {"a1": "Lycée à Saint-Étienne", "b1": "Cité des métiers", "c1": "Œuvre", "x1": "Ça"}


class TestFrenchSpreadsheet(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = h.make_tempdir(cls)
        with open(h.DATA / "sites_small.csv", encoding="utf-8") as f:
            cls.rows = list(csv.DictReader(f))
        lines = ["id;nom;type_service;active;lon;lat"]
        for r in cls.rows:
            lines.append(";".join([r["id"], NAMES[r["id"]], r["type_service"], r["active"],
                                   r["lon"].replace(".", ","), r["lat"].replace(".", ",")]))
        cls.sites = cls.tmp / "sites-excel.csv"
        cls.sites.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
        cls.out = cls.tmp / "out"
        cls.result = h.run("analyse", "--zones", h.DATA / "zones_small.geojson", "--sites", cls.sites,
                           "--grid-m", 500, "--out", cls.out, "--no-progress")

    def test_run_succeeds_and_warns(self):
        self.assertEqual(self.result.returncode, 0, self.result)
        self.assertIn("not UTF-8", self.result.stderr)
        summary = json.loads((self.out / "summary.json").read_text(encoding="utf-8"))
        self.assertIn("Windows-1252", summary["inputs"]["sites"]["text_encoding"])
        self.assertEqual(summary["inputs"]["zones"]["text_encoding"], "UTF-8")

    def test_names_are_valid_utf8_with_their_accents(self):
        raw = (self.out / "sites.geojson").read_bytes()
        doc = json.loads(raw.decode("utf-8"))  # raises if not UTF-8
        got = {f["properties"]["site_id"]: f["properties"]["name"] for f in doc["features"]}
        self.assertEqual(got, NAMES)

    def test_decimal_commas_give_the_positions(self):
        doc = json.loads((self.out / "sites.geojson").read_text(encoding="utf-8"))
        got = {f["properties"]["site_id"]: f["geometry"]["coordinates"] for f in doc["features"]}
        for r in self.rows:
            self.assertAlmostEqual(got[r["id"]][0], float(r["lon"]), places=7)
            self.assertAlmostEqual(got[r["id"]][1], float(r["lat"]), places=7)


if __name__ == "__main__":
    unittest.main()
