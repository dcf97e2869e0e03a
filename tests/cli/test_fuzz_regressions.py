"""Regressions of the defects found while fuzzing and reviewing the readers and options
(docs/fuzzing.md). Each test fails on the code before its fix."""

import time
import unittest

import helpers as h

FUZZ = h.REPO / "tests" / "data" / "fuzz"


class ThresholdBeyondTheEarth(h.CliTestCase):
    """--threshold-km accepted any finite distance: 1e300 km made a circle routine convert an
    infinite vertex count to int (undefined behaviour), then ran for more than 5 minutes on
    four sites. No two points of the Earth are more than 20004 km apart: above 20000 km it is
    now a usage error, at once."""

    def test_huge_threshold_is_a_usage_error(self):
        tmp = h.make_tempdir(self)
        for value in ("1e300", "20000.5"):
            with self.subTest(threshold_km=value):
                start = time.monotonic()
                r = h.run("analyse", "--sites", h.DATA / "sites_small.csv",
                          "--zones", h.DATA / "zones_small.geojson", "--threshold-km", value,
                          "--out", tmp / "out", "--no-progress", timeout=60)
                self.assertEqual(r.returncode, 2, str(r))
                self.assertIn("--threshold-km", r.stderr)
                self.assertIn("20000", r.stderr)
                self.assertLess(time.monotonic() - start, 30, "the refusal must be immediate")
                self.assertFalse((tmp / "out").exists(), "no output for a usage error")


class ZoneWithoutGeometryAndHugePopulation(h.CliTestCase):
    """The warning about a zone without geometry converted its population to an integer:
    undefined behaviour for 1e300 (UBSan), and 70.5 printed as 70."""

    def test_warning_gives_the_population_as_written(self):
        tmp = h.make_tempdir(self)
        r = h.run_ok(self, "analyse", "--sites", h.DATA / "sites_small.csv",
                     "--zones", FUZZ / "regression_zone_no_geometry_huge_population.geojson",
                     "--out", tmp / "out", "--grid-m", 1000, "--no-progress")
        self.assertIn("feature 1 (code B): skipped: no geometry (population 1e+300 not counted)",
                      r.stderr)
        self.assertIn("feature 2 (code C): skipped: no geometry (population 70.5 not counted)",
                      r.stderr)


if __name__ == "__main__":
    unittest.main()
