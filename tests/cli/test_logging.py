"""What a scheduler sees on stderr: phase lines without a terminal, JSON lines on request."""
import json
import unittest

import helpers as h

SMALL = ["--zones", h.DATA / "zones_small.geojson", "--sites", h.DATA / "sites_small.csv",
         "--grid-m", 500]


class TestLogging(h.CliTestCase):
    def test_text_log_has_a_line_per_phase_and_no_progress_bar(self):
        out = h.make_tempdir(self) / "out"
        r = h.run_ok(self, "analyse", *SMALL, "--out", out)
        self.assertNotIn("\r", r.stderr, "no progress bar when stderr is not a terminal")
        for phase in ("grid", "distances", "underserved"):
            self.assertRegex(r.stderr, rf"maillage: {phase}: done in [0-9.]+ s")
        self.assertEqual(r.stdout, "")

    def test_no_progress_means_no_phase_lines(self):
        out = h.make_tempdir(self) / "out"
        r = h.run_ok(self, "analyse", *SMALL, "--out", out, "--no-progress")
        self.assertNotIn("done in", r.stderr)

    def test_json_lines(self):
        out = h.make_tempdir(self) / "out"
        r = h.run_ok(self, "analyse", *SMALL, "--out", out, "--log-format", "json")
        lines = [json.loads(line) for line in r.stderr.splitlines()]
        self.assertGreater(len(lines), 3)
        for line in lines:
            self.assertIn(line["level"], ("info", "warning"))
            self.assertIsInstance(line["message"], str)
            self.assertIsInstance(line["time"], float)
        self.assertTrue(any(line["message"].startswith("distances: done") for line in lines))

    def test_json_error_line(self):
        r = h.run("analyse", "--zones", h.DATA / "zones_bad_population.geojson", "--sites",
                  h.DATA / "sites_small.csv", "--out", h.make_tempdir(self) / "out",
                  "--log-format", "json")
        self.assertEqual(r.returncode, 1, r)
        last = json.loads(r.stderr.splitlines()[-1])
        self.assertEqual(last["level"], "error")
        self.assertIn("zones_bad_population.geojson", last["message"])
        self.assertIn("abc", last["message"])

    def test_unknown_log_format_is_a_usage_error(self):
        r = h.run("analyse", "--log-format", "xml", "--out", h.make_tempdir(self) / "out")
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("--log-format", r.stderr)


if __name__ == "__main__":
    unittest.main()
