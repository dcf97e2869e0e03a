"""`maillage analyse` on the shipped Auvergne-Rhône-Alpes data (the default run).

The analysis runs once per class (setUpClass); the tests read its outputs. Expected values: the
figures published in geodata/SOURCES.md, the input files read with Python, and pyproj (GeographicLib)
geodesic distances by brute force over all 470 sites.
"""

import json
import unittest
from pathlib import Path
from collections import defaultdict

import numpy as np
from osgeo import gdal, ogr
from pyproj import CRS, Transformer

import helpers as h

gdal.UseExceptions()
ogr.UseExceptions()

THRESHOLD_KM = 20.0  # the default of --threshold-km


def communes():
    """The shipped communes, read with json: code -> (population, departement)."""
    doc = h.load_json(h.COMMUNES)
    return {f["properties"]["code"]: (f["properties"]["population"], f["properties"]["departement"])
            for f in doc["features"]}


class TestAnalyseReal(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = h.make_tempdir(cls)
        cls.out = cls.tmp / "out"
        cls.result = h.run("analyse", "--out", cls.out, "--no-progress", cwd=h.REPO, timeout=600)
        if cls.result.returncode != 0:
            raise AssertionError(f"the default analysis failed\n{cls.result}")
        cls.summary = h.load_json(cls.out / "summary.json")
        cls.zones = h.load_json(cls.out / "zones.geojson")["features"]
        cls.sites_out = h.load_json(cls.out / "sites.geojson")["features"]
        cls.underserved = h.load_json(cls.out / "underserved.geojson")["features"]
        cls.sites = h.default_sites()  # regional and border sites, read independently
        cls.site_index = cls.sites.index()
        ref_lon = np.array([z["properties"]["ref_lon"] for z in cls.zones])
        ref_lat = np.array([z["properties"]["ref_lat"] for z in cls.zones])
        cls.zone_dist = h.distance_matrix(ref_lon, ref_lat, cls.sites)  # (4025, 757) metres
        cls.communes = communes()
        cls._commune_polys = None

    @classmethod
    def commune_polys(cls):
        if cls._commune_polys is None:
            cls._commune_polys = h.PolygonSet.from_geojson(h.COMMUNES)
        return cls._commune_polys

    # --- run and files ------------------------------------------------------------------------

    def test_exit_code_files_and_quiet_stdout(self):
        self.assertEqual(self.result.returncode, 0)
        names = {p.name for p in self.out.iterdir()}
        self.assertEqual(names, {"zones.geojson", "sites.geojson", "underserved.geojson",
                                 "groups.geojson", "distance.tif", "summary.json", "run.json",
                                 "zones.qml", "sites.qml", "underserved.qml", "groups.qml",
                                 "distance.qml"})
        self.assertEqual(self.result.stdout, "", "stdout must carry no log")

    # --- populations ----------------------------------------------------------------------------

    def test_summary_population_and_counts(self):
        s = self.summary
        self.assertEqual(s["population_total"], h.AURA_POPULATION)
        self.assertEqual(s["zones_count"], h.AURA_COMMUNES)
        self.assertEqual(s["sites_count"], h.AURA_SPRO_SITES + h.AURA_BORDER_SITES)

    def test_border_sites_are_counted_per_file(self):
        # Every regional site lies in the region and every border site outside it
        # (geodata/SOURCES.md): the counts per file follow.
        layers = self.summary["site_layers"]
        self.assertEqual([(l["role"], Path(l["path"]).name, l["sites"], l["in_study_area"],
                           l["outside_study_area"]) for l in layers],
                         [("sites", h.STRUCTURES_CSV.name, h.AURA_SPRO_SITES, h.AURA_SPRO_SITES, 0),
                          ("border", h.BORDER_CSV.name, h.AURA_BORDER_SITES, 0,
                           h.AURA_BORDER_SITES)])
        self.assertEqual(self.summary["sites_outside_study_area"], h.AURA_BORDER_SITES)
        self.assertEqual([(h.REPO / p).resolve() for p in self.summary["parameters"]["border_sites"]],
                         [h.BORDER_CSV.resolve()])
        # The sites layer marks them, and names their file.
        regional = set(h.spro_sites().ids)
        wrong = [f["properties"]["site_id"] for f in self.sites_out
                 if f["properties"]["in_study_area"] != (f["properties"]["site_id"] in regional)
                 or f["properties"]["source"] != (h.STRUCTURES_CSV.name
                                                  if f["properties"]["site_id"] in regional
                                                  else h.BORDER_CSV.name)]
        self.assertEqual(wrong, [])
        # Declared border sites outside the study area are no news: no per-site warning.
        self.assertNotIn("lies outside every zone", self.result.stderr)
        self.assertIn(f"{h.AURA_BORDER_SITES} border site(s), {h.AURA_BORDER_SITES} outside the "
                      "study area", self.result.stderr)

    def test_zones_layer_population(self):
        self.assertEqual(len(self.zones), h.AURA_COMMUNES)
        pops = [z["properties"]["population"] for z in self.zones]
        self.assertEqual(sum(pops), h.AURA_POPULATION)
        by_id = {z["properties"]["zone_id"]: z["properties"] for z in self.zones}
        self.assertEqual(set(by_id), set(self.communes))
        wrong = [(c, by_id[c]["population"], p) for c, (p, _) in self.communes.items()
                 if by_id[c]["population"] != p]
        self.assertEqual(wrong, [], "zones whose population differs from the input")
        wrong_group = [c for c, (_, d) in self.communes.items() if by_id[c]["group_code"] != d]
        self.assertEqual(wrong_group, [])

    def test_sites_layer(self):
        self.assertEqual(len(self.sites_out), h.AURA_SPRO_SITES + h.AURA_BORDER_SITES)
        ids = [f["properties"]["site_id"] for f in self.sites_out]
        self.assertEqual(sorted(ids), sorted(self.sites.ids))
        errors = []
        for f in self.sites_out:
            i = self.site_index[f["properties"]["site_id"]]
            lon, lat = f["geometry"]["coordinates"]
            if abs(lon - self.sites.lon[i]) > 1e-7 or abs(lat - self.sites.lat[i]) > 1e-7:
                errors.append(f"{ids[i]}: ({lon}, {lat}) vs CSV ({self.sites.lon[i]}, {self.sites.lat[i]})")
        h.assert_no_errors(self, errors, "sites moved")

    def test_catchment_population_sums_to_total(self):
        total = sum(f["properties"]["catchment_population"] for f in self.sites_out)
        self.assertAlmostEqual(total, h.AURA_POPULATION, delta=1e-6)

    def test_sites_nearest_other_brute_force(self):
        d = h.distance_matrix(self.sites.lon, self.sites.lat, self.sites)
        np.fill_diagonal(d, np.inf)
        errors = []
        for f in self.sites_out:
            p = f["properties"]
            expected = d[self.site_index[p["site_id"]]].min()
            if abs(p["nearest_other_km"] * 1000 - expected) > h.DIST_TOL_M:
                errors.append(f"{p['site_id']}: nearest_other_km {p['nearest_other_km']}, "
                              f"brute force {expected / 1000:.4f}")
        h.assert_no_errors(self, errors, "wrong nearest_other_km")

    # --- nearest site of every zone ---------------------------------------------------------------

    def test_zone_nearest_site_brute_force(self):
        errors = []
        for i, z in enumerate(self.zones):
            p = z["properties"]
            errors += h.nearest_errors(p["zone_id"], self.zone_dist[i], self.site_index,
                                       p["nearest_site_id"], p["nearest_km"])
        h.assert_no_errors(self, errors, "zones with a wrong nearest site")

    def test_zone_reference_point_inside_zone(self):
        outside = []
        for i, z in enumerate(self.zones):
            p = z["properties"]
            pt = ogr.Geometry(ogr.wkbPoint)
            pt.AddPoint_2D(p["ref_lon"], p["ref_lat"])
            g = ogr.CreateGeometryFromJson(json.dumps(z["geometry"]))
            # 1e-6 degree (0.1 m) of slack: the reference point is rounded to 7 decimals.
            if not g.Contains(pt) and g.Distance(pt) > 1e-6:
                outside.append(p["zone_id"])
        self.assertEqual(outside, [], "reference points outside their zone")

    def test_sites_within_threshold_brute_force(self):
        t = THRESHOLD_KM * 1000
        errors = []
        for i, z in enumerate(self.zones):
            p = z["properties"]
            lo = int(np.sum(self.zone_dist[i] <= t - 0.05))
            hi = int(np.sum(self.zone_dist[i] <= t + 0.05))
            if not lo <= p["sites_within"] <= hi:
                errors.append(f"{p['zone_id']}: sites_within {p['sites_within']}, brute force {lo}")
        h.assert_no_errors(self, errors, "wrong sites_within")

    def test_underserved_flag_matches_nearest_km(self):
        flagged = [z["properties"] for z in self.zones if z["properties"]["underserved"] is True]
        self.assertGreater(len(flagged), 0)
        self.assertEqual([p["zone_id"] for p in flagged if not p["nearest_km"] > THRESHOLD_KM], [])
        # The converse, from the brute-force distance of each reference point.
        far = {z["properties"]["zone_id"] for i, z in enumerate(self.zones)
               if self.zone_dist[i].min() > THRESHOLD_KM * 1000 + 1}
        self.assertLessEqual(far, {p["zone_id"] for p in flagged})

    # --- RFC 7946 ---------------------------------------------------------------------------------

    def test_geojson_outputs_follow_rfc7946(self):
        for name in ("zones.geojson", "sites.geojson", "underserved.geojson"):
            with self.subTest(file=name):
                h.assert_no_errors(self, h.rfc7946_errors(self.out / name), "RFC 7946 problems")

    # --- summary.json ------------------------------------------------------------------------------

    def test_summary_keys(self):
        s = self.summary
        for key in ("version", "parameters", "inputs", "population_total", "population_beyond",
                    "share_beyond", "distance_km", "coverage_curve", "by_group"):
            self.assertIn(key, s)
        self.assertEqual(s["parameters"]["threshold_km"], THRESHOLD_KM)
        self.assertEqual(s["parameters"]["grid_m"], 200)
        self.assertEqual(s["parameters"]["site_filter"], "spro_core = 1")
        d = s["distance_km"]
        for key in ("mean", "p50", "p90", "p99", "max"):
            self.assertIn(key, d)
        self.assertTrue(0 < d["p50"] <= d["p90"] <= d["p99"] <= d["max"], d)
        self.assertTrue(0 < d["mean"] <= d["max"], d)
        self.assertTrue(0 <= s["share_beyond"] <= 1)
        self.assertAlmostEqual(s["share_beyond"], s["population_beyond"] / s["population_total"], places=6)

    def test_summary_population_beyond_consistent_with_layers(self):
        s = self.summary
        from_zones = sum(z["properties"]["pop_beyond"] for z in self.zones)
        self.assertAlmostEqual(from_zones, s["population_beyond"], delta=0.01)
        from_parts = sum(f["properties"]["population"] for f in self.underserved)
        self.assertAlmostEqual(from_parts, s["population_beyond"], delta=0.01)
        # The curve at the threshold is the share within it.
        at_threshold = s["coverage_curve"][int(THRESHOLD_KM) - 1]
        self.assertEqual(at_threshold["km"], THRESHOLD_KM)
        self.assertAlmostEqual(at_threshold["share"], 1 - s["share_beyond"], delta=2e-6)

    def test_headline_figures_near_a_reference_point_estimate(self):
        # Independent rough estimate: each commune's population at its reference point, with the
        # brute-force distance from there. Inhabitants spread over the commune are a little
        # farther on average, so the tolerances are loose; unit or weighting errors are not.
        pop = np.array([self.communes[z["properties"]["zone_id"]][0] for z in self.zones], dtype=float)
        d_km = self.zone_dist.min(axis=1) / 1000
        mean = float((pop * d_km).sum() / pop.sum())
        order = np.argsort(d_km)
        cum = np.cumsum(pop[order]) / pop.sum()
        p90 = float(d_km[order][np.searchsorted(cum, 0.9)])
        beyond = float(pop[d_km > THRESHOLD_KM].sum() / pop.sum())
        s = self.summary
        self.assertAlmostEqual(s["distance_km"]["mean"], mean, delta=0.15 * mean)
        self.assertAlmostEqual(s["distance_km"]["p90"], p90, delta=0.10 * p90)
        self.assertAlmostEqual(s["share_beyond"], beyond, delta=0.15 * beyond)
        # And the zone means, weighted by population, make the overall mean.
        zone_mean = sum(z["properties"]["mean_km"] * z["properties"]["population"] for z in self.zones)
        self.assertAlmostEqual(zone_mean / h.AURA_POPULATION, s["distance_km"]["mean"], delta=1e-3)

    def test_distance_max_is_the_farthest_zone_cell(self):
        # The farthest inhabitant is in some zone's cell: no farther than the largest zone
        # max_km (over every cell, inhabited or not: a commune of 285 persons spread in whole
        # persons over more cells leaves some empty, e.g. Bonneval-sur-Arc), and no nearer than
        # any zone's population-weighted mean.
        zones = [z["properties"] for z in self.zones if z["properties"]["population"] > 0]
        top = self.summary["distance_km"]["max"]
        self.assertLessEqual(top, max(z["max_km"] for z in zones) + 1e-4)
        self.assertGreaterEqual(top, max(z["mean_km"] for z in zones) - 1e-4)

    def test_coverage_curve(self):
        curve = self.summary["coverage_curve"]
        self.assertEqual(len(curve), 50)
        self.assertEqual([c["km"] for c in curve], list(range(1, 51)))
        shares = [c["share"] for c in curve]
        self.assertTrue(all(0 <= x <= 1 for x in shares), shares)
        self.assertEqual([(i + 1, a, b) for i, (a, b) in enumerate(zip(shares, shares[1:])) if b < a], [],
                         "coverage curve decreases")
        # The quantiles sit where the curve crosses 50 % and 90 %.
        d = self.summary["distance_km"]
        for q, share in (("p50", 0.5), ("p90", 0.9)):
            below, above = int(np.floor(d[q])), int(np.ceil(d[q]))
            self.assertLessEqual(shares[below - 1], share + 1e-6, q)
            self.assertGreaterEqual(shares[above - 1], share - 1e-6, q)

    def test_by_group_departments(self):
        groups = self.summary["by_group"]
        self.assertEqual(sorted(g["group"] for g in groups), h.AURA_DEPARTMENTS)
        self.assertEqual(sum(g["population"] for g in groups), h.AURA_POPULATION)
        expected = defaultdict(int)
        zones = defaultdict(int)
        for pop, dep in self.communes.values():
            expected[dep] += pop
            zones[dep] += 1
        for g in groups:
            with self.subTest(group=g["group"]):
                self.assertEqual(g["population"], expected[g["group"]])
                self.assertEqual(g["zones"], zones[g["group"]])
        # Only the sites inside the region belong to a department; the border sites to none.
        self.assertEqual(sum(g["sites"] for g in groups), h.AURA_SPRO_SITES)

    def test_inputs_report(self):
        inputs = self.summary["inputs"]
        self.assertEqual(inputs["zones"]["features"], h.AURA_COMMUNES)
        self.assertEqual(inputs["zones"]["used"], h.AURA_COMMUNES)
        self.assertEqual(inputs["zones"]["skipped_count"], 0)
        self.assertEqual(inputs["sites"]["features"], h.AURA_SPRO_SITES)
        self.assertEqual(inputs["sites"]["used"], h.AURA_SPRO_SITES)
        self.assertEqual([(l["role"], l["used"]) for l in inputs["site_layers"]],
                         [("sites", h.AURA_SPRO_SITES), ("border", h.AURA_BORDER_SITES)])
        self.assertEqual(inputs["zones"]["group_field"], "departement")

    def test_repaired_zones_are_the_invalid_communes(self):
        zones = self.summary["inputs"]["zones"]
        self.assertEqual(zones["repaired_count"], h.AURA_INVALID_COMMUNES)
        self.assertEqual(len(zones["repaired"]), h.AURA_INVALID_COMMUNES)
        # Independent validity check with OGR/GEOS on the input file.
        invalid = set()
        ds = ogr.Open(str(h.COMMUNES))
        for f in ds.GetLayer(0):
            if not f.GetGeometryRef().IsValid():
                invalid.add(f.GetField("code"))
        self.assertEqual(len(invalid), h.AURA_INVALID_COMMUNES)
        named = {c for c in invalid if any(c in r["where"] for r in zones["repaired"])}
        self.assertEqual(named, invalid, "repaired list does not name the invalid communes")

    # --- distance raster ---------------------------------------------------------------------------

    def test_distance_raster(self):
        ds = gdal.Open(str(self.out / "distance.tif"))
        band = ds.GetRasterBand(1)
        nodata = band.GetNoDataValue()
        self.assertIsNotNone(nodata, "no nodata value")
        a = band.ReadAsArray().astype(np.float64)
        valid = a != nodata
        self.assertTrue((~valid).any(), "no nodata cell outside the communes")
        self.assertTrue(valid.any())
        self.assertGreaterEqual(a[valid].min(), 0.0)
        self.assertLessEqual(a[valid].max(), self.summary["distance_km"]["max"] + 0.5)

        # Values: brute force at the centre of 300 random cells; centres inside a commune.
        gt = ds.GetGeoTransform()
        to_ll = Transformer.from_crs(CRS.from_wkt(ds.GetProjection()), "EPSG:4326", always_xy=True)
        rng = np.random.default_rng(20261129)
        rows, cols = np.nonzero(valid)
        pick = rng.choice(len(rows), 300, replace=False)
        x = gt[0] + (cols[pick] + 0.5) * gt[1]
        y = gt[3] + (rows[pick] + 0.5) * gt[5]
        lon, lat = to_ll.transform(x, y)
        expected = h.nearest_distance(lon, lat, self.sites)
        got = a[rows[pick], cols[pick]] * 1000
        bad = np.nonzero(np.abs(got - expected) > h.DIST_TOL_M)[0]
        self.assertEqual(len(bad), 0, f"cells off: got {got[bad][:5]} m, brute force {expected[bad][:5]} m")
        polys = self.commune_polys()
        self.assertEqual([i for i in range(300) if not polys.contains(lon[i], lat[i])], [],
                         "valued cells whose centre is in no commune")
        # Nodata cells: centre in no commune.
        nrows, ncols = np.nonzero(~valid)
        pick = rng.choice(len(nrows), 300, replace=False)
        lon, lat = to_ll.transform(gt[0] + (ncols[pick] + 0.5) * gt[1], gt[3] + (nrows[pick] + 0.5) * gt[5])
        self.assertEqual([i for i in range(300) if polys.contains(lon[i], lat[i])], [],
                         "nodata cells whose centre is in a commune")

    # --- underserved zones -----------------------------------------------------------------------

    def test_underserved_parts_are_far_from_every_site(self):
        parts = h.PolygonSet([ogr.CreateGeometryFromJson(json.dumps(f["geometry"])) for f in self.underserved])
        self.assertGreater(len(parts.geoms), 0)
        rng = np.random.default_rng(7)
        lon, lat = h.sample_points(rng, 300, parts.envelope(), parts.contains)
        self.assertEqual(len(lon), 300)
        d = h.nearest_distance(lon, lat, self.sites)
        bad = np.nonzero(d <= (THRESHOLD_KM - 0.05) * 1000)[0]
        self.assertEqual(len(bad), 0, "points of underserved parts near a site: " +
                         ", ".join(f"({lon[i]:.5f}, {lat[i]:.5f}) {d[i]:.0f} m" for i in bad[:5]))

    def test_served_places_are_near_a_site(self):
        parts = h.PolygonSet([ogr.CreateGeometryFromJson(json.dumps(f["geometry"])) for f in self.underserved])
        communes = self.commune_polys()
        rng = np.random.default_rng(11)
        lon, lat = h.sample_points(rng, 300, communes.envelope(),
                                   lambda x, y: communes.contains(x, y) and not parts.contains(x, y))
        self.assertEqual(len(lon), 300)
        d = h.nearest_distance(lon, lat, self.sites)
        bad = np.nonzero(d >= (THRESHOLD_KM + 0.05) * 1000)[0]
        self.assertEqual(len(bad), 0, "points outside the underserved parts far from every site: " +
                         ", ".join(f"({lon[i]:.5f}, {lat[i]:.5f}) {d[i]:.0f} m" for i in bad[:5]))

    def test_underserved_attributes(self):
        s = self.summary["underserved"]
        self.assertEqual(s["parts"], len(self.underserved))
        area = 0.0
        for f in self.underserved:
            p = f["properties"]
            geodesic = h.geodesic_area_km2(f["geometry"])
            area += geodesic
            self.assertAlmostEqual(p["area_km2"], geodesic, delta=max(0.01, 0.005 * geodesic),
                                   msg=f"part {p['part']}")
            # Every part, with or without a cell centre, reaches beyond the threshold.
            self.assertGreater(p["max_km"], THRESHOLD_KM, msg=f"part {p['part']}")
        self.assertAlmostEqual(s["area_km2"], area, delta=0.005 * area)


class TestAnalyseRealGpkg(h.CliTestCase):
    """--format gpkg: one maillage.gpkg with the three layers and the raster."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = h.make_tempdir(cls)
        cls.out = cls.tmp / "gpkg"
        cls.result = h.run("analyse", "--out", cls.out, "--format", "gpkg", "--no-progress",
                           cwd=h.REPO, timeout=600)
        if cls.result.returncode != 0:
            raise AssertionError(f"the gpkg analysis failed\n{cls.result}")

    def test_files(self):
        self.assertEqual({p.name for p in self.out.iterdir()},
                         {"maillage.gpkg", "summary.json", "run.json"})
        ds = ogr.Open(str(self.out / "maillage.gpkg"))
        styles = ds.GetLayerByName("layer_styles")
        self.assertIsNotNone(styles, "the GeoPackage carries QGIS styles")
        self.assertEqual(sorted(f.GetField("f_table_name") for f in styles),
                         ["groups", "sites", "underserved", "zones"])

    def test_layers(self):
        ds = ogr.Open(str(self.out / "maillage.gpkg"))
        layers = {ds.GetLayer(i).GetName(): ds.GetLayer(i) for i in range(ds.GetLayerCount())}
        self.assertLessEqual({"zones", "sites", "underserved"}, set(layers))
        self.assertEqual(layers["zones"].GetFeatureCount(), h.AURA_COMMUNES)
        self.assertEqual(layers["sites"].GetFeatureCount(),
                         h.AURA_SPRO_SITES + h.AURA_BORDER_SITES)
        self.assertGreater(layers["underserved"].GetFeatureCount(), 0)
        for name in ("zones", "sites", "underserved"):
            srs = layers[name].GetSpatialRef()
            self.assertIsNotNone(srs, name)
            self.assertEqual(srs.GetAuthorityCode(None), "4326", name)
        pop = sum(f.GetField("population") for f in layers["zones"])
        self.assertEqual(pop, h.AURA_POPULATION)
        catch = sum(f.GetField("catchment_population") for f in layers["sites"])
        self.assertAlmostEqual(catch, h.AURA_POPULATION, delta=1e-6)

    def test_zones_nearest_brute_force(self):
        ds = ogr.Open(str(self.out / "maillage.gpkg"))
        feats = [(f.GetField("zone_id"), f.GetField("ref_lon"), f.GetField("ref_lat"),
                  f.GetField("nearest_site_id"), f.GetField("nearest_km")) for f in ds.GetLayer("zones")]
        sites = h.default_sites()
        d = h.distance_matrix([f[1] for f in feats], [f[2] for f in feats], sites)
        index = sites.index()
        errors = []
        for i, (zid, _, _, sid, km) in enumerate(feats):
            errors += h.nearest_errors(zid, d[i], index, sid, km)
        h.assert_no_errors(self, errors, "zones with a wrong nearest site")

    def test_raster_in_gpkg(self):
        ds = gdal.Open(f"GPKG:{self.out / 'maillage.gpkg'}:distance")
        self.assertIsNotNone(ds)
        self.assertGreater(ds.RasterXSize * ds.RasterYSize, 0)

    def test_summary(self):
        s = h.load_json(self.out / "summary.json")
        self.assertEqual(s["population_total"], h.AURA_POPULATION)
        self.assertEqual(s["parameters"]["format"], "gpkg")


if __name__ == "__main__":
    unittest.main()
