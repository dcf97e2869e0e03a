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


def qgis_available():
    try:
        r = subprocess.run([PYTHON, "-c", "import qgis.core"], capture_output=True, timeout=60,
                           env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
        return r.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@unittest.skipUnless(qgis_available(), "QGIS is not installed (apt-get install python3-qgis "
                                       "qgis-providers, or run scripts/test.sh)")
class TestQgis(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tmp = h.make_tempdir(cls)
        cls.geojson, cls.gpkg = tmp / "geojson", tmp / "gpkg"
        for out, fmt in ((cls.geojson, "geojson"), (cls.gpkg, "gpkg")):
            r = h.run("analyse", "--grid-m", 1000, "--format", fmt, "--out", out, "--no-progress")
            if r.returncode != 0:
                raise AssertionError(f"analyse failed\n{r}")
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(tmp))
        p = subprocess.run([PYTHON, str(Path(__file__).with_name("qgis_probe.py")), str(cls.geojson),
                            str(cls.gpkg)], capture_output=True, text=True, timeout=300, env=env)
        if p.returncode != 0:
            raise AssertionError(f"the QGIS probe failed:\n{p.stdout}\n{p.stderr}")
        cls.seen = json.loads(p.stdout.strip().splitlines()[-1])
        cls.underserved = len(json.loads((cls.geojson / "underserved.geojson").read_text())["features"])

    def check_layers(self, fmt):
        seen = self.seen[fmt]
        expected = {"zones": (h.AURA_COMMUNES, "graduatedSymbol", "mean_km"),
                    "sites": (h.AURA_SPRO_SITES, "categorizedSymbol", "type"),
                    "underserved": (self.underserved, "singleSymbol", None)}
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

    def test_geojson_layers(self):
        self.check_layers("geojson")

    def test_geopackage_layers(self):
        self.check_layers("gpkg")

    def test_distance_raster(self):
        raster = self.seen["raster"]
        self.assertTrue(raster["valid"])
        self.assertTrue(raster["crs_is_laea"])
        self.assertEqual(raster["renderer"], "singlebandpseudocolor")


if __name__ == "__main__":
    unittest.main()
