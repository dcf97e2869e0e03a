"""The SYNTHETIC national data generator of the scale benchmark (scripts/bench/make_national.py),
run at a tiny size: deterministic, valid zones that tile the stated area and sum to the stated
population, sites inside the zones, and field names that `maillage analyse` reads by default.

Expected values are the generator's own parameters (the figures it promises), checked on its
files with OGR; nothing is taken from what the generator or maillage report.
"""
import csv
import subprocess
import sys
import unittest

from osgeo import ogr, osr

import helpers as h

GENERATOR = h.REPO / "scripts" / "bench" / "make_national.py"
ZONES, SITES, POPULATION, AREA_KM2, SEED = 150, 40, 250_000, 2_000.0, 11
# An equal-area projection of the test's own (not the generator's), for true areas.
LAEA = "+proj=laea +lat_0=46.5 +lon_0=2.5 +ellps=WGS84 +units=m +no_defs"


def generate(out, seed=SEED):
    subprocess.run([sys.executable, str(GENERATOR), str(out), "--zones", str(ZONES), "--sites",
                    str(SITES), "--population", str(POPULATION), "--area-km2", str(AREA_KM2),
                    "--seed", str(seed)], check=True, capture_output=True, timeout=120)


def read_zones(path):
    ds = ogr.Open(str(path))
    lyr = ds.GetLayer(0)
    names = [lyr.GetLayerDefn().GetFieldDefn(i).GetName()
             for i in range(lyr.GetLayerDefn().GetFieldCount())]
    zones = [(f.GetField("code"), f.GetField("departement"), f.GetField("population"),
              f.GetGeometryRef().Clone(), f.GetGeometryRef().ExportToWkb())
             for f in lyr]
    return names, lyr.GetLayerDefn().GetFieldDefn(names.index("population")).GetType(), zones


class TestMakeNational(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tmp = h.make_tempdir(cls)
        cls.a, cls.b = tmp / "a", tmp / "b"
        generate(cls.a)
        generate(cls.b)
        cls.names, cls.pop_type, cls.zones = read_zones(cls.a / "zones-synthetic.gpkg")

    def test_deterministic(self):
        self.assertEqual(h.snapshot(self.a), h.snapshot(self.b),
                         "two runs with the same seed wrote different files")

    def test_labelled_synthetic(self):
        self.assertIn("SYNTHETIC", (self.a / "README.txt").read_text())
        self.assertIn("SYNTHETIC", h.load_json(self.a / "manifest.json"))
        ds = ogr.Open(str(self.a / "zones-synthetic.gpkg"))  # kept: the layer belongs to it
        self.assertIn("SYNTHETIC", ds.GetLayer(0).GetMetadataItem("DESCRIPTION"))

    def test_zones_valid_and_sum_to_the_population(self):
        self.assertEqual(len(self.zones), ZONES)
        self.assertEqual(self.names, ["code", "nom", "departement", "population"])
        self.assertEqual(self.pop_type, ogr.OFTInteger64)
        self.assertEqual(len({z[0] for z in self.zones}), ZONES, "zone codes are not unique")
        invalid = [z[0] for z in self.zones if not z[3].IsValid() or z[3].IsEmpty()]
        self.assertEqual(invalid, [], "invalid or empty zones")
        self.assertTrue(all(z[2] >= 0 for z in self.zones))
        self.assertEqual(sum(z[2] for z in self.zones), POPULATION)
        # Skewed like a country: the largest zone far above the median.
        pops = sorted(z[2] for z in self.zones)
        self.assertGreater(pops[-1], 10 * pops[len(pops) // 2])

    def test_zones_tile_the_stated_area(self):
        wgs84, laea = osr.SpatialReference(), osr.SpatialReference()
        wgs84.ImportFromEPSG(4326)
        laea.ImportFromProj4(LAEA)
        for s in (wgs84, laea):
            s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        ct = osr.CoordinateTransformation(wgs84, laea)
        union = ogr.Geometry(ogr.wkbMultiPolygon)
        total = 0.0
        for z in self.zones:
            g = z[3].Clone()
            g.Transform(ct)
            total += g.GetArea()
            for i in range(g.GetGeometryCount()):
                union.AddGeometry(g.GetGeometryRef(i))
        merged = union.UnionCascaded()
        # No overlap: the union is as large as the sum; no gap: a single outline, no hole.
        self.assertAlmostEqual(merged.GetArea() / total, 1.0, delta=1e-6)
        self.assertAlmostEqual(total / 1e6, AREA_KM2, delta=AREA_KM2 * 1e-3)
        self.assertEqual(ogr.GT_Flatten(merged.GetGeometryType()), ogr.wkbPolygon)
        self.assertEqual(merged.GetGeometryCount(), 1, "the zones leave a hole")

    def test_sites_inside_zones(self):
        with open(self.a / "sites-synthetic.csv", encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(list(rows[0].keys()), ["id", "name", "type", "lon", "lat"])
        self.assertEqual(len(rows), SITES)
        self.assertEqual(len({r["id"] for r in rows}), SITES)
        outside = []
        for r in rows:
            pt = ogr.Geometry(ogr.wkbPoint)
            pt.AddPoint_2D(float(r["lon"]), float(r["lat"]))
            if not any(z[3].Intersects(pt) for z in self.zones):
                outside.append(r["id"])
        self.assertEqual(outside, [])

    def test_another_seed_gives_other_data(self):
        c = h.make_tempdir(self) / "c"
        generate(c, seed=SEED + 1)
        self.assertNotEqual(h.snapshot(self.a)["sites-synthetic.csv"],
                            h.snapshot(c)["sites-synthetic.csv"])

    def test_maillage_reads_it_with_its_default_field_names(self):
        out = h.make_tempdir(self) / "out"
        h.run_ok(self, "analyse", "--zones", self.a / "zones-synthetic.gpkg", "--sites",
                 self.a / "sites-synthetic.csv", "--grid-m", 1000, "--out", out, "--no-progress",
                 "--strict")
        s = h.load_json(out / "summary.json")
        self.assertEqual(s["zones_count"], ZONES)
        self.assertEqual(s["sites_count"], SITES)
        self.assertEqual(s["population_total"], POPULATION)
        self.assertEqual(s["inputs"]["zones"]["group_field"], "departement")
        self.assertEqual(sorted(g["group"] for g in s["by_group"]),
                         sorted({z[1] for z in self.zones}))


if __name__ == "__main__":
    unittest.main()
