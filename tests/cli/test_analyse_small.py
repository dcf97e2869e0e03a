"""`maillage analyse` on small hand-made fixtures (tests/data/cli, see its README.md).

Three ~10 km squares near lon 5, lat 45 (zones_small.geojson):
    Z1 "Zone A" lon 5.00-5.13, population 12000, departement 01, canton c1
    Z2 "Zone B" lon 5.13-5.26, population 25000, departement 01, canton c2
    Z3 "Zone C" lon 5.26-5.39, population  4000, departement 02, canton c2
all lat 45.00-45.09. Sites: a1 at the centre of A (5.065, 45.045), b1 (5.20, 45.06) in B,
c1 (5.33, 45.03) in C with active = 0, x1 (5.45, 45.20) outside every zone.
"""

import json
import math
import shutil
import unittest

import numpy as np
from osgeo import ogr

import helpers as h

D = h.DATA
TOTAL = 41000
POP = {"Z1": 12000, "Z2": 25000, "Z3": 4000}
LON = {"Z1": (5.00, 5.13), "Z2": (5.13, 5.26), "Z3": (5.26, 5.39)}
LAT = (45.00, 45.09)
SITES = {"a1": (5.065, 45.045), "b1": (5.20, 45.06), "c1": (5.33, 45.03), "x1": (5.45, 45.20)}
ACTIVE = {"a1", "b1", "x1"}


def sites_of(ids):
    ids = sorted(ids)
    return h.Sites(ids, np.array([SITES[i][0] for i in ids]), np.array([SITES[i][1] for i in ids]))


def square_area_km2(code):
    lon0, lon1 = LON[code]
    area, _ = h.GEOD.polygon_area_perimeter([lon0, lon1, lon1, lon0], [LAT[0], LAT[0], LAT[1], LAT[1]])
    return abs(area) / 1e6


def share_beyond(code, site, km, n=200000, seed=1):
    """Monte Carlo share of zone CODE farther than KM from SITE (uniform points, pyproj)."""
    rng = np.random.default_rng(seed)
    lon0, lon1 = LON[code]
    lon = rng.uniform(lon0, lon1, n)
    # Uniform in area: sin(latitude) uniform.
    s0, s1 = np.sin(np.radians(LAT[0])), np.sin(np.radians(LAT[1]))
    lat = np.degrees(np.arcsin(rng.uniform(s0, s1, n)))
    _, _, d = h.GEOD.inv(lon, lat, np.full(n, SITES[site][0]), np.full(n, SITES[site][1]))
    return float(np.mean(d > km * 1000))


def parallel_arc_m(lat, dlon):
    """Hand formula: length of an arc of parallel, N(phi) cos(phi) dlambda, on WGS84."""
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    phi = math.radians(lat)
    n = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    return n * math.cos(phi) * math.radians(dlon)


def ring_count(features):
    holes = sum(len(p) - 1 for f in features for p in h.polygons_of(f["geometry"]))
    exteriors = sum(1 for f in features for _ in h.polygons_of(f["geometry"]))
    return exteriors, holes


class TestOneSite(h.CliTestCase):
    """One site at the centre of zone A: distances and thresholds worked by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        base = ("--zones", "zones_small.geojson", "--sites", "sites_one.csv")
        cls.default = h.analyse(cls, *base)
        cls.t12 = h.analyse(cls, *base, "--threshold-km", "12")
        cls.t30 = h.analyse(cls, *base, "--threshold-km", "30")
        cls.t0 = h.analyse(cls, *base, "--threshold-km", "0")

    def test_population_sums(self):
        for run in (self.default, self.t12, self.t30, self.t0):
            self.assertEqual(run.summary["population_total"], TOTAL)
            self.assertEqual(sum(z["properties"]["population"] for z in run.zones.values()), TOTAL)
            self.assertEqual({k: z["properties"]["population"] for k, z in run.zones.items()}, POP)
            self.assertAlmostEqual(run.sites["a1"]["properties"]["catchment_population"], TOTAL, delta=1e-6)
            self.assertEqual(run.sites["a1"]["properties"]["catchment_zones"], 3)

    def test_reference_points_are_the_square_centres(self):
        for code, z in self.default.zones.items():
            p = z["properties"]
            lon_c, lat_c = sum(LON[code]) / 2, sum(LAT) / 2
            _, _, off = h.GEOD.inv(p["ref_lon"], p["ref_lat"], lon_c, lat_c)
            self.assertLess(off, 50, f"{code}: reference point {off:.1f} m from the centre")

    def test_distances_worked_by_hand(self):
        # The centres of B and C are 0.13 and 0.26 degrees of longitude east of the site, on its
        # parallel: N cos(phi) dlambda (the geodesic differs from the parallel by < 1 mm here).
        z = {k: v["properties"] for k, v in self.default.zones.items()}
        self.assertAlmostEqual(z["Z2"]["nearest_km"] * 1000, parallel_arc_m(45.045, 0.13), delta=5)
        self.assertAlmostEqual(z["Z3"]["nearest_km"] * 1000, parallel_arc_m(45.045, 0.26), delta=5)
        self.assertLess(z["Z1"]["nearest_km"], 0.05)
        for k, p in z.items():
            _, _, d = h.GEOD.inv(p["ref_lon"], p["ref_lat"], *SITES["a1"])
            self.assertAlmostEqual(p["nearest_km"] * 1000, d, delta=h.DIST_TOL_M, msg=k)
            self.assertEqual(p["nearest_site_id"], "a1")

    def test_max_km_is_the_farthest_corner(self):
        # The farthest cell of C is near its north-east corner; a cell centre is at most
        # 141 m (half a 200 m cell diagonal) inside the zone.
        _, _, corner = h.GEOD.inv(LON["Z3"][1], LAT[1], *SITES["a1"])
        got = self.default.zones["Z3"]["properties"]["max_km"] * 1000
        self.assertLessEqual(got, corner)
        self.assertGreater(got, corner - 150)
        self.assertAlmostEqual(self.default.summary["distance_km"]["max"] * 1000, got, delta=0.1)

    def test_default_threshold_20km(self):
        z = {k: v["properties"] for k, v in self.default.zones.items()}
        self.assertEqual({k: p["underserved"] for k, p in z.items()}, {"Z1": False, "Z2": False, "Z3": True})
        self.assertEqual(z["Z1"]["pop_beyond"], 0)
        self.assertEqual(z["Z2"]["pop_beyond"], 0)  # B's farthest corner is 16.1 km away
        expected = share_beyond("Z3", "a1", 20) * POP["Z3"]
        self.assertAlmostEqual(z["Z3"]["pop_beyond"], expected, delta=0.04 * POP["Z3"])
        groups = {g["group"]: g for g in self.default.summary["by_group"]}
        self.assertEqual(groups["02"]["population_beyond"], z["Z3"]["pop_beyond"])
        self.assertEqual(groups["01"]["population_beyond"], 0)

    def test_threshold_12km(self):
        z = {k: v["properties"] for k, v in self.t12.zones.items()}
        self.assertEqual(z["Z1"]["pop_beyond"], 0)              # A: at most 7.1 km
        self.assertEqual(z["Z3"]["pop_beyond"], POP["Z3"])      # C: at least 15.4 km
        share_b = share_beyond("Z2", "a1", 12)
        self.assertAlmostEqual(z["Z2"]["pop_beyond"], share_b * POP["Z2"], delta=0.02 * POP["Z2"])
        self.assertAlmostEqual(self.t12.summary["population_beyond"],
                               z["Z2"]["pop_beyond"] + POP["Z3"], delta=1e-6)
        self.assertEqual(self.t12.summary["parameters"]["threshold_km"], 12)
        # Underserved area: all of C and the part of B beyond 12 km.
        expected_area = square_area_km2("Z3") + share_b * square_area_km2("Z2")
        self.assertAlmostEqual(self.t12.summary["underserved"]["area_km2"], expected_area,
                               delta=0.01 * expected_area)
        written = sum(h.geodesic_area_km2(f["geometry"]) for f in self.t12.underserved)
        self.assertAlmostEqual(written, expected_area, delta=0.01 * expected_area)
        self.assertEqual(h.rfc7946_errors(self.t12.out / "underserved.geojson"), [])

    def test_threshold_30km_nothing_beyond(self):
        s = self.t30.summary
        self.assertEqual(s["population_beyond"], 0)
        self.assertEqual(s["share_beyond"], 0)
        self.assertEqual(self.t30.underserved, [])
        self.assertEqual(s["underserved"]["parts"], 0)
        self.assertFalse(any(z["properties"]["underserved"] for z in self.t30.zones.values()))
        self.assertEqual(self.t30.summary["coverage_curve"][29]["share"], 1.0)

    def test_threshold_0_everything_beyond(self):
        s = self.t0.summary
        self.assertEqual(s["population_beyond"], TOTAL)
        self.assertEqual(s["share_beyond"], 1.0)
        total_area = sum(square_area_km2(c) for c in POP)
        self.assertAlmostEqual(s["underserved"]["area_km2"], total_area, delta=0.005 * total_area)
        self.assertTrue(all(z["properties"]["underserved"] for z in self.t0.zones.values()))

    def test_geojson_outputs_follow_rfc7946(self):
        for run in (self.default, self.t12, self.t0):
            for name in ("zones.geojson", "sites.geojson", "underserved.geojson"):
                with self.subTest(file=name, threshold=run.summary["parameters"]["threshold_km"]):
                    self.assertEqual(h.rfc7946_errors(run.out / name), [])


class TestFourSites(h.CliTestCase):
    """Four sites (one inactive, one outside every zone); filters, groups, holes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.all = h.analyse(cls, "--zones", "zones_small.geojson", "--sites", "sites_small.csv")
        cls.active = h.analyse(cls, "--zones", "zones_small.geojson", "--sites", "sites_small.csv",
                               "--site-filter", "active = 1")

    def test_nearest_brute_force(self):
        h.assert_no_errors(self, h.zone_nearest_errors(self.all, sites_of(SITES)), "wrong nearest")
        self.assertEqual(set(self.all.sites), set(SITES))

    def test_site_filter(self):
        self.assertEqual(set(self.active.sites), ACTIVE)
        h.assert_no_errors(self, h.zone_nearest_errors(self.active, sites_of(ACTIVE)), "wrong nearest")
        s = self.active.summary
        self.assertEqual(s["parameters"]["site_filter"], "active = 1")
        self.assertEqual(s["inputs"]["sites"]["used"], 3)
        self.assertEqual(s["sites_count"], 3)
        # C's nearest changes: c1 is filtered out.
        self.assertEqual(self.all.zones["Z3"]["properties"]["nearest_site_id"], "c1")
        self.assertNotEqual(self.active.zones["Z3"]["properties"]["nearest_site_id"], "c1")

    def test_site_outside_every_zone(self):
        self.assertEqual(self.all.summary["sites_outside_study_area"], 1)
        self.assertIn("outside every zone", self.all.result.stderr)
        groups = {g["group"]: g for g in self.all.summary["by_group"]}
        self.assertEqual({k: g["sites"] for k, g in groups.items()}, {"01": 2, "02": 1})

    def test_catchments(self):
        for run in (self.all, self.active):
            total = sum(f["properties"]["catchment_population"] for f in run.sites.values())
            self.assertAlmostEqual(total, TOTAL, delta=1e-6)
        # x1 is 13 km or more from every zone and nearer sites exist everywhere.
        self.assertEqual(self.all.sites["x1"]["properties"]["catchment_population"], 0)

    def test_nearest_other_brute_force(self):
        s = sites_of(SITES)
        d = h.distance_matrix(s.lon, s.lat, s)
        np.fill_diagonal(d, np.inf)
        for i, sid in enumerate(s.ids):
            self.assertAlmostEqual(self.all.sites[sid]["properties"]["nearest_other_km"] * 1000,
                                   d[i].min(), delta=h.DIST_TOL_M, msg=sid)

    def test_default_groups_by_departement(self):
        groups = {g["group"]: g["population"] for g in self.all.summary["by_group"]}
        self.assertEqual(groups, {"01": 37000, "02": 4000})
        self.assertEqual(self.all.summary["inputs"]["zones"]["group_field"], "departement")

    def test_group_by_field(self):
        run = h.analyse(self, "--zones", "zones_small.geojson", "--sites", "sites_small.csv",
                        "--group-by", "canton")
        groups = {g["group"]: g for g in run.summary["by_group"]}
        self.assertEqual({k: g["population"] for k, g in groups.items()}, {"c1": 12000, "c2": 29000})
        self.assertEqual({k: g["zones"] for k, g in groups.items()}, {"c1": 1, "c2": 2})
        self.assertEqual({k: z["properties"]["group_code"] for k, z in run.zones.items()},
                         {"Z1": "c1", "Z2": "c2", "Z3": "c2"})

    def test_group_by_none(self):
        run = h.analyse(self, "--zones", "zones_small.geojson", "--sites", "sites_small.csv",
                        "--group-by", "none")
        groups = run.summary["by_group"]
        names = {g["group"] for g in groups}
        self.assertFalse(names & {"01", "02"}, groups)
        self.assertTrue(groups == [] or (len(groups) == 1 and groups[0]["population"] == TOTAL), groups)

    def test_threshold_3km_punches_three_holes(self):
        # Each 3 km circle of a1, b1, c1 lies inside its square; x1's is 13 km away from them.
        run = h.analyse(self, "--zones", "zones_small.geojson", "--sites", "sites_small.csv",
                        "--threshold-km", "3")
        self.assertEqual(ring_count(run.underserved), (1, 3))
        self.assertEqual(h.rfc7946_errors(run.out / "underserved.geojson"), [])
        circle = math.pi * 3.0 ** 2
        expected = sum(square_area_km2(c) for c in POP) - 3 * circle
        self.assertAlmostEqual(run.summary["underserved"]["area_km2"], expected, delta=0.002 * expected)
        # Every hole is centred on a site.
        holes = run.underserved[0]["geometry"]["coordinates"][1:]
        if run.underserved[0]["geometry"]["type"] == "MultiPolygon":
            holes = run.underserved[0]["geometry"]["coordinates"][0][1:]
        centres = []
        for ring in holes:
            a = np.array(ring[:-1])
            lon, lat = a[:, 0].mean(), a[:, 1].mean()
            centres.append(min(SITES, key=lambda s: h.GEOD.inv(lon, lat, *SITES[s])[2]))
            self.assertLess(h.GEOD.inv(lon, lat, *SITES[centres[-1]])[2], 50)
        self.assertEqual(sorted(centres), ["a1", "b1", "c1"])

    def test_coarse_grid_keeps_every_inhabitant(self):
        # Cells of 7 and 20 km: some zones hold no cell centre and count on their reference point.
        for grid in ("7000", "20000"):
            with self.subTest(grid_m=grid):
                run = h.analyse(self, "--zones", "zones_small.geojson", "--sites", "sites_small.csv",
                                "--grid-m", grid)
                s = run.summary
                self.assertEqual(s["population_total"], TOTAL)
                self.assertEqual(sum(g["population"] for g in s["by_group"]), TOTAL)
                total = sum(f["properties"]["catchment_population"] for f in run.sites.values())
                self.assertAlmostEqual(total, TOTAL, delta=1e-6)
                self.assertAlmostEqual(s["coverage_curve"][-1]["share"], 1.0, delta=1e-6)


class TestCrs(h.CliTestCase):
    """Inputs in Lambert-93 (EPSG:2154): from the layer, or given with --sites-crs / --zones-crs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wgs84 = h.analyse(cls, "--zones", "zones_small.geojson", "--sites", "sites_small.csv")

    def assert_sites_at_hand_positions(self, run):
        self.assertEqual(set(run.sites), set(SITES))
        for sid, f in run.sites.items():
            lon, lat = f["geometry"]["coordinates"]
            self.assertAlmostEqual(lon, SITES[sid][0], delta=1e-6, msg=sid)
            self.assertAlmostEqual(lat, SITES[sid][1], delta=1e-6, msg=sid)

    def assert_same_zones_as_wgs84(self, run, tol_m=10):
        for code, z in run.zones.items():
            p, q = z["properties"], self.wgs84.zones[code]["properties"]
            self.assertEqual(p["population"], q["population"])
            _, _, off = h.GEOD.inv(p["ref_lon"], p["ref_lat"], q["ref_lon"], q["ref_lat"])
            self.assertLess(off, tol_m, code)
            self.assertEqual(p["nearest_site_id"], q["nearest_site_id"], code)
        self.assertEqual(run.summary["population_total"], TOTAL)

    def test_zones_with_a_crs_member(self):
        run = h.analyse(self, "--zones", "zones_small_l93.geojson", "--sites", "sites_small.csv")
        self.assertEqual(run.summary["inputs"]["zones"]["crs"], "EPSG:2154")
        self.assert_same_zones_as_wgs84(run)
        h.assert_no_errors(self, h.zone_nearest_errors(run, sites_of(SITES)), "wrong nearest")
        for z in run.zones.values():  # written back in lon/lat
            lon, lat = np.array(z["geometry"]["coordinates"][0][0]).T
            self.assertTrue(4.99 < lon.min() and lon.max() < 5.40 and 44.99 < lat.min() and lat.max() < 45.10)

    def test_zones_without_crs_need_zones_crs(self):
        r = h.run("analyse", "--zones", "zones_small_l93_nocrs.geojson", "--sites", "sites_small.csv",
                  "--out", h.make_tempdir(self) / "out", "--no-progress", cwd=D)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("zones_small_l93_nocrs.geojson", r.stderr)
        self.assertIn("--zones-crs", r.stderr)

    def test_zones_crs_override(self):
        run = h.analyse(self, "--zones", "zones_small_l93_nocrs.geojson", "--zones-crs", "EPSG:2154",
                        "--sites", "sites_small.csv")
        self.assertEqual(run.summary["inputs"]["zones"]["crs"], "EPSG:2154")
        self.assert_same_zones_as_wgs84(run)
        h.assert_no_errors(self, h.zone_nearest_errors(run, sites_of(SITES)), "wrong nearest")

    def test_sites_crs_override_on_csv(self):
        run = h.analyse(self, "--zones", "zones_small.geojson", "--sites", "sites_small_l93.csv",
                        "--sites-crs", "EPSG:2154")
        self.assertEqual(run.summary["inputs"]["sites"]["crs"], "EPSG:2154")
        self.assert_sites_at_hand_positions(run)
        h.assert_no_errors(self, h.zone_nearest_errors(run, sites_of(SITES)), "wrong nearest")

    def test_csv_in_lambert93_without_sites_crs_fails(self):
        r = h.run("analyse", "--zones", "zones_small.geojson", "--sites", "sites_small_l93.csv",
                  "--out", h.make_tempdir(self) / "out", "--no-progress", cwd=D)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("sites_small_l93.csv", r.stderr)

    def test_sites_in_geopackage_with_layer_crs(self):
        run = h.analyse(self, "--zones", "zones_small.geojson", "--sites", "sites_small_l93.gpkg")
        self.assertEqual(run.summary["inputs"]["sites"]["crs"], "EPSG:2154")
        self.assertEqual(run.summary["inputs"]["sites"]["driver"], "GPKG")
        self.assert_sites_at_hand_positions(run)
        h.assert_no_errors(self, h.zone_nearest_errors(run, sites_of(SITES)), "wrong nearest")

    def test_site_filter_on_geopackage(self):
        run = h.analyse(self, "--zones", "zones_small.geojson", "--sites", "sites_small_l93.gpkg",
                        "--site-filter", "active = 1")
        self.assertEqual(set(run.sites), ACTIVE)
        h.assert_no_errors(self, h.zone_nearest_errors(run, sites_of(ACTIVE)), "wrong nearest")

    def test_sites_crs_overrides_the_layer_crs(self):
        # Declaring the Lambert-93 GeoPackage as lon/lat must be obeyed: its coordinates are then
        # not lon/lat, which stops the run with a hint at --sites-crs.
        r = h.run("analyse", "--zones", "zones_small.geojson", "--sites", "sites_small_l93.gpkg",
                  "--sites-crs", "EPSG:4326", "--out", h.make_tempdir(self) / "out", "--no-progress", cwd=D)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("sites_small_l93.gpkg", r.stderr)
        self.assertIn("not longitude/latitude", r.stderr)
        self.assertIn("--sites-crs", r.stderr)

    def test_bad_crs_is_a_usage_error(self):
        r = h.run("analyse", "--zones", "zones_small.geojson", "--sites", "sites_small.csv",
                  "--sites-crs", "EPSG:999999", "--out", h.make_tempdir(self) / "out", "--no-progress", cwd=D)
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("EPSG:999999", r.stderr)


class TestConfigFile(h.CliTestCase):
    """--config FILE: key = value lines; relative paths from the file's folder; the command line wins."""

    def setUp(self):
        self.tmp = h.make_tempdir(self)
        (self.tmp / "inputs").mkdir()
        (self.tmp / "conf").mkdir()
        (self.tmp / "elsewhere").mkdir()
        for name in ("zones_small.geojson", "sites_small.csv"):
            shutil.copy(D / name, self.tmp / "inputs" / name)
        self.config = self.tmp / "conf" / "maillage.conf"
        self.config.write_text(
            "# analysis of the small fixtures\n"
            "zones = ../inputs/zones_small.geojson\n"
            "sites = ../inputs/sites_small.csv\n"
            "site-filter = active = 1\n"
            "threshold-km = 12\n"
            "out = result\n"
            "no-progress = true\n", encoding="utf-8")

    def test_paths_relative_to_the_config_folder(self):
        r = h.run("analyse", "--config", self.config, cwd=self.tmp / "elsewhere")
        self.assertEqual(r.returncode, 0, r)
        out = self.tmp / "conf" / "result"
        self.assertTrue((out / "summary.json").is_file(), f"no summary.json in {out}\n{r}")
        self.assertEqual(list((self.tmp / "elsewhere").iterdir()), [])
        s = h.load_json(out / "summary.json")
        self.assertEqual(s["parameters"]["threshold_km"], 12)
        self.assertEqual(s["parameters"]["site_filter"], "active = 1")
        self.assertEqual(s["population_total"], TOTAL)
        sites = {f["properties"]["site_id"] for f in h.load_json(out / "sites.geojson")["features"]}
        self.assertEqual(sites, ACTIVE)

    def test_command_line_wins(self):
        r = h.run("analyse", "--config", self.config, "--threshold-km", "15", "--out", "mine",
                  cwd=self.tmp / "elsewhere")
        self.assertEqual(r.returncode, 0, r)
        out = self.tmp / "elsewhere" / "mine"
        s = h.load_json(out / "summary.json")
        self.assertEqual(s["parameters"]["threshold_km"], 15)
        self.assertFalse((self.tmp / "conf" / "result").exists())

    def test_unknown_key_is_a_usage_error(self):
        with open(self.config, "a", encoding="utf-8") as f:
            f.write("treshold = 5\n")
        r = h.run("analyse", "--config", self.config, cwd=self.tmp / "elsewhere")
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("treshold", r.stderr)

    def test_missing_config_file(self):
        r = h.run("analyse", "--config", self.tmp / "nope.conf", cwd=self.tmp / "elsewhere")
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("nope.conf", r.stderr)


def contains_lonlat(geometry, lon, lat, slack=1e-6):
    """Point in a GeoJSON geometry, trying the longitude modulo 360 (antimeridian)."""
    g = ogr.CreateGeometryFromJson(json.dumps(geometry))
    for l in (lon, lon - 360, lon + 360):
        pt = ogr.Geometry(ogr.wkbPoint)
        pt.AddPoint_2D(l, lat)
        if g.Contains(pt) or g.Distance(pt) <= slack:
            return True
    return False


class TestAntimeridian(h.CliTestCase):
    """Zones and sites on both sides of 180 degrees (lat -17, like Fiji)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.run_ = h.analyse(cls, "--zones", "zones_antimeridian.geojson", "--sites",
                             "sites_antimeridian.csv", "--threshold-km", "5")
        cls.sites = h.read_sites_csv(D / "sites_antimeridian.csv")

    def test_population(self):
        self.assertEqual(self.run_.summary["population_total"], 10000)
        self.assertEqual(self.run_.summary["zones_count"], 3)

    def test_nearest_brute_force(self):
        h.assert_no_errors(self, h.zone_nearest_errors(self.run_, self.sites), "wrong nearest")
        # Across 180: X's nearest is f2, 5 km east of the line, not f1 (30 km away) on its side.
        self.assertEqual(self.run_.zones["X"]["properties"]["nearest_site_id"], "f2")

    def test_reference_points_inside_their_zone(self):
        src = {f["properties"]["code"]: f["geometry"]
               for f in h.load_json(D / "zones_antimeridian.geojson")["features"]}
        for code, z in self.run_.zones.items():
            p = z["properties"]
            self.assertTrue(-180 <= p["ref_lon"] <= 180, p)
            self.assertTrue(contains_lonlat(src[code], p["ref_lon"], p["ref_lat"]), p)

    def test_zones_and_sites_follow_rfc7946(self):
        for name in ("zones.geojson", "sites.geojson"):
            with self.subTest(file=name):
                self.assertEqual(h.rfc7946_errors(self.run_.out / name), [])

    def test_underserved_split_at_the_antimeridian(self):
        self.assertGreater(len(self.run_.underserved), 0)
        self.assertEqual(h.rfc7946_errors(self.run_.out / "underserved.geojson"), [])

    def test_underserved_area_as_written(self):
        # The area of the written polygons (geodesic, pyproj) must be the area maillage reports.
        reported = self.run_.summary["underserved"]["area_km2"]
        written = sum(h.geodesic_area_km2(f["geometry"]) for f in self.run_.underserved)
        self.assertAlmostEqual(written, reported, delta=0.01 * reported)

    def test_underserved_population(self):
        # Zone by zone: the share of each zone beyond 5 km (Monte Carlo with pyproj, all sites).
        rng = np.random.default_rng(3)
        src = {f["properties"]["code"]: f["geometry"]
               for f in h.load_json(D / "zones_antimeridian.geojson")["features"]}
        for code, geom in src.items():
            parts = h.polygons_of(geom)
            lon, lat = [], []
            for poly in parts:
                a = np.array(poly[0])
                n = 20000 // len(parts)
                lon.append(rng.uniform(a[:, 0].min(), a[:, 0].max(), n))
                lat.append(rng.uniform(a[:, 1].min(), a[:, 1].max(), n))
            d = h.nearest_distance(np.concatenate(lon), np.concatenate(lat), self.sites)
            expected = float(np.mean(d > 5000)) * self.run_.zones[code]["properties"]["population"]
            got = self.run_.zones[code]["properties"]["pop_beyond"]
            self.assertAlmostEqual(got, expected, delta=0.03 * self.run_.zones[code]["properties"]["population"],
                                   msg=code)


class TestNearPole(h.CliTestCase):
    """Zones between 85 and 88 degrees north, two of them on both sides of 180 degrees."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.run_ = h.analyse(cls, "--zones", "zones_pole.geojson", "--sites", "sites_pole.csv",
                             "--grid-m", "1000", "--threshold-km", "30")
        cls.sites = h.read_sites_csv(D / "sites_pole.csv")

    def test_population(self):
        self.assertEqual(self.run_.summary["population_total"], 450)
        total = sum(f["properties"]["catchment_population"] for f in self.run_.sites.values())
        self.assertAlmostEqual(total, 450, delta=1e-6)

    def test_nearest_brute_force(self):
        h.assert_no_errors(self, h.zone_nearest_errors(self.run_, self.sites), "wrong nearest")
        # P4 (175-180 E) is nearer n3 (177 W) than anything on its side.
        self.assertEqual(self.run_.zones["P4"]["properties"]["nearest_site_id"], "n3")

    def test_reference_points_inside_their_zone(self):
        src = {f["properties"]["code"]: f["geometry"] for f in h.load_json(D / "zones_pole.geojson")["features"]}
        for code, z in self.run_.zones.items():
            p = z["properties"]
            self.assertTrue(contains_lonlat(src[code], p["ref_lon"], p["ref_lat"]), p)

    def test_sites_outside_every_zone(self):
        # n2 (100 E, 86.5 N) is in no zone.
        self.assertEqual(self.run_.summary["sites_outside_study_area"], 1)

    def test_outputs_follow_rfc7946(self):
        for name in ("zones.geojson", "sites.geojson", "underserved.geojson"):
            with self.subTest(file=name):
                self.assertEqual(h.rfc7946_errors(self.run_.out / name), [])


if __name__ == "__main__":
    unittest.main()
