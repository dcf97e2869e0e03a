"""run.json says what a run was made from: inputs with checksums, parameters, outputs."""
import csv
import hashlib
import json
import unittest
from pathlib import Path

import helpers as h


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class TestRunRecord(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.out = h.make_tempdir(cls) / "out"
        cls.zones = h.DATA / "zones_small.geojson"
        cls.sites = h.DATA / "sites_small.csv"
        cls.result = h.run("analyse", "--zones", cls.zones, "--sites", cls.sites, "--grid-m", 500,
                           "--threshold-km", 7, "--out", cls.out, "--no-progress")
        cls.record = json.loads((cls.out / "run.json").read_text(encoding="utf-8"))

    def test_run_succeeded(self):
        self.assertEqual(self.result.returncode, 0, self.result)

    def test_input_checksums(self):
        inputs = self.record["inputs"]
        self.assertEqual([f["sha256"] for f in inputs["zones"]], [sha256(self.zones)])
        self.assertEqual([f["sha256"] for f in inputs["sites"]], [sha256(self.sites)])
        self.assertEqual(inputs["zones"][0]["bytes"], self.zones.stat().st_size)

    def test_outputs_are_listed_with_their_checksums(self):
        listed = {o["name"]: o["sha256"] for o in self.record["outputs"]}
        on_disk = {p.name: sha256(p) for p in self.out.iterdir() if p.name != "run.json"}
        self.assertEqual(listed, on_disk)

    def test_parameters_versions_and_timings(self):
        r = self.record
        self.assertEqual(r["command"], "analyse")
        self.assertEqual(r["parameters"]["threshold_km"], 7)
        self.assertEqual(r["parameters"]["grid_m"], 500)
        self.assertIn("--threshold-km", r["arguments"])
        self.assertRegex(r["started_utc"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        for lib in ("gdal", "geos", "proj"):
            self.assertTrue(r["libraries"][lib])
        for phase in ("read", "distances", "write", "total"):
            self.assertGreaterEqual(r["timings_s"][phase], 0)


class TestExampleConfig(h.CliTestCase):
    def test_quarterly_example_runs_and_the_command_line_wins(self):
        out = h.make_tempdir(self) / "q"
        config = h.REPO / "scripts" / "examples" / "aura-quarterly.conf"
        r = h.run("analyse", "--config", config, "--out", out, "--grid-m", 1000)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual({p.name for p in out.iterdir()}, {"maillage.gpkg", "summary.json", "run.json"})
        record = json.loads((out / "run.json").read_text(encoding="utf-8"))
        self.assertEqual(record["parameters"]["grid_m"], 1000)  # command line over the file
        self.assertEqual(record["parameters"]["format"], "gpkg")  # from the file
        self.assertEqual(record["inputs"]["zones"][0]["sha256"], sha256(h.COMMUNES))
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        self.assertEqual(summary["population_total"], h.AURA_POPULATION)
        # by-type and catchments are on in the file: a figure per network of the directory,
        # the catchments layer in the GeoPackage, and both report sections from it.
        with open(h.STRUCTURES_CSV, encoding="utf-8") as f:
            types = {r["type_service"] for r in csv.DictReader(f) if r["spro_core"].strip() == "1"}
        self.assertEqual({t["type"] for t in summary["by_type"]}, types)
        self.assertIn("catchments", summary)
        rep = h.make_tempdir(self) / "report"
        h.run_ok(self, "report", "--run", out, "--out", rep, "--lang", "en")
        md = (rep / "report.md").read_text(encoding="utf-8")
        self.assertIn("## By network: the nearest site of each type", md)
        self.assertIn("### The most populated catchments", md)
        for line in r.stderr.splitlines():
            json.loads(line)  # log-format = json in the file


if __name__ == "__main__":
    unittest.main()
