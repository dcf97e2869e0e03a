"""`maillage access`: the E2SFCA accessibility index, end to end.

Expected values come from a hand-worked case (fractions in the comments), from an independent
brute force in Python (pyproj's Geod over every cell and site, the population spread by the
documented whole-persons rule), and on the shipped data from the published counts
(geodata/SOURCES.md: 470 SPRO-type sites, 8,205,557 inhabitants).

Fixtures are SYNTHETIC, written by this file into a temporary folder.
"""

import hashlib
import json
import math
import unittest

import numpy as np
from osgeo import gdal, ogr
from pyproj import Transformer

import helpers as h

PER = 100000.0  # the index is per 100,000 inhabitants


def write_zones(path, zones):
    """zones: list of (code, departement, population, lon0, lat0, lon1, lat1)."""
    feats = []
    for code, dep, pop, lon0, lat0, lon1, lat1 in zones:
        ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
        feats.append({"type": "Feature",
                      "properties": {"code": code, "nom": "Zone " + code, "departement": dep,
                                     "population": pop},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")


def write_sites(path, sites, capacity_header="capacity"):
    """sites: list of (id, lon, lat, capacity)."""
    lines = [f"id,nom,lon,lat,{capacity_header}"]
    lines += [f"{i},Site {i},{lon},{lat},{cap}" for i, lon, lat, cap in sites]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def tiny(code, dep, pop, lon, lat, half=0.0002):
    """A square of about 30 m around (lon, lat): no cell centre of a coarse grid falls in it, so
    its population is a point demand on its reference point (its centroid, i.e. the point)."""
    return (code, dep, pop, lon - half, lat - half, lon + half, lat + half)


def must(*args):
    """Runs maillage (from setUpClass, where no test case is at hand); raises unless exit 0."""
    r = h.run(*args)
    if r.returncode != 0:
        raise AssertionError(f"maillage failed\n{r}")
    return r


def run_access(owner, *args):
    out = h.make_tempdir(owner) / "out"
    r = h.run("access", *args, "--out", out, "--no-progress")
    if r.returncode != 0:
        raise AssertionError(f"maillage access failed\n{r}")
    zones = h.load_json(out / "access_zones.geojson")["features"]
    sites = h.load_json(out / "access_sites.geojson")["features"]
    return (out, h.load_json(out / "summary.json"),
            {f["properties"]["zone_id"]: f["properties"] for f in zones},
            {f["properties"]["site_id"]: f["properties"] for f in sites}, r)


# --- The hand-worked three-site case ----------------------------------------------------------
#
# Everything on the meridian lon 5.0 (1/100 degree of latitude is about 1.11 km there).
# Demand points (tiny zones): P1 lat 45.045 (1000 inhabitants), P2 45.150 (2000), P3 45.330 (500).
# Sites: A lat 45.000 (capacity 2), B 45.200 (capacity 1), C 45.400 (capacity 3).
# Distances (km, rounded) and the weights of the default bands 0-10:1, 10-20:0.68, 20-30:0.22:
#          A            B            C
#   P1   5.0 -> 1     17.2 -> 0.68  39.5 -> 0
#   P2  16.7 -> 0.68   5.6 -> 1     27.8 -> 0.22
#   P3  36.7 -> 0     14.4 -> 0.68   7.8 -> 1
# (every distance is at least 0.5 km from a band edge; the test checks it with pyproj.)
# Step 1, demand of each site D_j = sum_k P_k W_kj:
#   D_A = 1000*1 + 2000*0.68           = 2360
#   D_B = 1000*0.68 + 2000*1 + 500*0.68 = 3020
#   D_C = 2000*0.22 + 500*1             =  940
#   R_A = 2/2360, R_B = 1/3020, R_C = 3/940
# Step 2, index of each demand point A_i = sum_j R_j W_ij:
#   A_P1 = 2/2360 + 0.68/3020               = 0.00107262...  -> 107.26 per 100,000
#   A_P2 = 0.68*2/2360 + 1/3020 + 0.22*3/940 = 0.00160952...  -> 160.95
#   A_P3 = 0.68/3020 + 3/940                 = 0.00341666...  -> 341.67
# Conservation: 1000 A_P1 + 2000 A_P2 + 500 A_P3 = R_A*2360 + R_B*3020 + R_C*940 = 2 + 1 + 3 = 6.
# Regional mean: 6 / 3500 inhabitants = 171.428571 per 100,000.

HAND_POINTS = {"P1": (45.045, 1000), "P2": (45.150, 2000), "P3": (45.330, 500)}
HAND_SITES = {"A": (45.000, 2), "B": (45.200, 1), "C": (45.400, 3)}
HAND_WEIGHTS = {("P1", "A"): 1, ("P1", "B"): 0.68, ("P1", "C"): 0,
                ("P2", "A"): 0.68, ("P2", "B"): 1, ("P2", "C"): 0.22,
                ("P3", "A"): 0, ("P3", "B"): 0.68, ("P3", "C"): 1}
HAND_DEMAND = {"A": 2360.0, "B": 3020.0, "C": 940.0}
HAND_INDEX = {"P1": 2 / 2360 + 0.68 / 3020,
              "P2": 0.68 * 2 / 2360 + 1 / 3020 + 0.22 * 3 / 940,
              "P3": 0.68 / 3020 + 3 / 940}
HAND_MEAN = 6 / 3500


class TestHandWorked(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        d = h.make_tempdir(cls)
        cls.zones = d / "points.geojson"
        write_zones(cls.zones, [tiny(k, "01" if k != "P3" else "02", pop, 5.0, lat)
                                for k, (lat, pop) in HAND_POINTS.items()])
        cls.sites = d / "sites.csv"
        write_sites(cls.sites, [(k, 5.0, lat, cap) for k, (lat, cap) in HAND_SITES.items()])
        # With a site 100+ km away that reaches nobody (capacity 4: it must not count).
        cls.sites_far = d / "sites_far.csv"
        write_sites(cls.sites_far, [(k, 5.0, lat, cap) for k, (lat, cap) in HAND_SITES.items()]
                    + [("D", 5.0, 46.5, 4)])
        base = ("--zones", cls.zones, "--capacity", "capacity", "--grid-m", "5000")
        cls.out, cls.summary, cls.z, cls.s, cls.r = run_access(cls, *base, "--sites", cls.sites)
        cls.far = run_access(cls, *base, "--sites", cls.sites_far)
        cls.below07 = run_access(cls, *base, "--sites", cls.sites, "--below", "0.7")

    def test_premise_distances_inside_bands(self):
        edges = [0, 10, 20, 30]
        for (p, s), w in HAND_WEIGHTS.items():
            _, _, d = h.GEOD.inv(5.0, HAND_POINTS[p][0], 5.0, HAND_SITES[s][0])
            km = d / 1000
            self.assertGreater(min(abs(km - e) for e in edges), 0.5, (p, s, km))
            expected = 1 if km <= 10 else 0.68 if km <= 20 else 0.22 if km <= 30 else 0
            self.assertEqual(expected, w, (p, s, km))

    def test_all_three_are_point_demands(self):
        self.assertEqual(self.summary["access"]["grid"]["zones_on_reference_point"], 3)

    def test_site_demand_and_ratio(self):
        for k, dem in HAND_DEMAND.items():
            self.assertAlmostEqual(self.s[k]["demand"], dem, places=4)
            self.assertAlmostEqual(self.s[k]["ratio"], HAND_SITES[k][1] / dem * PER, places=5)
            self.assertTrue(self.s[k]["reached"])
            self.assertEqual(self.s[k]["capacity"], HAND_SITES[k][1])

    def test_zone_index(self):
        for k, a in HAND_INDEX.items():
            self.assertAlmostEqual(self.z[k]["access"], a * PER, places=5)
            self.assertAlmostEqual(self.z[k]["access_ratio"], a / HAND_MEAN, places=5)
            self.assertFalse(self.z[k]["access_below"])  # all above half the mean
        self.assertEqual(self.z["P1"]["sites_in_reach"], 2)
        self.assertEqual(self.z["P2"]["sites_in_reach"], 3)
        self.assertEqual(self.z["P3"]["sites_in_reach"], 2)

    def test_summary(self):
        a = self.summary["access"]
        self.assertAlmostEqual(a["index"]["mean"], HAND_MEAN * PER, places=5)
        self.assertEqual(a["supply_total"], 6)
        self.assertEqual(a["supply_served"], 6)
        self.assertAlmostEqual(a["sum_population_x_index"], 6, places=6)
        self.assertEqual(a["population_total"], 3500)
        self.assertEqual(a["sites_reaching_nobody"]["count"], 0)
        self.assertEqual(a["below"]["zones"], 0)
        self.assertEqual(a["unit"], "supply per 100,000 inhabitants")
        # Quantiles: P1 holds 1000 of 3500 (28.6 %), P2 the next 2000 (up to 85.7 %), then P3.
        self.assertAlmostEqual(a["index"]["p10"], HAND_INDEX["P1"] * PER, places=5)
        self.assertAlmostEqual(a["index"]["p50"], HAND_INDEX["P2"] * PER, places=5)
        self.assertAlmostEqual(a["index"]["p90"], HAND_INDEX["P3"] * PER, places=5)
        groups = {g["group"]: g for g in a["by_group"]}
        self.assertAlmostEqual(groups["01"]["index"],
                               (1000 * HAND_INDEX["P1"] + 2000 * HAND_INDEX["P2"]) / 3000 * PER,
                               places=5)
        self.assertAlmostEqual(groups["02"]["ratio"], HAND_INDEX["P3"] / HAND_MEAN, places=5)

    def test_site_reaching_nobody_is_reported_and_excluded(self):
        out, summary, z, s, r = self.far
        a = summary["access"]
        self.assertEqual(a["sites_reaching_nobody"]["count"], 1)
        self.assertEqual(a["sites_reaching_nobody"]["sites"][0]["site_id"], "D")
        self.assertEqual(a["supply_total"], 10)
        self.assertEqual(a["supply_served"], 6)
        self.assertAlmostEqual(a["sum_population_x_index"], 6, places=6)
        self.assertFalse(s["D"]["reached"])
        self.assertIsNone(s["D"]["ratio"])
        self.assertEqual(s["D"]["demand"], 0)
        for k, v in HAND_INDEX.items():  # the same index as without D
            self.assertAlmostEqual(z[k]["access"], v * PER, places=5)
        self.assertIn("reach nobody", r.stderr)
        self.assertIn("D (Site D)", r.stderr)

    def test_below_flag(self):
        # At 0.7 x the mean (120.0 per 100,000), P1 (107.26, ratio 0.626) is flagged.
        out, summary, z, s, r = self.below07
        self.assertTrue(z["P1"]["access_below"])
        self.assertFalse(z["P2"]["access_below"])
        self.assertFalse(z["P3"]["access_below"])
        b = summary["access"]["below"]
        self.assertEqual(b["zones"], 1)
        self.assertEqual(b["population"], 1000)
        self.assertAlmostEqual(b["threshold"], 0.7 * HAND_MEAN * PER, places=5)
        groups = {g["group"]: g for g in summary["access"]["by_group"]}
        self.assertEqual(groups["01"]["zones_below"], 1)
        self.assertEqual(groups["01"]["population_below"], 1000)

    def test_outputs_are_valid(self):
        self.assertEqual(h.rfc7946_errors(self.out / "access_zones.geojson"), [])
        self.assertTrue((self.out / "access.tif").exists())
        self.assertFalse(any(p.name.startswith(".maillage-staging") for p in self.out.iterdir()))


# --- Brute force on a small grid --------------------------------------------------------------

BF_ZONES = [
    ("Z1", "01", 12000, 5.00, 45.00, 5.13, 45.09),
    ("Z2", "01", 25000, 5.13, 45.00, 5.26, 45.09),
    ("Z3", "02", 4000, 5.26, 45.00, 5.39, 45.09),
    ("Z4", "02", 0, 5.00, 45.09, 5.13, 45.18),
    tiny("T", "02", 321, 5.45, 45.05),
]
BF_SITES = [("a1", 5.065, 45.045, 3), ("b1", 5.20, 45.06, 1), ("c1", 5.33, 45.03, 2.5),
            ("x1", 5.45, 45.20, 1), ("far", 7.5, 46.5, 9), ("zero", 5.10, 45.15, 0)]


def band_weight(km):
    return np.where(km <= 10, 1.0, np.where(km <= 20, 0.68, np.where(km <= 30, 0.22, 0.0)))


def gaussian_weight(km, d0):
    w = (np.exp(-0.5 * (km / d0) ** 2) - math.exp(-0.5)) / (1 - math.exp(-0.5))
    return np.where(km <= d0, np.maximum(w, 0.0), 0.0)


def whole_person_shares(population, n):
    """The documented split of a zone's population over its n cells (row order from the NW)."""
    if float(population).is_integer():
        q, r = divmod(int(population), n)
        return [q + ((i + 1) * r) // n - (i * r) // n for i in range(n)]
    return [population / n] * n


def brute_force(out, weight):
    """The E2SFCA recomputed from the inputs and the run's grid frame (CRS and geotransform of
    access.tif): a cell belongs to the zone whose projected polygon holds its centre (OGR
    point-in-polygon on the zones' vertices projected by pyproj), distances by pyproj's Geod."""
    summary = h.load_json(out / "summary.json")["access"]
    ds = gdal.Open(str(out / "access.tif"))
    gt = ds.GetGeoTransform()
    raster = ds.GetRasterBand(1).ReadAsArray().astype(float)
    height, width = raster.shape
    to_ll = Transformer.from_crs(summary["equal_area_crs"], "EPSG:4326", always_xy=True)
    to_xy = Transformer.from_crs("EPSG:4326", summary["equal_area_crs"], always_xy=True)
    cols, rows = np.meshgrid(np.arange(width), np.arange(height))
    x = gt[0] + (cols.ravel() + 0.5) * gt[1]
    y = gt[3] + (rows.ravel() + 0.5) * gt[5]
    lon, lat = to_ll.transform(x, y)
    polys = []
    for z in BF_ZONES:
        px, py = to_xy.transform([z[3], z[5], z[5], z[3], z[3]], [z[4], z[4], z[6], z[6], z[4]])
        polys.append(ogr.CreateGeometryFromJson(json.dumps(
            {"type": "Polygon", "coordinates": [[[a, b] for a, b in zip(px, py)]]})))
    zone_of = np.full(len(lon), -1)
    for c in range(len(lon)):
        pt = ogr.Geometry(ogr.wkbPoint)
        pt.AddPoint_2D(float(x[c]), float(y[c]))
        for i, p in enumerate(polys):
            if p.Contains(pt):
                zone_of[c] = i  # the later zone wins, as documented
    pop = np.zeros(len(lon))
    for i, z in enumerate(BF_ZONES):
        cells = np.nonzero(zone_of == i)[0]  # row order from the north-west
        if len(cells):
            pop[cells] = whole_person_shares(z[2], len(cells))
    zones_feats = {f["properties"]["zone_id"]: f["properties"]
                   for f in h.load_json(out / "access_zones.geojson")["features"]}
    # Demand points: inhabited cells, and zones without a cell on their reference point.
    dlon, dlat, dpop, dzone = [], [], [], []
    for c in np.nonzero(zone_of >= 0)[0]:
        dlon.append(lon[c]); dlat.append(lat[c]); dpop.append(pop[c]); dzone.append(zone_of[c])
    point_zones = [i for i in range(len(BF_ZONES)) if not np.any(zone_of == i)]
    for i in point_zones:
        p = zones_feats[BF_ZONES[i][0]]
        dlon.append(p["ref_lon"]); dlat.append(p["ref_lat"]); dpop.append(BF_ZONES[i][2])
        dzone.append(i)
    dpop = np.array(dpop)
    dzone = np.array(dzone)
    sites = h.Sites([s[0] for s in BF_SITES], np.array([s[1] for s in BF_SITES]),
                    np.array([s[2] for s in BF_SITES]))
    cap = np.array([s[3] for s in BF_SITES], dtype=float)
    w = weight(h.distance_matrix(dlon, dlat, sites) / 1000.0)  # (demand, sites)
    demand = (dpop[:, None] * w).sum(axis=0)
    ratio = np.where(demand > 0, cap / np.where(demand > 0, demand, 1), 0.0)
    index = (w * ratio[None, :]).sum(axis=1)
    zone_index = {}
    for i, z in enumerate(BF_ZONES):
        m = dzone == i
        zp = dpop[m].sum()
        zone_index[z[0]] = (dpop[m] * index[m]).sum() / zp if zp > 0 else index[m].mean()
    cell_index = np.full(len(lon), np.nan)
    inside = np.nonzero(zone_of >= 0)[0]
    cell_index[inside] = index[: len(inside)]
    return dict(demand=demand, ratio=ratio, zone_index=zone_index, raster=raster.ravel(),
                cell_index=cell_index, cap=cap, population=dpop.sum(),
                weighted=(dpop * index).sum(), point_zones=point_zones)


class TestBruteForce(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        d = h.make_tempdir(cls)
        cls.zones = d / "zones.geojson"
        write_zones(cls.zones, BF_ZONES)
        cls.sites = d / "sites.csv"
        write_sites(cls.sites, BF_SITES, capacity_header="places")
        base = ("--zones", cls.zones, "--sites", cls.sites, "--capacity", "places",
                "--grid-m", "1000")
        cls.bands = run_access(cls, *base)
        cls.gauss = run_access(cls, *base, "--decay", "gaussian", "--d0-km", "12")

    def check(self, result, weight):
        out, summary, z, s, r = result
        bf = brute_force(out, weight)
        self.assertEqual(bf["point_zones"], [4])  # only the tiny zone T
        ids = [x[0] for x in BF_SITES]
        for j, sid in enumerate(ids):
            self.assertAlmostEqual(s[sid]["demand"], bf["demand"][j], delta=1e-3, msg=sid)
            if bf["demand"][j] > 0:
                self.assertAlmostEqual(s[sid]["ratio"], bf["ratio"][j] * PER, delta=1e-5, msg=sid)
            else:
                self.assertIsNone(s[sid]["ratio"], sid)
        self.assertFalse(s["far"]["reached"])
        for zid, v in bf["zone_index"].items():
            self.assertAlmostEqual(z[zid]["access"], v * PER, delta=2e-6, msg=zid)
        # The raster, cell by cell: float32 (1e-6 relative), and pyproj's LAEA inverse puts the
        # cell centres up to 1.6 mm from maillage's (PROJ 9.1 stops the authalic latitude at a
        # 3-term series, OSGeo/PROJ#4440), which near the Gaussian's edge (slope 1.5/d0) moves
        # each weight by up to 2e-7, hence 2e-5 per 100,000 at most over a few sites.
        inside = ~np.isnan(bf["cell_index"])
        self.assertGreater(int(inside.sum()), 300)
        self.assertTrue(np.all(bf["raster"][~inside] == -9999))
        expected = bf["cell_index"][inside] * PER
        got = bf["raster"][inside]
        excess = np.abs(got - expected) - (2e-6 * expected + 2e-5)
        self.assertLessEqual(float(np.max(excess)), 0.0)
        self.assertGreater(int(np.count_nonzero(expected > 0)), 300)
        # Conservation, from the brute force and from the zones layer.
        served = bf["cap"][bf["demand"] > 0].sum()
        self.assertAlmostEqual(bf["weighted"], served, places=9)
        self.assertEqual(summary["access"]["supply_served"], served)
        from_layer = sum(p["population"] * p["access"] for p in z.values()) / PER
        self.assertAlmostEqual(from_layer, served, places=4)
        self.assertAlmostEqual(summary["access"]["index"]["mean"], served / bf["population"] * PER,
                               places=5)

    def test_bands(self):
        self.check(self.bands, band_weight)

    def test_gaussian(self):
        self.check(self.gauss, lambda km: gaussian_weight(km, 12.0))
        decay = self.gauss[1]["access"]["parameters"]["decay"]
        self.assertEqual(decay["kind"], "gaussian")
        self.assertEqual(decay["d0_km"], 12)


# --- Errors, formats, a folder shared with analyse ---------------------------------------------

class TestUsageAndData(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        d = h.make_tempdir(cls)
        cls.zones = d / "zones.geojson"
        write_zones(cls.zones, BF_ZONES[:3])
        cls.sites = d / "sites.csv"
        write_sites(cls.sites, BF_SITES[:3])
        cls.bad_cap = d / "bad_capacity.csv"
        write_sites(cls.bad_cap, [("a1", 5.065, 45.045, 3), ("b1", 5.20, 45.06, "abc")])
        cls.neg_cap = d / "neg_capacity.csv"
        write_sites(cls.neg_cap, [("a1", 5.065, 45.045, -2)])
        cls.base = ("--zones", cls.zones, "--sites", cls.sites, "--grid-m", "2000",
                    "--no-progress")

    def unchanged(self, args, code, *fragments):
        out = h.make_tempdir(self) / "out"
        out.mkdir()
        (out / "keep.txt").write_text("previous results\n")
        before = h.snapshot(out)
        r = h.run("access", *args, "--out", out)
        self.assertEqual(r.returncode, code, str(r))
        for f in fragments:
            self.assertIn(f, r.stderr, str(r))
        self.assertEqual(h.snapshot(out), before)

    def test_usage_errors(self):
        self.unchanged((*self.base, "--bands", "0-10:1,12-20:0.5"), 2, "starts at 12")
        self.unchanged((*self.base, "--bands", "0-10:x"), 2, "'x' is not a number")
        self.unchanged((*self.base, "--bands", "0-10:-1"), 2, "negative weight")
        self.unchanged((*self.base, "--decay", "gaussian", "--bands", "0-10:1"), 2, "--d0-km")
        self.unchanged((*self.base, "--d0-km", "20"), 2, "--decay gaussian")
        self.unchanged((*self.base, "--decay", "gaussian", "--d0-km", "0"), 2, "--d0-km")
        self.unchanged((*self.base, "--decay", "linear"), 2, "bands or gaussian")
        self.unchanged((*self.base, "--below", "0"), 2, "--below")
        self.unchanged((*self.base, "--below", "abc"), 2, "below")

    def test_data_errors(self):
        self.unchanged((*self.base, "--capacity", "places"), 1, "no field 'places'", "--capacity")
        base = ("--zones", self.zones, "--grid-m", "2000", "--capacity", "capacity")
        self.unchanged((*base, "--sites", self.bad_cap), 1, "line 3", "b1", "'abc'",
                       "not a non-negative number")
        self.unchanged((*base, "--sites", self.neg_cap), 1, "line 2", "'-2'")

    def test_default_capacity_is_one(self):
        out, summary, z, s, r = run_access(self, "--zones", self.zones, "--sites", self.sites,
                                           "--grid-m", "2000")
        self.assertEqual(summary["access"]["supply_total"], 3)
        self.assertEqual({p["capacity"] for p in s.values()}, {1})
        self.assertEqual(summary["access"]["parameters"]["capacity"], "1 per site")

    def test_shared_folder_with_analyse(self):
        out = h.make_tempdir(self) / "run"
        h.run_ok(self, "analyse", *self.base, "--out", out)
        analysed = h.snapshot(out)
        before = h.load_json(out / "summary.json")
        h.run_ok(self, "access", *self.base, "--out", out)
        after = h.load_json(out / "summary.json")
        # analyse's figures are kept, "access" is added; analyse's other files are untouched.
        self.assertEqual({k: v for k, v in after.items() if k != "access"}, before)
        self.assertIn("access", after)
        now = h.snapshot(out)
        for name, digest in analysed.items():
            if name != "summary.json":
                self.assertEqual(now.get(name), digest, name)
        for name in ("access_zones.geojson", "access_sites.geojson", "access.tif"):
            self.assertIn(name, now)
        # A rerun replaces the section, nothing else.
        h.run_ok(self, "access", *self.base, "--out", out, "--below", "0.9")
        again = h.load_json(out / "summary.json")
        self.assertEqual(again["access"]["below"]["share"], 0.9)
        self.assertEqual({k: v for k, v in again.items() if k != "access"}, before)

    def test_geopackage(self):
        out = h.make_tempdir(self) / "gpkg"
        h.run_ok(self, "access", *self.base, "--out", out, "--format", "gpkg")
        ds = ogr.Open(str(out / "access.gpkg"))
        self.assertEqual(sorted(ds.GetLayerByIndex(i).GetName() for i in range(ds.GetLayerCount())),
                         ["access_sites", "access_zones", "layer_styles"])
        self.assertEqual(ds.GetLayerByName("access_zones").GetFeatureCount(), 3)
        r = gdal.Open(f"GPKG:{out / 'access.gpkg'}:access")
        self.assertIsNotNone(r)
        geojson = h.make_tempdir(self) / "geojson"
        h.run_ok(self, "access", *self.base, "--out", geojson)
        tif_ds = gdal.Open(str(geojson / "access.tif"))  # kept alive while its band is read
        tif = tif_ds.GetRasterBand(1).ReadAsArray()
        self.assertTrue(np.array_equal(r.GetRasterBand(1).ReadAsArray(), tif))

    def test_same_outputs_with_one_and_two_threads(self):
        runs = []
        for t in ("1", "2"):
            out = h.make_tempdir(self) / f"t{t}"
            h.run_ok(self, "access", *self.base, "--out", out, "--threads", t)
            snap = h.snapshot(out)
            # access_run.json records when the run started and how long it took.
            del snap["access_run.json"]
            runs.append(snap)
        self.assertEqual(runs[0], runs[1])


# --- The report section -------------------------------------------------------------------------

class TestReport(h.CliTestCase):
    """`maillage report` adds the accessibility section when the run folder holds access's
    outputs, and only then."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        d = h.make_tempdir(cls)
        zones = d / "zones.geojson"
        write_zones(zones, BF_ZONES)
        sites = d / "sites.csv"
        write_sites(sites, BF_SITES)
        base = ("--zones", zones, "--sites", sites, "--grid-m", "1000", "--no-progress")
        cls.plain = d / "plain"
        must("analyse", *base, "--out", cls.plain)
        cls.both = d / "both"
        must("analyse", *base, "--out", cls.both)
        must("access", *base, "--out", cls.both, "--below", "0.9")
        cls.access = h.load_json(cls.both / "summary.json")["access"]
        cls.zones = {f["properties"]["zone_id"]: f["properties"]
                     for f in h.load_json(cls.both / "access_zones.geojson")["features"]}
        cls.reports = {}
        for name, run in (("plain", cls.plain), ("fr", cls.both), ("en", cls.both)):
            out = d / ("report-" + name)
            must("report", "--run", run, "--out", out, "--lang",
                     "en" if name == "en" else "fr", "-q")
            cls.reports[name] = out

    def test_no_section_without_access(self):
        page = (self.reports["plain"] / "index.html").read_text(encoding="utf-8")
        self.assertNotIn("access-groups", page)
        self.assertNotIn("access_mean", (self.reports["plain"] / "figures.csv").read_text())

    def test_section_figures(self):
        for lang in ("fr", "en"):
            page = (self.reports[lang] / "index.html").read_text(encoding="utf-8")
            self.assertIn('id="access-groups"', page)
            self.assertIn("E2SFCA", page)
            self.assertEqual(page.count("<script>"), 1)
            self.assertLess(page.index('id="access-groups"'), page.index("<script>"))
        figures = {}
        for line in (self.reports["en"] / "figures.csv").read_text().splitlines()[1:]:
            key, group, value, unit = line.split(",")
            figures[(key, group)] = float(value)
        # From the layer, independently of the summary's own totals.
        below = [p for p in self.zones.values() if p["access_below"]]
        self.assertEqual(sorted(p["zone_id"] for p in below), ["Z1", "Z4"])  # ratios 0.77, 0.83
        self.assertEqual(figures[("access_zones_below", "")], len(below))
        self.assertEqual(figures[("access_population_below", "")],
                         sum(p["population"] for p in below))
        self.assertAlmostEqual(figures[("access_mean_per_100k", "")],
                               sum(p["population"] * p["access"] for p in self.zones.values())
                               / sum(p["population"] for p in self.zones.values()), places=5)
        for dep in ("01", "02"):
            zs = [p for p in self.zones.values() if p["group_code"] == dep]
            self.assertAlmostEqual(figures[("group_access_per_100k", dep)],
                                   sum(p["population"] * p["access"] for p in zs)
                                   / sum(p["population"] for p in zs), places=5)
        md = (self.reports["fr"] / "report.md").read_text(encoding="utf-8")
        self.assertIn("Accessibilité potentielle", md)
        self.assertIn("Communes sous 90 %", md)
        self.assertIn("| Zone Z1 | 01 | 12\u202f000 |", md)  # the most populated commune below


# --- The shipped data ---------------------------------------------------------------------------

class TestRealData(h.CliTestCase):
    """The default run: 470 SPRO-type sites, 4,025 communes, 200 m grid, default bands, the
    shipped neighbouring communes as context zones; and the same with --no-context-zones."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.out, cls.summary, cls.z, cls.s, cls.r = run_access(cls)
        cls.a = cls.summary["access"]
        cls.plain = run_access(cls, "--no-context-zones")

    def test_default_context_zones(self):
        c = self.a["context_zones"]
        self.assertTrue(c["used"])
        self.assertTrue(c["default"])
        self.assertEqual(len(c["inputs"]), 1)
        self.assertTrue(c["inputs"][0]["path"].endswith("geodata/communes-voisines-cog2026.geojson"))
        # geodata/SOURCES.md: 3,587 communes, 4,175,484 inhabitants.
        self.assertEqual(c["zones"], 3587)
        self.assertEqual(c["population"], 4175484)
        # Same source as the study communes: they share their borders, no overlap.
        self.assertEqual(c["zones_overlapping_study_area"], 0)
        self.assertEqual(c["population_in_study_area"], 0)
        self.assertEqual(c["population_demand"], 4175484)
        self.assertGreater(c["population_in_reach"], 0)
        self.assertLess(c["population_in_reach"], c["population_demand"])
        self.assertGreater(c["sites_with_demand"], 0)
        self.assertIn(f"context zones: 3587 zones (shipped neighbouring communes), 4175484 "
                      f"inhabitants", self.r.stderr)
        # Nothing of them in the outputs: the zones and the raster are the study area's.
        self.assertEqual(len(self.z), h.AURA_COMMUNES)
        self.assertEqual(self.a["grid"], self.plain[1]["access"]["grid"])
        record = h.load_json(self.out / "access_run.json")
        files = record["inputs"]["context_zones"]
        self.assertEqual(files[0]["sha256"],
                         hashlib.sha256((h.GEODATA / "communes-voisines-cog2026.geojson")
                                        .read_bytes()).hexdigest())

    def test_no_context_zones(self):
        out, summary, z, s, r = self.plain
        a = summary["access"]
        self.assertEqual(a["context_zones"], {"used": False, "default": False,
                                              "reason": "--no-context-zones"})
        self.assertNotIn("context zones:", r.stderr)
        self.assertNotIn("context_zones", h.load_json(out / "access_run.json")["inputs"])
        # Without context zones, the supply of every site that reaches someone goes to the study
        # area: the regional mean is that supply per 100,000 inhabitants. Every regional site
        # reaches someone (its own commune); a border site may reach nobody of the region.
        regional = set(h.spro_sites().ids)
        unreached = {x["site_id"] for x in a["sites_reaching_nobody"]["sites"]}
        self.assertEqual(unreached & regional, set())
        self.assertEqual(a["supply_served"],
                         h.AURA_SPRO_SITES + h.AURA_BORDER_SITES - a["sites_reaching_nobody"]["count"])
        self.assertAlmostEqual(a["index"]["mean"], a["supply_served"] / h.AURA_POPULATION * PER,
                               places=6)
        self.assertAlmostEqual(a["sum_population_x_index"], a["supply_served"], places=5)
        self.assertTrue(all(p["demand_context"] == 0 for p in s.values()))
        # The people across the border take a share of the border sites: the study area's
        # mean goes down, and only sites with context demand see their ratio change.
        self.assertLess(self.a["index"]["mean"], a["index"]["mean"])
        changed = 0
        for sid, p in self.s.items():
            if p["demand_context"] > 0:
                changed += 1
                if s[sid]["ratio"] is None:
                    # A border site that reaches nobody of the region: all its demand is across.
                    self.assertAlmostEqual(p["demand"], p["demand_context"], delta=1e-3, msg=sid)
                    continue
                self.assertLess(p["ratio"], s[sid]["ratio"], sid)
                self.assertAlmostEqual(p["demand"] - p["demand_context"], s[sid]["demand"],
                                       delta=1e-3, msg=sid)
            else:
                self.assertEqual(p["ratio"], s[sid]["ratio"], sid)
        self.assertEqual(changed, self.a["context_zones"]["sites_with_demand"])

    def test_counts_and_conservation(self):
        a = self.a
        sites = h.AURA_SPRO_SITES + h.AURA_BORDER_SITES
        self.assertEqual(a["sites_count"], sites)
        self.assertEqual(a["zones_count"], h.AURA_COMMUNES)
        self.assertEqual(a["population_total"], h.AURA_POPULATION)
        # Every site reaches someone: a regional site its own commune, a border site the
        # neighbouring communes around it (context zones).
        self.assertEqual(a["sites_reaching_nobody"]["count"], 0)
        self.assertEqual(a["supply_served"], sites)
        # Conservation over all the demand, inside the study area and in the context zones: the
        # supply of the 757 sites.
        inside = a["sum_population_x_index"]
        outside = a["context_zones"]["sum_population_x_index"]
        self.assertGreater(outside, 1)
        self.assertAlmostEqual(inside + outside, sites, places=5)
        self.assertAlmostEqual(a["sum_population_x_index_all_demand"], sites, places=5)
        # The study area's part, from the zones layer, and its mean.
        from_layer = sum(p["population"] * p["access"] for p in self.z.values()) / PER
        self.assertAlmostEqual(from_layer, inside, places=2)
        self.assertAlmostEqual(a["index"]["mean"], inside / h.AURA_POPULATION * PER, places=6)
        self.assertEqual(len(self.s), sites)
        self.assertTrue(all(p["reached"] for p in self.s.values()))

    def test_groups_and_flags_from_the_layer(self):
        a = self.a
        mean = a["index"]["mean"]
        below = [p for p in self.z.values() if p["access"] < 0.5 * mean]
        self.assertEqual(sum(p["access_below"] for p in self.z.values()), len(below))
        self.assertEqual(a["below"]["zones"], len(below))
        self.assertAlmostEqual(a["below"]["population"], sum(p["population"] for p in below),
                               places=3)
        groups = {g["group"]: g for g in a["by_group"]}
        self.assertEqual(sorted(groups), h.AURA_DEPARTMENTS)
        for dep, g in groups.items():
            zs = [p for p in self.z.values() if p["group_code"] == dep]
            pop = sum(p["population"] for p in zs)
            self.assertEqual(g["population"], pop, dep)
            self.assertAlmostEqual(g["index"], sum(p["population"] * p["access"] for p in zs) / pop,
                                   places=4, msg=dep)
            self.assertAlmostEqual(g["ratio"], g["index"] / mean, places=4, msg=dep)
            self.assertEqual(g["zones_below"], sum(1 for p in zs if p["access_below"]), dep)
        for p in self.z.values():
            self.assertAlmostEqual(p["access_ratio"], p["access"] / mean, places=5)

    def test_raster(self):
        ds = gdal.Open(str(self.out / "access.tif"))
        band = ds.GetRasterBand(1)
        self.assertEqual(band.GetNoDataValue(), -9999)
        self.assertIn("per 100,000", band.GetDescription())
        values = band.ReadAsArray()
        inside = values[values != -9999]
        self.assertEqual(inside.size, self.a["grid"]["cells_in_study_area"])
        self.assertGreaterEqual(float(inside.min()), 0.0)
        # The summary's max is over inhabited cells; the raster holds uninhabited ones too.
        self.assertGreaterEqual(float(inside.max()), self.a["index"]["max"] - 1e-3)
        self.assertEqual(ds.GetGeoTransform()[1], 200.0)


# --- Context zones: the people across the border -------------------------------------------------
#
# The hand-worked case of tests/unit/analysis/test_access_context.cpp, end to end. On the
# meridian lon 5.0, default bands 0-10:1, 10-20:0.68, 20-30:0.22 (the distances are checked with
# pyproj below). Study zone P at lat 45.00 (1000 inhabitants); context zone Q across the "border"
# at lat 45.10 (3000). Sites: A at 45.05 (capacity 1; 5.56 km from P and Q: weight 1), B at 44.90
# (capacity 2; 11.12 km from P: 0.68; 22.24 km from Q: 0.22).
#   Without Q: D_A = 1000, D_B = 680; A_P = 1/1000 + 0.68 x 2/680 = 0.003 -> 300 per 100,000.
#   With Q:    D_A = 1000 + 3000 = 4000, D_B = 680 + 3000 x 0.22 = 1340;
#              R_A = 1/4000 -> 25 per 100,000, R_B = 2/1340 -> 149.253731 per 100,000;
#              A_P = 0.00025 + 0.68 x 2/1340 = 0.00126492537 -> 126.492537 per 100,000;
#              A_Q = 0.00025 + 0.22 x 2/1340 = 0.00057835821 (not reported);
#              1000 A_P + 3000 A_Q = 1.26492537 + 1.73507463 = 3 = supply of A and B.

CTX_R_B = 2 / 1340
CTX_A_P = 1 / 4000 + 0.68 * CTX_R_B
CTX_A_Q = 1 / 4000 + 0.22 * CTX_R_B


class TestContextZones(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        d = h.make_tempdir(cls)
        cls.dir = d
        cls.zones = d / "study.geojson"
        write_zones(cls.zones, [tiny("P", "01", 1000, 5.0, 45.0)])
        cls.context = d / "context.geojson"
        write_zones(cls.context, [tiny("Q", "99", 3000, 5.0, 45.10)])
        cls.sites = d / "sites.csv"
        write_sites(cls.sites, [("A", 5.0, 45.05, 1), ("B", 5.0, 44.90, 2)])
        cls.base = ("--zones", cls.zones, "--sites", cls.sites, "--capacity", "capacity",
                    "--grid-m", "5000")
        cls.alone = run_access(cls, *cls.base)
        cls.with_q = run_access(cls, *cls.base, "--context-zones", cls.context)

    def test_premise_distances(self):
        for lat_p, lat_s, km in ((45.0, 45.05, 5.56), (45.10, 45.05, 5.56), (45.0, 44.90, 11.12),
                                 (45.10, 44.90, 22.24)):
            _, _, dist = h.GEOD.inv(5.0, lat_p, 5.0, lat_s)
            self.assertAlmostEqual(dist / 1000, km, delta=0.02)

    def test_zones_given_means_no_default_context(self):
        out, summary, z, s, r = self.alone
        c = summary["access"]["context_zones"]
        self.assertFalse(c["used"])
        self.assertIn("--zones given", c["reason"])
        self.assertAlmostEqual(z["P"]["access"], 300.0, places=6)
        self.assertEqual(s["A"]["demand_context"], 0)
        self.assertNotIn("context zones:", r.stderr)

    def test_border_site_ratio_and_study_index(self):
        out, summary, z, s, r = self.with_q
        self.assertEqual(sorted(z), ["P"])  # Q is not reported
        self.assertAlmostEqual(s["A"]["demand"], 4000, places=4)
        self.assertAlmostEqual(s["A"]["demand_context"], 3000, places=4)
        self.assertAlmostEqual(s["A"]["ratio"], 25.0, places=6)
        self.assertAlmostEqual(s["B"]["demand"], 1340, places=4)
        self.assertAlmostEqual(s["B"]["demand_context"], 660, places=4)
        self.assertAlmostEqual(s["B"]["ratio"], CTX_R_B * PER, places=5)
        self.assertAlmostEqual(z["P"]["access"], CTX_A_P * PER, places=5)
        self.assertAlmostEqual(z["P"]["access"], 126.492537, places=5)
        a = summary["access"]
        self.assertEqual(a["population_total"], 1000)
        self.assertAlmostEqual(a["index"]["mean"], 126.492537, places=5)
        c = a["context_zones"]
        self.assertTrue(c["used"])
        self.assertFalse(c["default"])
        self.assertEqual(c["zones"], 1)
        self.assertEqual(c["population"], 3000)
        self.assertEqual(c["population_demand"], 3000)
        self.assertEqual(c["population_in_reach"], 3000)
        self.assertEqual(c["population_in_study_area"], 0)
        self.assertEqual(c["sites_with_demand"], 2)
        self.assertEqual(c["inputs"][0]["path"], str(self.context))
        # Conservation over all the demand: the study area's part and the context's.
        self.assertAlmostEqual(a["sum_population_x_index"], 1000 * CTX_A_P, places=6)
        self.assertAlmostEqual(c["sum_population_x_index"], 3000 * CTX_A_Q, places=6)
        self.assertAlmostEqual(a["sum_population_x_index_all_demand"], 3, places=6)
        self.assertEqual(a["supply_served"], 3)
        self.assertIn("context zones: 1 zones", r.stderr)
        self.assertIn("demand on 2 site(s)", r.stderr)

    def test_run_record(self):
        out = self.with_q[0]
        record = h.load_json(out / "access_run.json")
        self.assertEqual(record["command"], "access")
        files = record["inputs"]["context_zones"]
        self.assertEqual([f["path"] for f in files], [str(self.context)])
        self.assertEqual(files[0]["sha256"],
                         hashlib.sha256(self.context.read_bytes()).hexdigest())
        self.assertEqual(record["parameters"]["context_zones"], [str(self.context)])
        names = {o["name"] for o in record["outputs"]}
        self.assertIn("summary.json", names)

    def test_repeatable_and_config_file(self):
        # Q given twice: twice the people across the border (3000 + 3000).
        out, summary, z, s, r = run_access(self, *self.base, "--context-zones", self.context,
                                           "--context-zones", self.context)
        self.assertEqual(summary["access"]["context_zones"]["population"], 6000)
        self.assertAlmostEqual(s["A"]["demand"], 7000, places=4)
        # A config file key, relative to the file's folder.
        cfg = self.dir / "run.cfg"
        cfg.write_text("context-zones = context.geojson\n", encoding="utf-8")
        out, summary, z, s, r = run_access(self, *self.base, "--config", cfg)
        self.assertEqual(summary["access"]["context_zones"]["inputs"][0]["path"],
                         str(self.context))
        self.assertAlmostEqual(z["P"]["access"], 126.492537, places=5)

    def test_overlap_is_counted_and_warned(self):
        # The study zones as context zones: the study area wins, nothing is demand twice.
        squares = self.dir / "squares.geojson"
        write_zones(squares, BF_ZONES)
        sites = self.dir / "bf_sites.csv"
        write_sites(sites, BF_SITES)
        base = ("--zones", squares, "--sites", sites, "--grid-m", "1000")
        plain = run_access(self, *base)
        both = run_access(self, *base, "--context-zones", squares)
        c = both[1]["access"]["context_zones"]
        total = sum(zn[2] for zn in BF_ZONES)
        self.assertEqual(c["zones_overlapping_study_area"], len(BF_ZONES))
        self.assertEqual(c["zones_inside_study_area"], len(BF_ZONES))
        self.assertAlmostEqual(c["population_in_study_area"], total, places=6)
        self.assertEqual(c["population_demand"], 0)
        self.assertIn("overlap the study area", both[4].stderr)
        self.assertEqual({k: p["access"] for k, p in plain[2].items()},
                         {k: p["access"] for k, p in both[2].items()})

    def test_context_zones_crs(self):
        # Q in Lambert-93 in a GeoPackage layer without a CRS: --context-zones-crs gives it
        # (--zones-crs is for the study zones only).
        lambert = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
        path = self.dir / "q_l93.gpkg"
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
        layer = ds.CreateLayer("q", None, ogr.wkbPolygon)
        for name, kind in (("code", ogr.OFTString), ("nom", ogr.OFTString),
                           ("population", ogr.OFTReal)):
            layer.CreateField(ogr.FieldDefn(name, kind))
        ring = ogr.Geometry(ogr.wkbLinearRing)
        for lon, lat in ((4.9998, 45.0998), (5.0002, 45.0998), (5.0002, 45.1002),
                         (4.9998, 45.1002), (4.9998, 45.0998)):
            ring.AddPoint_2D(*lambert.transform(lon, lat))
        poly = ogr.Geometry(ogr.wkbPolygon)
        poly.AddGeometry(ring)
        f = ogr.Feature(layer.GetLayerDefn())
        f.SetField("code", "Q")
        f.SetField("nom", "Zone Q")
        f.SetField("population", 3000)
        f.SetGeometry(poly)
        layer.CreateFeature(f)
        ds = None
        r = h.run("access", *self.base, "--context-zones", path, "--out",
                  h.make_tempdir(self) / "out")
        self.assertEqual(r.returncode, 1, str(r))
        self.assertIn(str(path), r.stderr)
        self.assertIn("--context-zones-crs", r.stderr)
        out, summary, z, s, r = run_access(self, *self.base, "--context-zones", path,
                                           "--context-zones-crs", "EPSG:2154")
        self.assertEqual(summary["access"]["context_zones"]["inputs"][0]["crs"], "EPSG:2154")
        self.assertAlmostEqual(z["P"]["access"], 126.492537, places=5)

    def test_with_a_population_grid(self):
        # The study area's population from a raster, the context zones' spread evenly.
        squares = self.dir / "pg_squares.geojson"
        write_zones(squares, BF_ZONES[:3])
        neighbours = self.dir / "pg_context.geojson"
        write_zones(neighbours, [("N1", "99", 5000, 5.39, 45.00, 5.52, 45.09)])
        sites = self.dir / "pg_sites.csv"
        write_sites(sites, BF_SITES[:3])
        tif = self.dir / "pop.tif"
        ds = gdal.GetDriverByName("GTiff").Create(str(tif), 70, 40, 1, gdal.GDT_Float32)
        ds.SetGeoTransform((4.9, 0.01, 0, 45.3, 0, -0.01))
        ds.SetProjection("EPSG:4326")
        ds.GetRasterBand(1).Fill(10.0)
        ds = None
        out, summary, z, s, r = run_access(self, "--zones", squares, "--sites", sites,
                                           "--grid-m", "1000", "--population-grid", tif,
                                           "--context-zones", neighbours)
        c = summary["access"]["context_zones"]
        self.assertIn("population-grid", c["population_spread"])
        self.assertEqual(c["population_demand"], 5000)
        self.assertIn("--population-grid is for the study area", r.stderr)
        a = summary["access"]
        self.assertAlmostEqual(a["sum_population_x_index_all_demand"], a["supply_served"],
                               places=6)
        self.assertGreater(c["sum_population_x_index"], 0)

    def unchanged(self, args, code, *fragments):
        out = h.make_tempdir(self) / "out"
        out.mkdir()
        (out / "keep.txt").write_text("previous results\n")
        before = h.snapshot(out)
        r = h.run("access", *args, "--out", out, "--no-progress")
        self.assertEqual(r.returncode, code, str(r))
        for f in fragments:
            self.assertIn(f, r.stderr, str(r))
        self.assertEqual(h.snapshot(out), before)

    def test_bad_context_zones(self):
        missing = self.dir / "nowhere.geojson"
        self.unchanged((*self.base, "--context-zones", missing), 1, str(missing))
        no_pop = self.dir / "no_population.geojson"
        no_pop.write_text(self.context.read_text(encoding="utf-8").replace('"population"',
                                                                            '"habitants"'),
                          encoding="utf-8")
        self.unchanged((*self.base, "--context-zones", no_pop), 1, str(no_pop), "population")
        self.unchanged((*self.base, "--context-zones", self.context, "--no-context-zones"), 2,
                       "--no-context-zones")


if __name__ == "__main__":
    unittest.main()
