"""Every output layer opens in QGIS itself (PyQGIS, headless), valid, complete and styled.

Skipped, with the reason, where QGIS's Python bindings are not installed (scripts/test.sh
installs them, so CI runs this test).
"""
import json
import os
import subprocess
import sys
import unittest
from pathlib import Path

import helpers as h

PYTHON = "/usr/bin/python3"


@unittest.skipUnless(h.qgis_available(), "QGIS is not installed (apt-get install python3-qgis "
                                       "qgis-providers, or run scripts/test.sh)")
class TestQgis(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tmp = h.make_tempdir(cls)
        cls.geojson, cls.gpkg = tmp / "geojson", tmp / "gpkg"
        for out, fmt in ((cls.geojson, "geojson"), (cls.gpkg, "gpkg")):
            r = h.run("analyse", "--grid-m", 1000, "--format", fmt, "--qgis-project", "--catchments",
                      "--out", out, "--no-progress")
            if r.returncode != 0:
                raise AssertionError(f"analyse failed\n{r}")
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(tmp))
        cls.png = tmp / "qgis.png"
        p = subprocess.run([PYTHON, str(Path(__file__).with_name("qgis_probe.py")), str(cls.geojson),
                            str(cls.gpkg), str(cls.png)], capture_output=True, text=True, timeout=300,
                           env=env)
        if p.returncode != 0:
            raise AssertionError(f"the QGIS probe failed:\n{p.stdout}\n{p.stderr}")
        cls.seen = json.loads(p.stdout.strip().splitlines()[-1])
        cls.underserved = len(json.loads((cls.geojson / "underserved.geojson").read_text())["features"])
        cls.catchments = len(json.loads((cls.geojson / "catchments.geojson").read_text())["features"])

    def check_layers(self, fmt):
        seen = self.seen[fmt]
        expected = {"zones": (h.AURA_COMMUNES, "graduatedSymbol", "mean_km"),
                    "sites": (h.AURA_SPRO_SITES + h.AURA_BORDER_SITES, "categorizedSymbol",
                              "type"),
                    "underserved": (self.underserved, "categorizedSymbol", "'underserved'"),
                    "catchments": (self.catchments, "singleSymbol", None)}
        for name, (count, renderer, field) in expected.items():
            with self.subTest(layer=name):
                layer = seen[name]
                self.assertTrue(layer["valid"], layer)
                self.assertEqual(layer["features"], count)
                self.assertEqual(layer["crs"], "EPSG:4326")
                self.assertEqual(layer["renderer"], renderer, "the style was not applied")
                self.assertEqual(layer["field"], field)
        self.assertEqual(seen["zones"]["classes"], 6)
        self.assertEqual(seen["sites"]["classes"], 12)  # the 12 SPRO-type networks of the directory
        # The border sites (all outside the region, geodata/SOURCES.md) are hollow (white), the
        # regional ones filled with their network's colour.
        self.assertEqual(seen["sites"]["shapes"],
                         {"colour": h.AURA_SPRO_SITES, "white": h.AURA_BORDER_SITES})

    def test_geojson_layers(self):
        self.check_layers("geojson")

    def test_geopackage_layers(self):
        self.check_layers("gpkg")

    def check_project(self, key):
        project = self.seen[key]
        self.assertTrue(project["read"])
        self.assertEqual(project["crs"], "EPSG:3857")
        self.assertEqual(project["order"],
                         ["Sites", "Zones mal desservies (> 20 km)", "Aires de desserte",
                          "Départements", "Communes : distance moyenne",
                          "Distance au site le plus proche (km)"])
        expected = {"Sites": "categorizedSymbol",
                    "Zones mal desservies (> 20 km)": "categorizedSymbol",
                    "Aires de desserte": "singleSymbol", "Départements": "singleSymbol",
                    "Communes : distance moyenne": "graduatedSymbol",
                    "Distance au site le plus proche (km)": "singlebandpseudocolor"}
        for name, renderer in expected.items():
            with self.subTest(layer=name):
                self.assertTrue(project["layers"][name]["valid"])
                self.assertEqual(project["layers"][name]["renderer"], renderer)

    def test_project_with_geojson_layers(self):
        self.check_project("project_geojson")

    def test_project_with_geopackage_layers(self):
        self.check_project("project_gpkg")

    def test_project_renders_a_map(self):
        # The rendering is not blank: many distinct colours (classes, hatch, sites).
        from osgeo import gdal
        ds = gdal.Open(str(self.png))
        self.assertIsNotNone(ds, "no picture rendered")
        import numpy as np
        rgb = np.dstack([ds.GetRasterBand(b).ReadAsArray() for b in (1, 2, 3)]).reshape(-1, 3)
        colours = {tuple(c) for c in rgb[:: 97]}
        self.assertGreater(len(colours), 20)
        white = np.all(rgb == 255, axis=1).mean()
        self.assertLess(white, 0.6, "the map is mostly blank")
        if os.environ.get("MAILLAGE_QGIS_SCREENSHOT"):
            Path(os.environ["MAILLAGE_QGIS_SCREENSHOT"]).write_bytes(self.png.read_bytes())

    def test_distance_raster(self):
        raster = self.seen["raster"]
        self.assertTrue(raster["valid"])
        self.assertTrue(raster["crs_is_laea"])
        self.assertEqual(raster["renderer"], "singlebandpseudocolor")


if __name__ == "__main__":
    unittest.main()
