"""Reruns on the same inputs give byte-identical outputs, whatever the number of threads.

A scheduled yearly or quarterly job must be able to tell "nothing changed" from a diff of its
outputs: no timestamp inside the layers, sums independent of how the work was split.
"""
import unittest

import helpers as h


class TestDeterminism(h.CliTestCase):
    def runs_agree(self, *args):
        snaps = []
        for threads in (1, 2, 2):
            out = h.make_tempdir(self) / "out"
            h.run_ok(self, "analyse", *args, "--threads", threads, "--out", out, "--no-progress")
            snap = h.snapshot(out)
            # run.json records when the run started and how long it took: the one output that
            # must differ between runs.
            self.assertIn("run.json", snap)
            del snap["run.json"]
            snaps.append(snap)
        self.assertGreater(len(snaps[0]), 1)
        self.assertEqual(snaps[0], snaps[1], "1 thread and 2 threads give different outputs")
        self.assertEqual(snaps[1], snaps[2], "two runs with 2 threads give different outputs")

    def test_real_data_geojson(self):
        self.runs_agree("--grid-m", 1000)

    def test_real_data_geopackage(self):
        self.runs_agree("--grid-m", 1000, "--format", "gpkg")

    def test_small_fixture(self):
        self.runs_agree("--zones", h.DATA / "zones_small.geojson", "--sites", h.DATA / "sites_small.csv",
                        "--grid-m", 500, "--threshold-km", 5)


if __name__ == "__main__":
    unittest.main()
