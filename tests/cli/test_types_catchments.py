"""`maillage analyse --by-type --catchments` (issue 6, parts 1 and 2).

Expected values are independent of maillage: pyproj (GeographicLib) brute force over the sites
of each type from every zone's reference point, geodesic areas of the output polygons (pyproj),
OGR unions and point-in-polygon tests, and the population published with the data.
"""

import json
import re
import unittest

import numpy as np
from osgeo import ogr

import helpers as h


def catchments_of(out):
    return h.load_json(out / "catchments.geojson")["features"]


class RealDataTypesAndCatchments(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.o = h.analyse(cls, "--by-type", "--catchments", "--grid-m", "500", cwd=h.REPO)
        cls.catchments = catchments_of(cls.o.out)
        import csv
        # The sites of the run: the regional SPRO sites, then the border sites.
        with open(h.STRUCTURES_CSV, encoding="utf-8") as f:
            cls.rows = [r for r in csv.DictReader(f) if r["spro_core"].strip() == "1"]
        with open(h.BORDER_CSV, encoding="utf-8") as f:
            cls.regional = len(cls.rows)
            cls.rows += list(csv.DictReader(f))

    def sites_of_type(self, t):
        rows = [r for r in self.rows if r["type_service"] == t]
        return h.Sites([r["id"] for r in rows], np.array([float(r["lon"]) for r in rows]),
                       np.array([float(r["lat"]) for r in rows]))

    def test_every_type_is_reported_with_its_site_count(self):
        types = {}
        for r in self.rows:
            types[r["type_service"]] = types.get(r["type_service"], 0) + 1
        got = {t["type"]: t["sites"] for t in self.o.summary["by_type"]}
        self.assertEqual(got, types)

    def test_nearest_of_each_type_matches_brute_force(self):
        feats = list(self.o.zones.values())
        lon = [f["properties"]["ref_lon"] for f in feats]
        lat = [f["properties"]["ref_lat"] for f in feats]
        for t in ("cio", "mission_locale", "pole_emploi", "apecita"):
            sites = self.sites_of_type(t)
            expected = h.nearest_distance(lon, lat, sites)
            got = np.array([f["properties"]["nearest_km_" + t] * 1000.0 for f in feats])
            worst = float(np.max(np.abs(got - expected)))
            self.assertLess(worst, h.DIST_TOL_M, f"type {t}: worst zone off by {worst:.3f} m")
            # Never nearer than the overall nearest, and equal where the overall nearest is
            # of this type.
            overall = np.array([f["properties"]["nearest_km"] * 1000.0 for f in feats])
            self.assertTrue(np.all(got >= overall - h.DIST_TOL_M), t)

    def test_type_figures_are_consistent(self):
        total = h.AURA_POPULATION
        for t in self.o.summary["by_type"]:
            self.assertLessEqual(t["population_beyond"], total)
            self.assertLessEqual(t["p50_km"], t["p90_km"])
            self.assertLessEqual(t["p90_km"], t["max_km"])
            # The overall nearest is never farther than the nearest of one type.
            self.assertGreaterEqual(t["mean_km"] + 1e-4, self.o.summary["distance_km"]["mean"])
        # apecita has two sites (one in the region, one across its edge): its mean is a plain
        # population-weighted mean distance to the nearer, recomputed here from the zones
        # (reference points, 500 m cells: within 1 %).
        feats = list(self.o.zones.values())
        pop = np.array([f["properties"]["population"] for f in feats])
        lon = [f["properties"]["ref_lon"] for f in feats]
        lat = [f["properties"]["ref_lat"] for f in feats]
        d = h.nearest_distance(lon, lat, self.sites_of_type("apecita"))
        mean_km = float(np.sum(pop * np.asarray(d)) / np.sum(pop)) / 1000.0
        got = [t for t in self.o.summary["by_type"] if t["type"] == "apecita"][0]["mean_km"]
        self.assertAlmostEqual(got / mean_km, 1.0, delta=0.01)

    def test_one_raster_per_type(self):
        from osgeo import gdal
        for t in self.o.summary["by_type"]:
            ds = gdal.Open(str(self.o.out / f"distance_{t['key']}.tif"))
            band = ds.GetRasterBand(1)
            self.assertIn(t["type"], band.GetDescription())
            a = band.ReadAsArray()
            valid = a[a != band.GetNoDataValue()]
            # max_km is the farthest inhabitant; the raster has every cell, empty ones too (a
            # commune's whole persons spread over more cells than it has people leave some).
            self.assertGreaterEqual(float(valid.max()), t["max_km"] - 0.001 - 1e-6 * t["max_km"])
            self.assertLessEqual(float(valid.min()), t["p50_km"])

    def test_catchments_tile_the_study_area(self):
        zone_area = sum(h.geodesic_area_km2(f["geometry"]) for f in self.o.zones.values())
        catch_area = sum(h.geodesic_area_km2(f["geometry"]) for f in self.catchments)
        self.assertAlmostEqual(catch_area / zone_area, 1.0, delta=0.001)
        # No overlap: the union is as large as the sum; no gap: it covers the zones' union.
        def union(features):
            coll = ogr.Geometry(ogr.wkbMultiPolygon)
            for f in features:
                g = ogr.CreateGeometryFromJson(json.dumps(f["geometry"]))
                g = g if g.IsValid() else g.MakeValid()
                for k in range(g.GetGeometryCount()):
                    part = g.GetGeometryRef(k)
                    if part.GetGeometryType() in (ogr.wkbPolygon, ogr.wkbPolygon25D):
                        coll.AddGeometry(part)
                if g.GetGeometryType() == ogr.wkbPolygon:
                    coll.AddGeometry(g)
            return coll.UnionCascaded()
        cu = union(self.catchments)
        zu = union(self.o.zones.values())
        cu_area = h.geodesic_area_km2(json.loads(cu.ExportToJson()))
        self.assertAlmostEqual(cu_area / catch_area, 1.0, delta=0.001, msg="catchments overlap")
        gap = zu.Difference(cu)
        gap_area = h.geodesic_area_km2(json.loads(gap.ExportToJson())) if not gap.IsEmpty() else 0.0
        self.assertLess(gap_area / zone_area, 0.001, "catchments leave a gap")
        s = self.o.summary["catchments"]
        self.assertAlmostEqual(s["area_km2"] / zone_area, 1.0, delta=0.001)

    def test_catchment_population_sums_to_the_total(self):
        pop = sum(f["properties"]["population"] for f in self.catchments)
        self.assertEqual(round(pop), h.AURA_POPULATION)

    def test_points_in_a_catchment_are_nearest_to_its_site(self):
        # Random points: the catchment holding each names a site at most a few metres farther
        # than the true nearest (the polygons are planar bisectors in the equal-area plane).
        sites = h.default_sites()
        polys = [(f["properties"]["site_id"], ogr.CreateGeometryFromJson(json.dumps(f["geometry"])))
                 for f in self.catchments]
        env = np.array([g.GetEnvelope() for _, g in polys])
        rng = np.random.default_rng(5)
        zones = h.PolygonSet([ogr.CreateGeometryFromJson(json.dumps(f["geometry"]))
                              for f in self.o.zones.values()])
        lon, lat = h.sample_points(rng, 1500, zones.envelope(), zones.contains)
        d = h.distance_matrix(lon, lat, sites)
        index = sites.index()
        worst = 0.0
        found = 0
        for i in range(len(lon)):
            pt = ogr.Geometry(ogr.wkbPoint)
            pt.AddPoint_2D(float(lon[i]), float(lat[i]))
            cand = np.nonzero((env[:, 0] <= lon[i]) & (lon[i] <= env[:, 1]) &
                              (env[:, 2] <= lat[i]) & (lat[i] <= env[:, 3]))[0]
            for k in cand:
                sid, g = polys[int(k)]
                if g.Contains(pt):
                    worst = max(worst, d[i, index[sid]] - d[i].min())
                    found += 1
                    break
        self.assertGreater(found, 1450)
        self.assertLess(worst, 50.0, f"a point's catchment site is {worst:.1f} m farther than its nearest")
        self.assertLess(self.o.summary["catchments"]["max_extra_km"], 0.05)


    def test_report_has_a_section_per_network_and_for_the_catchments(self):
        """`maillage report` on this run: the networks ranked by mean distance with the site counts
        of the directory, and the catchments: sites with one (the distinct positions of the
        directory's sites), the ten most populated from the layer itself."""
        rep = h.make_tempdir(self) / "report"
        h.run_ok(self, "report", "--run", self.o.out, "--out", rep, "--lang", "en")
        md = (rep / "report.md").read_text(encoding="utf-8")
        figures = {}
        for line in (rep / "figures.csv").read_text(encoding="utf-8").splitlines()[1:]:
            key, group, value, _ = line.split(",", 3)
            figures[(key, group)] = float(value)
        by_type = md.split("## By network: the nearest site of each type")[1].split("\n## ")[0]
        rows = [r.split(" | ") for r in by_type.splitlines() if r.startswith("| ") and "---" not in r]
        # The page names the networks in words; its table keeps each row's code in data-code.
        page = (rep / "index.html").read_text(encoding="utf-8")
        table = page.split('<table id="by-type">')[1].split("</table>")[0]
        listed = re.findall(r'<td data-code="([^"]*)"', table)
        self.assertEqual(len(rows) - 1, len(listed), "report.md and index.html list the same networks")
        counts = {}
        for r in self.rows:
            counts[r["type_service"]] = counts.get(r["type_service"], 0) + 1
        self.assertEqual(sorted(listed), sorted(counts))
        for r in rows[1:]:  # in words (apec, cci, ... are codes, not labels)
            self.assertNotIn(r[0].lstrip("| "), counts, "a network named by its code")
        means = [figures[("type_mean_km", t)] for t in listed]
        self.assertEqual(means, sorted(means), "networks not ranked by mean distance")
        for t, n in counts.items():
            self.assertEqual(figures[("type_sites", t)], n, t)
        # Catchments: every distinct position of a regional site has one (the site's own place
        # is in the study area and nearest to it); a border site has one only where its
        # nearest-site area reaches across the edge. So the count lies between the two.
        regional = {(float(r["lon"]), float(r["lat"])) for r in self.rows[:self.regional]}
        positions = {(float(r["lon"]), float(r["lat"])) for r in self.rows}
        with_one = figures[("catchments_sites_with", "")]
        self.assertGreaterEqual(with_one, len(regional))
        self.assertLess(with_one, len(positions))
        self.assertEqual(with_one, sum(1 for f in self.catchments))
        self.assertIn(f"{int(with_one)} of {len(self.rows)}", md)
        top = sorted(self.catchments, key=lambda f: -f["properties"]["population"])[:10]
        for f in top:
            self.assertAlmostEqual(figures[("catchment_population", f["properties"]["site_id"])],
                                   f["properties"]["population"], places=3)
        section = md.split("### The most populated catchments")[1].split("###")[0]
        names = [r.split(" | ")[0].lstrip("| ") for r in section.splitlines()
                 if r.startswith("| ") and "---" not in r][1:]
        self.assertEqual(names, [f["properties"]["name"] or f["properties"]["site_id"] for f in top])
        html = (rep / "index.html").read_text(encoding="utf-8")
        self.assertIn('id="by-type"', html)
        self.assertIn('id="catchments-farthest"', html)


class SmallFixtureTypes(h.CliTestCase):
    """zones_small / sites_small: hand-checkable types (see tests/data/cli/README.md)."""

    def test_by_type_columns_and_catchments_on_small_fixture(self):
        o = h.analyse(self, "--sites", "sites_small.csv", "--zones", "zones_small.geojson",
                      "--by-type", "--catchments", "--grid-m", "100")
        types = {t["type"] for t in o.summary["by_type"]}
        self.assertTrue(types)
        sites = h.read_sites_csv(h.DATA / "sites_small.csv")
        with open(h.DATA / "sites_small.csv", encoding="utf-8") as f:
            import csv
            rows = list(csv.DictReader(f))
        type_field = "type_service" if "type_service" in rows[0] else "type"
        for t in o.summary["by_type"]:
            keep = [i for i, r in enumerate(rows) if r[type_field] == t["type"]]
            sub = h.Sites([sites.ids[i] for i in keep], sites.lon[keep], sites.lat[keep])
            for z in o.zones.values():
                p = z["properties"]
                exp = h.nearest_distance([p["ref_lon"]], [p["ref_lat"]], sub)[0]
                self.assertAlmostEqual(p["nearest_km_" + t["key"]] * 1000, exp, delta=h.DIST_TOL_M)
        c = catchments_of(o.out)
        self.assertEqual(round(sum(f["properties"]["population"] for f in c)), 41000)


if __name__ == "__main__":
    unittest.main()
