"""maillage report: the figures come from the run's outputs (recomputed here independently from
the layers), the page is self-contained, and a real browser draws it."""
import csv
import json
import os
import re
import shutil
import subprocess
import unittest
from pathlib import Path

import helpers as h


def figures(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out[(row["figure"], row["group"])] = float(row["value"])
    return out


class TestReport(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tmp = h.make_tempdir(cls)
        cls.run_dir, cls.report, cls.report_en = tmp / "run", tmp / "report", tmp / "report-en"
        r = h.run("analyse", "--grid-m", 1000, "--out", cls.run_dir, "--no-progress")
        if r.returncode != 0:
            raise AssertionError(f"analyse failed\n{r}")
        cls.result = h.run("report", "--run", cls.run_dir, "--out", cls.report)
        cls.result_en = h.run("report", "--run", cls.run_dir, "--out", cls.report_en, "--lang", "en")
        cls.zones = json.loads((cls.run_dir / "zones.geojson").read_text(encoding="utf-8"))["features"]
        cls.under = json.loads((cls.run_dir / "underserved.geojson").read_text(encoding="utf-8"))["features"]
        cls.figs = figures(cls.report / "figures.csv")

    def test_files(self):
        self.assertEqual(self.result.returncode, 0, self.result)
        self.assertEqual(self.result_en.returncode, 0, self.result_en)
        for name in ("index.html", "report.md", "map.svg", "coverage.svg", "figures.csv"):
            self.assertTrue((self.report / name).stat().st_size > 100, name)

    def test_population_and_groups_recomputed_from_the_zones(self):
        props = [f["properties"] for f in self.zones]
        self.assertEqual(self.figs[("population_total", "")], sum(p["population"] for p in props))
        self.assertEqual(self.figs[("population_total", "")], h.AURA_POPULATION)
        for dep in h.AURA_DEPARTMENTS:
            zs = [p for p in props if p["group_code"] == dep]
            pop = sum(p["population"] for p in zs)
            self.assertEqual(self.figs[("group_population", dep)], pop)
            # Population-weighted mean of the zones' mean_km: the department's mean distance.
            mean = sum(p["population"] * p["mean_km"] for p in zs) / pop
            self.assertAlmostEqual(self.figs[("group_mean_km", dep)], mean, delta=2e-4)
            share = 100 * sum(p["pop_beyond"] for p in zs) / pop
            self.assertAlmostEqual(self.figs[("group_share_beyond_pct", dep)], share, delta=1e-3)
            sites = self.figs[("group_sites", dep)]
            self.assertAlmostEqual(self.figs[("group_sites_per_100k", dep)], sites * 1e5 / pop, delta=1e-3)

    def test_sites_per_department_from_the_directory(self):
        # Sites counted independently: the SPRO-type rows of the directory by their department.
        counts = {}
        with open(h.STRUCTURES_CSV, encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["spro_core"] == "1":
                    counts[row["departement"]] = counts.get(row["departement"], 0) + 1
        got = {dep: self.figs[("group_sites", dep)] for dep in h.AURA_DEPARTMENTS}
        # A site is counted where its point lies; a few directory points lie in a neighbouring
        # department's commune (SOURCES.md: 24 outside their own commune).
        self.assertEqual(sum(got.values()), h.AURA_SPRO_SITES)
        for dep in h.AURA_DEPARTMENTS:
            self.assertLessEqual(abs(got[dep] - counts.get(dep, 0)), 3, dep)

    def test_border_sites_counted_apart_and_drawn_as_diamonds(self):
        # geodata/SOURCES.md: 470 regional sites, all inside the region; 287 border sites, all
        # outside it.
        self.assertEqual(self.figs[("sites_in_study_area", "")], h.AURA_SPRO_SITES)
        self.assertEqual(self.figs[("border_sites", "")], h.AURA_BORDER_SITES)
        svg = (self.report / "map.svg").read_text(encoding="utf-8")
        sites = svg.split('<g id="sites"')[1].split("</g>")[0]
        # Every regional site is drawn (in its network's symbol: a circle, or past the 8 colours
        # of the palette a square, triangle or diamond); the border sites in the frame are
        # diamonds of class border-site.
        self.assertEqual(sites.count("<title>") - sites.count('class="border-site"'),
                         h.AURA_SPRO_SITES)
        self.assertGreater(sites.count("<circle"), 0)
        diamonds = sites.count('class="border-site"')
        self.assertGreater(diamonds, 20)
        self.assertLessEqual(diamonds, h.AURA_BORDER_SITES)
        self.assertIn("lieu au-delà des limites (frontalier)", svg)

    def test_limits_paragraph(self):
        md = (self.report / "report.md").read_text(encoding="utf-8")
        limits = md.split("## Limites de l'analyse")[1].split("\n\n", 2)[1]
        self.assertIn("vol d'oiseau", limits)
        self.assertIn("Lieux hors de la zone d'étude pris en compte comme lieux les plus proches "
                      f"possibles : {h.AURA_BORDER_SITES} (en losange", limits)
        # What the shipped inputs lack, known by their checksums.
        self.assertIn("1 157 lieux du SPRO", limits)
        self.assertIn("frontières suisse et italienne", limits)
        # Their vintage, in the sources of the footer.
        sources = md.split("## Sources, millésimes et licences")[1]
        self.assertIn("12 décembre 2017", sources)
        self.assertIn("millésime 2023", sources)
        md_en = (self.report_en / "report.md").read_text(encoding="utf-8")
        self.assertIn("## Limits of this analysis", md_en)
        self.assertIn("not travel times", md_en)
        # The limits come before the footer.
        self.assertLess(md.index("## Limites de l'analyse"), md.index("Calculé par maillage"))

    def test_limits_without_border_sites_and_with_unknown_data(self):
        tmp = h.make_tempdir(self)
        h.run_ok(self, "analyse", "--zones", h.DATA / "zones_small.geojson", "--sites",
                 h.DATA / "sites_one.csv", "--grid-m", 500, "--out", tmp / "run", "--no-progress")
        h.run_ok(self, "report", "--run", tmp / "run", "--out", tmp / "rep", "--lang", "en")
        md = (tmp / "rep" / "report.md").read_text(encoding="utf-8")
        self.assertIn("No site across the edge of the study area was given (--border-sites)", md)
        self.assertIn("sites_one.csv: source, vintage and licence not documented", md)
        self.assertIn("zones_small.geojson: source, vintage and licence not documented", md)
        figs = figures(tmp / "rep" / "figures.csv")
        self.assertNotIn(("border_sites", ""), figs)
        # A stray site (outside every zone, given with --sites) is one all the same: counted.
        h.run_ok(self, "analyse", "--zones", h.DATA / "zones_small.geojson", "--sites",
                 h.DATA / "sites_small.csv", "--grid-m", 500, "--out", tmp / "run2", "--no-progress")
        h.run_ok(self, "report", "--run", tmp / "run2", "--out", tmp / "rep2", "--lang", "en")
        md = (tmp / "rep2" / "report.md").read_text(encoding="utf-8")
        self.assertIn("taken into account as possible nearest sites: 1 (diamonds", md)
        self.assertEqual(figures(tmp / "rep2" / "figures.csv")[("border_sites", "")], 1)

    def test_top_underserved_areas(self):
        pops = sorted((f["properties"]["population"] for f in self.under), reverse=True)[:10]
        got = [self.figs[("underserved_top_population", str(i + 1))] for i in range(len(pops))]
        self.assertEqual(got, pops)

    def test_page_is_self_contained(self):
        html = (self.report / "index.html").read_text(encoding="utf-8")
        links = re.findall(r'(?:src|href)\s*=\s*"([^"#][^"]*)"', html)
        self.assertEqual(links, [], "the page must not load anything")
        self.assertNotIn("@import", html)
        self.assertIn("<svg", html)
        self.assertIn('lang="fr"', html)
        self.assertIn('lang="en"', (self.report_en / "index.html").read_text(encoding="utf-8"))

    def test_a_small_map_per_department(self):
        html = (self.report / "index.html").read_text(encoding="utf-8")
        self.assertEqual(html.count('class="small"'), len(h.AURA_DEPARTMENTS))

    def test_curve_points(self):
        svg = (self.report / "coverage.svg").read_text(encoding="utf-8")
        points = re.search(r'id="curve"[^>]*points="([^"]+)"', svg).group(1).split()
        self.assertEqual(len(points), 51)  # 0 km, then 1..50 km
        ys = [float(p.split(",")[1]) for p in points]
        self.assertEqual(ys, sorted(ys, reverse=True), "the curve only rises")


class TestReportErrors(h.CliTestCase):
    def test_folder_that_is_not_a_run(self):
        tmp = h.make_tempdir(self)
        r = h.run("report", "--run", tmp, "--out", tmp / "report")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("summary.json", r.stderr)
        self.assertFalse((tmp / "report").exists(), "a failed report leaves no folder behind")

    def test_summary_without_its_figures(self):
        tmp = h.make_tempdir(self)
        h.run_ok(self, "analyse", "--zones", h.DATA / "zones_small.geojson", "--sites",
                 h.DATA / "sites_small.csv", "--grid-m", 500, "--out", tmp / "run", "--no-progress")
        (tmp / "run" / "summary.json").write_text('{"parameters": {}}')
        r = h.run("report", "--run", tmp / "run", "--out", tmp / "report")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("threshold_km", r.stderr)
        self.assertNotIn("internal error", r.stderr)


class TestReportComparison(h.CliTestCase):
    """The previous run lacks the CIOs (regional and border): the report must find them opened,
    and the communes whose
    mean distance fell, as recomputed here from the two zones layers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tmp = h.make_tempdir(cls)
        cls.previous, cls.current, cls.report = tmp / "previous", tmp / "current", tmp / "report"
        for out, extra in ((cls.previous, ["--site-filter", "spro_core = 1 AND type_service <> 'cio'",
                                           "--sites", h.STRUCTURES_CSV,
                                           "--border-sites", h.BORDER_CSV]),
                           (cls.current, [])):
            r = h.run("analyse", "--grid-m", 1000, "--out", out, "--no-progress", *extra)
            if r.returncode != 0:
                raise AssertionError(f"analyse failed\n{r}")
        cls.result = h.run("report", "--run", cls.current, "--previous", cls.previous, "--out",
                           cls.report)
        cls.figs = figures(cls.report / "figures.csv")

    def test_sites_opened_closed_moved(self):
        self.assertEqual(self.result.returncode, 0, self.result)
        # The filter of the previous run left out the CIOs of both layers (regional and border).
        cios = 0
        for path in (h.STRUCTURES_CSV, h.BORDER_CSV):
            with open(path, encoding="utf-8") as f:
                cios += sum(1 for row in csv.DictReader(f)
                            if row["spro_core"] == "1" and row["type_service"] == "cio")
        self.assertEqual(self.figs[("sites_opened", "")], cios)
        self.assertEqual(self.figs[("sites_closed", "")], 0)
        self.assertEqual(self.figs[("sites_moved", "")], 0)

    def test_population_whose_distance_changed(self):
        def zones(run):
            doc = json.loads((run / "zones.geojson").read_text(encoding="utf-8"))
            return {f["properties"]["zone_id"]: f["properties"] for f in doc["features"]}
        before, after = zones(self.previous), zones(self.current)
        fell = sum(z["population"] for k, z in after.items() if z["mean_km"] - before[k]["mean_km"] < -1)
        rose = sum(z["population"] for k, z in after.items() if z["mean_km"] - before[k]["mean_km"] > 1)
        self.assertEqual(self.figs[("population_mean_km_fell_1km", "")], fell)
        self.assertEqual(self.figs[("population_mean_km_rose_1km", "")], rose)
        self.assertGreater(fell, 0)
        self.assertEqual(rose, 0, "adding sites cannot push anyone farther")

    def test_both_curves_drawn(self):
        svg = (self.report / "coverage.svg").read_text(encoding="utf-8")
        self.assertIn('id="previous"', svg)
        self.assertIn('id="curve"', svg)


def chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@unittest.skipUnless(chromium(), "Chromium is not installed (apt-get install chromium, or run "
                                 "scripts/test.sh)")
class TestReportInBrowser(h.CliTestCase):
    def test_map_and_chart_are_drawn(self):
        tmp = h.make_tempdir(self)
        run_dir, report = tmp / "run", tmp / "report"
        h.run_ok(self, "analyse", "--grid-m", 1000, "--out", run_dir, "--no-progress")
        h.run_ok(self, "report", "--run", run_dir, "--out", report)
        png = tmp / "page.png"
        log = tmp / "console.log"
        cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={tmp / 'profile'}", "--window-size=1000,2000",
               "--enable-logging=stderr", "--v=0", f"--screenshot={png}",
               (report / "index.html").as_uri()]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        log.write_text(p.stderr)
        self.assertTrue(png.exists(), p.stderr[-2000:])
        console = [l for l in p.stderr.splitlines() if "CONSOLE" in l]
        self.assertEqual(console, [], "the page logged to the console")
        from osgeo import gdal
        import numpy as np
        ds = gdal.Open(str(png))
        rgb = np.dstack([ds.GetRasterBand(b).ReadAsArray() for b in (1, 2, 3)])
        # The map (below the key figures) and the chart: many distinct colours where they are.
        map_band = rgb[500:1100].reshape(-1, 3)
        self.assertGreater(len({tuple(c) for c in map_band[::53]}), 30, "the map is not drawn")
        self.assertLess(np.all(map_band == 255, axis=1).mean(), 0.8)
        # The chart: its curve is drawn in #2166ac, below the map.
        chart_band = rgb[1100:2000].reshape(-1, 3)
        blue = np.all(np.abs(chart_band.astype(int) - [0x21, 0x66, 0xac]) < 40, axis=1).sum()
        self.assertGreater(blue, 300, "the coverage curve is not drawn")
        if os.environ.get("MAILLAGE_REPORT_SCREENSHOT"):
            Path(os.environ["MAILLAGE_REPORT_SCREENSHOT"]).write_bytes(png.read_bytes())


if __name__ == "__main__":
    unittest.main()
