"""`maillage suggest`: where to add sites.

Hand-worked case (SYNTHETIC, written by this test): four tiny square zones (22 m) on the equator,
centred on lon 0, 0.5, 1.0 and 1.5, with 100, 50, 80 and 30 inhabitants; one site, s0, at lon 0.
The grid (10 km) has no cell centre inside such small zones, so each zone's population sits on
its reference point, the square's centre. On the equator the geodesic is the arc of the equator,
a x dlon: with q = a x 0.25 degree (27.83 km), the zones are 0, 2q, 4q and 6q from s0.
Candidates (candidates.csv): c0 at lon 0.5 (2q), c1 at 1.0 (4q), c2 at 1.25 (5q). New sites go in
the study area only, so the file candidates run on zones_gap.geojson: the same four zones and a
fifth, G, as small, with no inhabitant, round lon 1.25, which puts c2 in the study area without
changing any figure. With zones.geojson alone, c2 lies in no zone and is left out.
Threshold 30 km (q < 30 km < 2q).

coverage: c0 brings {0.5} = 50 within reach, c1 {1.0} = 80, c2 {1.0, 1.5} = 110.
    1. c2 (+110, within reach 210, mean (50x2q + 80q + 30q) / 260); 2. c0 (+50, 260, mean 110q / 260);
    then nobody is left beyond 30 km: a third site asked for is not chosen (warning).
mean-distance: the weighted sum is 600q; c0 saves 320q, c1 440q, c2 390q.
    1. c1 (saves 440q, sum 160q); 2. c0 (100q; c2 would save 30q), sum 60q; 3. c2 (30q), sum 30q.
Default candidates (the zones' reference points), coverage: each one brings only itself within
reach: Z2 (lon 1.0, 80), Z1 (0.5, 50), Z3 (1.5, 30).

Real data: the 470 SPRO sites and the communes; the figures after adding the ten chosen sites are
checked against `maillage analyse` run with those sites added (the analysis is tested on its own).
"""

import csv
import json
import math
import unittest

from osgeo import ogr

import helpers as h

A = 6378137.0
Q = A * math.radians(0.25)
LONS = {"Z0": 0.0, "Z1": 0.5, "Z2": 1.0, "Z3": 1.5}
POPS = {"Z0": 100, "Z1": 50, "Z2": 80, "Z3": 30}
TOTAL = 260
CANDIDATES = [("c0", "Place 0.5", 0.5), ("c1", "Place 1.0", 1.0), ("c2", "Place 1.25", 1.25)]


def write_fixture(folder):
    """SYNTHETIC zones, site and candidates of the hand-worked case."""
    half = 0.0001
    features = []
    for code, lon in LONS.items():
        ring = [[lon - half, -half], [lon + half, -half], [lon + half, half], [lon - half, half],
                [lon - half, -half]]
        features.append({"type": "Feature",
                         "properties": {"code": code, "nom": f"Zone {code}", "population": POPS[code]},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    (folder / "zones.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    gap = [[1.25 - half, -half], [1.25 + half, -half], [1.25 + half, half], [1.25 - half, half],
           [1.25 - half, -half]]
    features.append({"type": "Feature", "properties": {"code": "G", "nom": "Gap", "population": 0},
                     "geometry": {"type": "Polygon", "coordinates": [gap]}})
    (folder / "zones_gap.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}))
    (folder / "sites.csv").write_text("id,nom,lon,lat\ns0,Site 0,0,0\n")
    lines = ["id,nom,lon,lat"] + [f"{i},{n},{lon},0" for i, n, lon in CANDIDATES]
    (folder / "candidates.csv").write_text("\n".join(lines) + "\n")
    (folder / "candidates_noid.csv").write_text(
        "lon,lat\n" + "\n".join(f"{lon},0" for _, _, lon in CANDIDATES) + "\n")


def suggest(owner, folder, *args, zones="zones.geojson"):
    out = h.make_tempdir(owner) / "out"
    r = h.run("suggest", "--zones", folder / zones, "--sites", folder / "sites.csv",
              "--grid-m", "10000", "--threshold-km", "30", "--out", out, "--no-progress", *args)
    if r.returncode != 0:
        raise AssertionError(f"maillage suggest failed\n{r}")
    return r, out, h.load_json(out / "summary.json")


def picks_of(out, name="suggested.geojson"):
    feats = h.load_json(out / name)["features"]
    return [f["properties"] for f in feats], feats


class TestHandWorked(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.data = h.make_tempdir(cls)
        write_fixture(cls.data)
        cand = ("--candidates", cls.data / "candidates.csv")
        gap = {"zones": "zones_gap.geojson"}
        cls.cov = suggest(cls, cls.data, *cand, "--add", "3", **gap)
        cls.mean = suggest(cls, cls.data, *cand, "--add", "3", "--objective", "mean-distance", **gap)
        cls.zones = suggest(cls, cls.data, "--add", "3")

    def test_fixture_is_point_demands(self):
        _, _, s = self.cov
        self.assertEqual(s["grid"]["zones_on_reference_point"], 5)  # with the empty zone G
        self.assertEqual(s["suggest"]["population_total"], TOTAL)

    def test_coverage(self):
        r, out, s = self.cov
        props, feats = picks_of(out)
        self.assertEqual([p["candidate_id"] for p in props], ["c2", "c0"])
        self.assertEqual([p["rank"] for p in props], [1, 2])
        self.assertEqual([p["newly_covered"] for p in props], [110, 50])
        self.assertEqual([p["covered"] for p in props], [210, 260])
        self.assertEqual([p["gain"] for p in props], [110, 50])
        self.assertAlmostEqual(props[0]["covered_share"], 210 / TOTAL, places=6)
        self.assertEqual([p["population_beyond"] for p in props], [50, 0])
        self.assertAlmostEqual(props[0]["mean_km"], (100 * Q + 80 * Q + 30 * Q) / TOTAL / 1000, delta=1e-3)
        self.assertAlmostEqual(props[1]["mean_km"], 110 * Q / TOTAL / 1000, delta=1e-3)
        self.assertAlmostEqual(props[0]["mean_km_drop"], (600 - 210) * Q / TOTAL / 1000, delta=1e-3)
        self.assertEqual(feats[0]["geometry"]["coordinates"], [1.25, 0])
        self.assertEqual(props[0]["name"], "Place 1.25")
        # Where the chosen places lie: c0 is the centre of zone Z1; c2 of the empty zone G.
        self.assertEqual(props[1]["zone_id"], "Z1")
        self.assertEqual(props[0]["zone_id"], "G")
        g = s["suggest"]
        self.assertEqual(g["add"], 3)
        self.assertEqual(g["added"], 2)
        self.assertTrue(g["exhausted"])
        self.assertIn("only 2 of the 3 sites", r.stderr)
        self.assertEqual(g["before"]["covered"], 100)
        self.assertEqual(g["before"]["population_beyond"], 160)
        self.assertAlmostEqual(g["before"]["mean_km"], 600 * Q / TOTAL / 1000, delta=1e-3)
        self.assertEqual([(c["sites_added"], c["covered"]) for c in g["coverage_curve"]],
                         [(0, 100), (1, 210), (2, 260)])
        self.assertEqual(g["candidates"], {"source": "file", "path": str(self.data / "candidates.csv"),
                                           "features": 3, "skipped_count": 0,
                                           "outside_study_area": 0, "count": 3})
        # The analysis of the existing sites is written too, as `analyse` would.
        self.assertEqual(s["population_beyond"], 160)
        self.assertTrue((out / "zones.geojson").exists())
        self.assertEqual(h.rfc7946_errors(out / "suggested.geojson"), [])

    def test_mean_distance(self):
        _, out, s = self.mean
        props, _ = picks_of(out)
        self.assertEqual([p["candidate_id"] for p in props], ["c1", "c0", "c2"])
        for p, saved in zip(props, [440, 100, 30]):
            self.assertAlmostEqual(p["gain"], saved * Q / 1000, delta=1e-3)  # person-km
        for p, wsum in zip(props, [160, 60, 30]):
            self.assertAlmostEqual(p["mean_km"], wsum * Q / TOTAL / 1000, delta=1e-3)
        # Within 30 km: {0, 1.0}, then also 0.5, then also 1.5.
        self.assertEqual([p["covered"] for p in props], [180, 230, 260])
        self.assertFalse(s["suggest"]["exhausted"])

    def test_default_candidates_are_the_zones(self):
        _, out, s = self.zones
        props, _ = picks_of(out)
        self.assertEqual([p["candidate_id"] for p in props], ["Z2", "Z1", "Z3"])
        self.assertEqual([p["zone_id"] for p in props], ["Z2", "Z1", "Z3"])
        self.assertEqual([p["name"] for p in props], ["Zone Z2", "Zone Z1", "Zone Z3"])
        self.assertEqual([p["newly_covered"] for p in props], [80, 50, 30])
        self.assertEqual(s["suggest"]["candidates"], {"source": "zones", "count": 4})

    def test_csv_matches_the_layer(self):
        _, out, _ = self.cov
        props, _ = picks_of(out)
        with open(out / "suggested.csv", encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), len(props))
        for row, p in zip(rows, props):
            self.assertEqual(set(row), set(p))
            for k, v in p.items():
                if isinstance(v, str):
                    self.assertEqual(row[k], v)
                else:
                    self.assertAlmostEqual(float(row[k]), v, places=6, msg=k)

    def test_not_lazy_is_the_same(self):
        for objective, (_, out, _) in (("coverage", self.cov), ("mean-distance", self.mean)):
            _, out2, s2 = suggest(self, self.data, "--candidates", self.data / "candidates.csv",
                                  "--add", "3", "--objective", objective, "--no-lazy",
                                  zones="zones_gap.geojson")
            self.assertEqual((out / "suggested.geojson").read_bytes(),
                             (out2 / "suggested.geojson").read_bytes())
            self.assertEqual(s2["suggest"]["method"], "greedy")

    def test_geopackage(self):
        _, out, _ = suggest(self, self.data, "--candidates", self.data / "candidates.csv",
                            "--format", "gpkg", zones="zones_gap.geojson")
        ds = ogr.Open(str(out / "maillage.gpkg"))
        names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
        self.assertIn("zones", names)
        layer = ds.GetLayerByName("suggested")
        ids = [f.GetField("candidate_id") for f in layer]
        self.assertEqual(ids, ["c2", "c0"])
        self.assertFalse((out / "suggested.geojson").exists())

    def test_candidates_without_ids_are_numbered(self):
        _, out, _ = suggest(self, self.data, "--candidates", self.data / "candidates_noid.csv",
                            zones="zones_gap.geojson")
        props, _ = picks_of(out)
        self.assertEqual([p["candidate_id"] for p in props], ["3", "1"])

    def test_a_candidate_outside_the_study_area_is_left_out(self):
        # Without G, c2 (lon 1.25) lies in no zone: left out, said, counted. Then, by hand: c1
        # brings {1.0} = 80 within reach, c0 {0.5} = 50; Z3 (30) stays beyond.
        r, out, s = suggest(self, self.data, "--candidates", self.data / "candidates.csv",
                            "--add", "3")
        self.assertIn("candidates.csv: 1 candidate(s) outside every zone left out (e.g. line 4 "
                      "(id c2))", r.stderr)
        c = s["suggest"]["candidates"]
        self.assertEqual((c["features"], c["outside_study_area"], c["count"]), (3, 1, 2))
        props, _ = picks_of(out)
        self.assertEqual([p["candidate_id"] for p in props], ["c1", "c0"])
        self.assertEqual([p["newly_covered"] for p in props], [80, 50])
        self.assertEqual(props[-1]["population_beyond"], 30)

    def test_candidate_grid(self):
        # A 1 km grid over zones 22 m wide: no cell centre in any zone.
        r = h.run("suggest", "--zones", self.data / "zones.geojson", "--sites",
                  self.data / "sites.csv", "--candidate-grid-m", "1000", "--out",
                  h.make_tempdir(self) / "o", "--no-progress")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("--candidate-grid-m", r.stderr)

    def test_usage_errors(self):
        base = ("suggest", "--zones", self.data / "zones.geojson", "--sites", self.data / "sites.csv")
        for args, words in ((("--add", "0"), "--add"),
                            (("--objective", "nearest"), "--objective"),
                            (("--candidates", self.data / "candidates.csv", "--candidate-grid-m", "500"),
                             "alternatives"),
                            (("--candidate-grid-m", "5"), "--candidate-grid-m"),
                            (("--format", "shp"), "--format")):
            out = h.make_tempdir(self) / "o"
            r = h.run(*base, *args, "--out", out)
            self.assertEqual(r.returncode, 2, r)
            self.assertIn(words, r.stderr)
            self.assertFalse(out.exists())

    def test_bad_candidates(self):
        base = ("suggest", "--zones", self.data / "zones.geojson", "--sites", self.data / "sites.csv")
        missing = self.data / "nope.csv"
        out = h.make_tempdir(self) / "o"
        r = h.run(*base, "--candidates", missing, "--out", out)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn(str(missing), r.stderr)
        self.assertFalse(out.exists())
        r = h.run(*base, "--candidates", self.data / "candidates.csv", "--candidate-id", "code",
                  "--out", out)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("--candidate-id", r.stderr)
        r = h.run(*base, "--candidates", self.data / "candidates.csv", "--candidate-filter", "nom =",
                  "--out", out)
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("--candidate-filter", r.stderr)

    def test_report_section(self):
        _, out, _ = self.cov
        for lang, title in (("fr", "Où ajouter des sites ?"), ("en", "Where to add sites")):
            rep = h.make_tempdir(self) / "report"
            h.run_ok(self, "report", "--run", out, "--out", rep, "--lang", lang)
            page = (rep / "index.html").read_text(encoding="utf-8")
            self.assertIn(title, page)
            self.assertIn('id="suggest"', page)
            self.assertIn("Place 1.25", page)
            figures = (rep / "figures.csv").read_text(encoding="utf-8")
            self.assertIn("suggest_newly_covered,1,110,", figures)
        # A run of analyse has no such section.
        plain = h.make_tempdir(self) / "plain"
        h.run_ok(self, "analyse", "--zones", self.data / "zones.geojson", "--sites",
                 self.data / "sites.csv", "--grid-m", "10000", "--out", plain, "--no-progress")
        rep = h.make_tempdir(self) / "report"
        h.run_ok(self, "report", "--run", plain, "--out", rep)
        self.assertNotIn('id="suggest"', (rep / "index.html").read_text(encoding="utf-8"))


class TestGridCandidates(h.CliTestCase):
    """The three ~10 km squares of tests/data/cli (zones_small.geojson, 41,000 inhabitants) with
    one site at the centre of zone A (sites_one.csv); candidates on a 2 km grid; threshold 5 km,
    so that zones B and C are mostly beyond it; objective: the mean distance."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.out = h.make_tempdir(cls) / "out"
        h.run_ok(unittest.TestCase(), "suggest", "--zones", h.DATA / "zones_small.geojson",
                 "--sites", h.DATA / "sites_one.csv", "--candidate-grid-m", "2000",
                 "--threshold-km", "5", "--add", "3", "--objective", "mean-distance", "--out",
                 cls.out, "--no-progress")
        cls.s = h.load_json(cls.out / "summary.json")
        cls.picks, cls.feats = picks_of(cls.out)

    def test_candidates_are_grid_cells_in_the_zones(self):
        g = self.s["suggest"]
        self.assertEqual(g["candidates"]["source"], "grid")
        self.assertEqual(g["candidates"]["grid_m"], 2000)
        # About 3 x 104 km2 / 4 km2 cells.
        self.assertTrue(60 <= g["candidates"]["count"] <= 95, g["candidates"]["count"])
        self.assertEqual(len(self.picks), 3)
        for p in self.picks:
            self.assertRegex(p["candidate_id"], r"^cell-\d+-\d+$")
            self.assertIn(p["zone_id"], {"Z1", "Z2", "Z3"})
            lon0, lon1 = {"Z1": (5.00, 5.13), "Z2": (5.13, 5.26), "Z3": (5.26, 5.39)}[p["zone_id"]]
            self.assertTrue(lon0 <= p["lon"] <= lon1 and 45.0 <= p["lat"] <= 45.09, p)
            # person-km saved / population = fall of the mean distance
            self.assertAlmostEqual(p["gain"] / 41000, p["mean_km_drop"], places=3)
        drops = [p["mean_km_drop"] for p in self.picks]
        self.assertEqual(drops, sorted(drops, reverse=True))
        self.assertGreater(drops[-1], 0)

    def test_figures_equal_a_rerun_of_analyse(self):
        folder = h.make_tempdir(self)
        lines = ["id,lon,lat", "a1,5.065,45.045"]
        lines += [f"new{p['rank']},{p['lon']!r},{p['lat']!r}" for p in self.picks]
        (folder / "sites.csv").write_text("\n".join(lines) + "\n")
        for n in (0, 3):
            if n:
                sites = folder / "sites.csv"
            else:
                sites = h.DATA / "sites_one.csv"
            a = h.analyse(self, "--zones", h.DATA / "zones_small.geojson", "--sites", sites,
                          "--threshold-km", "5")
            expected = self.s["suggest"]["before"] if n == 0 else self.picks[-1]
            self.assertAlmostEqual(a.summary["population_beyond"], expected["population_beyond"],
                                   places=3)
            self.assertAlmostEqual(a.summary["distance_km"]["mean"], expected["mean_km"], places=3)


class TestRealData(h.CliTestCase):
    """The shipped data: 470 SPRO sites and 287 border sites, candidates the 4,025 communes'
    reference points."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.out10 = h.make_tempdir(cls) / "s10"
        cls.r10 = h.run_ok(unittest.TestCase(), "suggest", "--add", "10", "--out", cls.out10,
                           "--no-progress")
        cls.s10 = h.load_json(cls.out10 / "summary.json")
        cls.picks10, _ = picks_of(cls.out10)

    def analyse_with(self, picks):
        """`maillage analyse` with the SPRO sites plus PICKS, as one CSV, and the border sites."""
        folder = h.make_tempdir(self)
        path = folder / "sites_plus.csv"
        with open(h.STRUCTURES_CSV, encoding="utf-8", newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["spro_core"].strip() == "1"]
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "nom", "lon", "lat"])
            for r in rows:
                w.writerow([r["id"], r["nom"], r["lon"], r["lat"]])
            for p in picks:
                w.writerow([f"new-{p['rank']}", p["name"], repr(p["lon"]), repr(p["lat"])])
        return h.analyse(self, "--sites", path, "--border-sites", h.BORDER_CSV)

    def test_picks_are_in_the_region_not_across_its_edge(self):
        # New sites go in the study area: every pick lies in one of the region's communes
        # (its zone is named), and none at a border site's place.
        regions = h.PolygonSet.from_geojson(h.COMMUNES)
        outside = [p for p in self.picks10 if not regions.contains(p["lon"], p["lat"])]
        self.assertEqual(outside, [])
        self.assertTrue(all(p["zone_id"] for p in self.picks10))

    def test_candidates_outside_the_study_area_are_left_out(self):
        # A candidate file with the border sites' places (all outside the region) and three
        # places inside it: only the three are candidates, and the warning says so.
        folder = h.make_tempdir(self)
        path = folder / "candidates.csv"
        border = h.border_sites()
        inside = [("in-1", 4.8357, 45.7640), ("in-2", 3.0870, 45.7772), ("in-3", 2.4445, 44.9264)]
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "lon", "lat"])
            for sid, lon, lat in zip(border.ids, border.lon, border.lat):
                w.writerow([sid, repr(float(lon)), repr(float(lat))])
            for row in inside:
                w.writerow(row)
        out = folder / "s"
        r = h.run_ok(self, "suggest", "--add", "2", "--candidates", path, "--out", out,
                     "--no-progress")
        s = h.load_json(out / "summary.json")["suggest"]["candidates"]
        self.assertEqual(s["count"], 3)
        self.assertEqual(s["outside_study_area"], h.AURA_BORDER_SITES)
        self.assertIn(f"{h.AURA_BORDER_SITES} candidate(s) outside every zone left out", r.stderr)
        picks, _ = picks_of(out)
        self.assertTrue({p["candidate_id"] for p in picks} <= {"in-1", "in-2", "in-3"})

    def test_baseline_is_the_analysis(self):
        g = self.s10["suggest"]
        self.assertEqual(g["candidates"]["count"], h.AURA_COMMUNES)
        self.assertEqual(g["population_total"], h.AURA_POPULATION)
        self.assertEqual(self.s10["sites_count"], h.AURA_SPRO_SITES + h.AURA_BORDER_SITES)
        self.assertAlmostEqual(g["before"]["population_beyond"], self.s10["population_beyond"], places=3)
        self.assertAlmostEqual(g["before"]["mean_km"], self.s10["distance_km"]["mean"], places=3)

    def test_picks(self):
        g = self.s10["suggest"]
        self.assertEqual(len(self.picks10), 10)
        self.assertFalse(g["exhausted"])
        gains = [p["newly_covered"] for p in self.picks10]
        self.assertEqual(gains, sorted(gains, reverse=True))
        self.assertGreater(gains[-1], 0)
        covered = g["before"]["covered"]
        for p in self.picks10:
            covered += p["newly_covered"]
            self.assertAlmostEqual(p["covered"], covered, places=3)
        self.assertEqual(len({p["candidate_id"] for p in self.picks10}), 10)
        # Lazy evaluation: far fewer gains computed than 10 full rounds over 4,025 candidates.
        self.assertLess(g["gain_evaluations"], 2 * h.AURA_COMMUNES)

    def test_figures_equal_a_rerun_of_analyse(self):
        a = self.analyse_with(self.picks10)
        last = self.picks10[-1]
        self.assertAlmostEqual(a.summary["population_beyond"], last["population_beyond"], places=3)
        self.assertAlmostEqual(a.summary["distance_km"]["mean"], last["mean_km"], places=3)


if __name__ == "__main__":
    unittest.main()
