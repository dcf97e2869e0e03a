"""Bad inputs and bad options: a clear message, the right exit code, the output folder untouched.

Exit codes: 1 for a data or runtime error, 2 for a usage error. Every failing run here writes into an
output folder that already holds a sentinel file (and, in one test, the outputs of a previous
successful run); the folder must be exactly as before.
"""

import unittest

import helpers as h

D = h.DATA
ZONES = "zones_small.geojson"
SITES = "sites_small.csv"


class ErrorCase(h.CliTestCase):
    def setUp(self):
        self.tmp = h.make_tempdir(self)
        self.out = self.tmp / "out"
        self.out.mkdir()
        (self.out / "sentinel.txt").write_text("previous results\n", encoding="utf-8")

    def fails(self, args, code, *expected, command="analyse"):
        """Runs a command that must fail with CODE; its stderr must contain every EXPECTED text."""
        before = h.snapshot(self.out)
        r = h.run(command, *args, cwd=D)
        self.assertEqual(r.returncode, code, f"wrong exit code\n{r}")
        self.assertEqual(r.stdout, "", f"stdout must stay empty\n{r}")
        self.assertIn(f"maillage {command}", r.stderr)
        self.assertNotIn("internal error", r.stderr)
        for text in expected:
            self.assertIn(text, r.stderr, f"message lacks {text!r}\n{r}")
        self.assertEqual(h.snapshot(self.out), before, "the output folder changed")
        return r

    def analyse_fails(self, args, code, *expected):
        return self.fails([*args, "--out", self.out, "--no-progress"], code, *expected)


class TestInputErrors(ErrorCase):
    def test_missing_sites_file(self):
        self.analyse_fails(["--zones", ZONES, "--sites", "missing_sites.csv"], 1,
                           "missing_sites.csv", "no such file")

    def test_missing_zones_file(self):
        self.analyse_fails(["--zones", "missing_zones.geojson", "--sites", SITES], 1,
                           "missing_zones.geojson", "no such file")

    def test_missing_site_id_field_lists_the_fields(self):
        r = self.analyse_fails(["--zones", ZONES, "--sites", SITES, "--site-id", "nope"], 1,
                               SITES, "'nope'", "--site-id")
        for field in ("id", "nom", "type_service", "active", "lon", "lat"):
            self.assertRegex(r.stderr, rf"fields:.*\b{field}\b")

    def test_missing_population_field_lists_the_fields(self):
        r = self.analyse_fails(["--zones", ZONES, "--sites", SITES, "--population", "habitants"], 1,
                               ZONES, "'habitants'", "--population")
        for field in ("code", "nom", "population", "departement", "canton"):
            self.assertRegex(r.stderr, rf"fields:.*\b{field}\b")

    def test_missing_group_by_field(self):
        self.analyse_fails(["--zones", ZONES, "--sites", SITES, "--group-by", "region"], 1,
                           ZONES, "'region'", "canton")

    def test_non_numeric_population(self):
        # Feature 1 (code Z2) of the file has population "abc".
        self.analyse_fails(["--zones", "zones_bad_population.geojson", "--sites", SITES], 1,
                           "zones_bad_population.geojson", "Z2", "'abc'", "population")

    def test_csv_without_lon_lat_columns(self):
        r = self.analyse_fails(["--zones", ZONES, "--sites", "sites_no_lonlat.csv"], 1,
                               "sites_no_lonlat.csv", "longitude/latitude")
        self.assertIn("adresse", r.stderr)  # the columns found are listed

    def test_csv_with_a_space_separated_header(self):
        # "id lon lat" then "s1,5.065,45.045": the whole row lands in the id column.
        r = self.analyse_fails(["--zones", ZONES, "--sites", "sites_space_header.csv"], 1,
                               "sites_space_header.csv")
        # Either the separator is named, or the line and the row read as one value are shown.
        self.assertRegex(r.stderr, r"separator|line 2 .*s1,5\.065,45\.045")

    def test_empty_sites_file(self):
        self.analyse_fails(["--zones", ZONES, "--sites", "sites_empty.csv"], 1, "sites_empty.csv")

    def test_empty_zones_file(self):
        self.analyse_fails(["--zones", "zones_empty.geojson", "--sites", SITES], 1, "zones_empty.geojson")

    def test_header_only_csv_has_no_usable_site(self):
        self.analyse_fails(["--zones", ZONES, "--sites", "sites_header_only.csv"], 1,
                           "sites_header_only.csv", "no usable site")

    def test_zones_given_as_points(self):
        self.analyse_fails(["--zones", "zones_points.geojson", "--sites", SITES], 1,
                           "zones_points.geojson", "polygons")

    def test_truncated_geojson(self):
        self.analyse_fails(["--zones", "zones_truncated.geojson", "--sites", SITES], 1,
                           "zones_truncated.geojson")

    def test_text_file_named_gpkg(self):
        with self.subTest(role="sites"):
            self.analyse_fails(["--zones", ZONES, "--sites", "not_a_geopackage.gpkg"], 1,
                               "not_a_geopackage.gpkg")
        with self.subTest(role="zones"):
            self.analyse_fails(["--zones", "not_a_geopackage.gpkg", "--sites", SITES], 1,
                               "not_a_geopackage.gpkg")

    def test_filter_that_keeps_no_site(self):
        self.analyse_fails(["--zones", ZONES, "--sites", SITES, "--site-filter", "active = 7"], 1,
                           SITES, "no usable site", "active = 7")

    def test_invalid_filter(self):
        self.analyse_fails(["--zones", ZONES, "--sites", SITES, "--site-filter", "nope ==="], 2,
                           "--site-filter", SITES)

    def test_out_is_a_file(self):
        target = self.out / "sentinel.txt"
        self.fails(["--zones", ZONES, "--sites", SITES, "--out", target, "--no-progress"], 1,
                   "sentinel.txt", "not a folder")

    def test_previous_outputs_are_kept(self):
        ok = h.run("analyse", "--zones", ZONES, "--sites", SITES, "--out", self.out, "--no-progress", cwd=D)
        self.assertEqual(ok.returncode, 0, ok)
        self.assertTrue((self.out / "summary.json").is_file())
        self.analyse_fails(["--zones", "zones_bad_population.geojson", "--sites", SITES], 1, "'abc'")
        self.analyse_fails(["--zones", ZONES, "--sites", "sites_header_only.csv"], 1, "no usable site")


class TestUsageErrors(ErrorCase):
    def test_unknown_option(self):
        self.analyse_fails(["--zones", ZONES, "--sites", SITES, "--bogus", "1"], 2, "--bogus")

    def test_negative_threshold(self):
        with self.subTest(form="--threshold-km -5"):
            self.analyse_fails(["--zones", ZONES, "--sites", SITES, "--threshold-km", "-5"], 2, "threshold-km")
        with self.subTest(form="--threshold-km=-5"):
            self.analyse_fails(["--zones", ZONES, "--sites", SITES, "--threshold-km=-5"], 2,
                               "--threshold-km", "-5")

    def test_threshold_not_a_number(self):
        self.analyse_fails(["--zones", ZONES, "--sites", SITES, "--threshold-km", "abc"], 2,
                           "threshold-km", "abc")

    def test_grid_zero(self):
        self.analyse_fails(["--zones", ZONES, "--sites", SITES, "--grid-m", "0"], 2, "--grid-m")

    def test_unknown_format(self):
        self.analyse_fails(["--zones", ZONES, "--sites", SITES, "--format", "shp"], 2, "--format", "shp")

    def test_unknown_command(self):
        before = h.snapshot(self.out)
        r = h.run("analyze", "--out", self.out)
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("analyze", r.stderr)
        self.assertEqual(h.snapshot(self.out), before)

    def test_no_command(self):
        r = h.run()
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("Usage", r.stderr)

    def test_nearest_usage_errors(self):
        points = "sites_one.csv"
        out = self.out / "nearest.csv"
        cases = [
            (["--sites", SITES, "--out", out], "--points"),
            (["--sites", SITES, "--points", points, "--out", out, "-k", "0"], "-k"),
            (["--sites", SITES, "--points", points, "--out", self.out / "nearest.txt"], ".txt"),
        ]
        for args, text in cases:
            with self.subTest(args=args):
                self.fails(args, 2, text, command="nearest")

    def test_nearest_missing_points_file(self):
        self.fails(["--sites", SITES, "--points", "missing_points.csv", "--out", self.out / "n.csv"], 1,
                   "missing_points.csv", command="nearest")

    def test_info_missing_file(self):
        self.fails(["missing.geojson"], 1, "missing.geojson", command="info")


class TestSkippedSites(ErrorCase):
    """A site without coordinates is skipped with a warning; --strict makes it fatal."""

    def test_skipped_site_is_named_and_reported(self):
        out = self.tmp / "ok"
        r = h.run("analyse", "--zones", ZONES, "--sites", "sites_missing_coords.csv", "--out", out,
                  "--no-progress", cwd=D)
        self.assertEqual(r.returncode, 0, r)
        # s3 is on line 4 of the file (line 1 is the header).
        warnings = [line for line in r.stderr.splitlines() if "warning" in line and "skipped" in line]
        self.assertEqual(len(warnings), 1, r.stderr)
        self.assertIn("sites_missing_coords.csv", warnings[0])
        self.assertIn("line 4", warnings[0])
        self.assertIn("s3", warnings[0])
        sites = h.load_json(out / "summary.json")["inputs"]["sites"]
        self.assertEqual(sites["features"], 4)
        self.assertEqual(sites["used"], 3)
        self.assertEqual(sites["skipped_count"], 1)
        self.assertIn("line 4", sites["skipped"][0]["where"])
        self.assertIn("s3", sites["skipped"][0]["where"])
        ids = {f["properties"]["site_id"] for f in h.load_json(out / "sites.geojson")["features"]}
        self.assertEqual(ids, {"s1", "s2", "s4"})

    def test_strict_stops_on_the_skipped_site(self):
        self.analyse_fails(["--zones", ZONES, "--sites", "sites_missing_coords.csv", "--strict"], 1,
                           "sites_missing_coords.csv", "line 4", "--strict")

    def test_duplicates_and_swapped_coordinates_are_skipped(self):
        out = self.tmp / "ok"
        r = h.run("analyse", "--zones", ZONES, "--sites", "sites_duplicates_swapped.csv", "--out", out,
                  "--no-progress", cwd=D)
        self.assertEqual(r.returncode, 0, r)
        sites = h.load_json(out / "summary.json")["inputs"]["sites"]
        skipped = {s["where"].split(" (")[0]: s["reason"] for s in sites["skipped"]}
        self.assertEqual(set(skipped), {"line 4", "line 5", "line 6", "line 7"})
        self.assertIn("duplicate", skipped["line 4"])
        self.assertIn("line 2", skipped["line 4"])   # where t1 was first seen
        self.assertIn("duplicate", skipped["line 7"])
        self.assertIn("line 3", skipped["line 7"])
        self.assertIn("swapped", skipped["line 5"])
        self.assertIn("swapped", skipped["line 6"])
        self.assertEqual(sites["used"], 2)


if __name__ == "__main__":
    unittest.main()
