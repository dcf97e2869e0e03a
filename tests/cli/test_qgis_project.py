"""maillage.qgs opened in QGIS itself (PyQGIS, headless): every layer valid, styled, in the
project, with aliases in the report's language, and a print layout that exports to PNG and PDF;
--out-crs writes the layers in another CRS (read back with GDAL's Python bindings).

Skipped, with the reason, where QGIS's Python bindings are not installed.
"""
import json
import os
import subprocess
import unittest
from pathlib import Path

import helpers as h

PYTHON = "/usr/bin/python3"
PROBE = Path(__file__).with_name("qgis_layout_probe.py")


def probe(project, png, pdf, runtime):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime))
    p = subprocess.run([PYTHON, str(PROBE), str(project), str(png), str(pdf)], capture_output=True,
                       text=True, timeout=600, env=env)
    if p.returncode != 0:
        raise AssertionError(f"the QGIS probe failed:\n{p.stdout}\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def ogr_layers(path):
    """name -> (feature count, CRS authority id, invalid geometries), read with GDAL."""
    from osgeo import ogr
    ds = ogr.Open(str(path))
    out = {}
    for i in range(ds.GetLayerCount()):
        layer = ds.GetLayer(i)
        if layer.GetGeomType() == ogr.wkbNone:
            continue
        srs = layer.GetSpatialRef()
        invalid = sum(1 for f in layer if f.GetGeometryRef() is not None
                      and not f.GetGeometryRef().IsValid())
        out[layer.GetName()] = (layer.GetFeatureCount(),
                                f"{srs.GetAuthorityName(None)}:{srs.GetAuthorityCode(None)}"
                                if srs else None, invalid)
    return out


@unittest.skipUnless(h.qgis_available(), "QGIS's Python bindings are not installed (apt-get install "
                                       "python3-qgis qgis-providers)")
class TestQgisProject(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tmp = h.make_tempdir(cls)
        runtime = tmp / "runtime"
        runtime.mkdir(mode=0o700)
        cls.runs = {"geojson": (tmp / "geojson", ["--catchments"]),
                    "gpkg": (tmp / "gpkg", ["--format", "gpkg", "--by-type"]),
                    "gpkg_2154": (tmp / "gpkg2154", ["--format", "gpkg", "--out-crs", "EPSG:2154",
                                                     "--lang", "en"])}
        cls.seen = {}
        for key, (out, extra) in cls.runs.items():
            r = h.run("analyse", "--grid-m", 1000, "--qgis-project", "--out", out, "--no-progress",
                      *extra)
            if r.returncode != 0:
                raise AssertionError(f"analyse {extra} failed\n{r}")
            cls.seen[key] = probe(out / "maillage.qgs", tmp / f"{key}.png", tmp / f"{key}.pdf",
                                  runtime)
        cls.tmp = tmp

    def layers(self, key):
        return {l["name"]: l for l in self.seen[key]["layers"]}

    def test_every_layer_valid_and_styled(self):
        for key in self.runs:
            for layer in self.seen[key]["layers"]:
                with self.subTest(run=key, layer=layer["name"]):
                    self.assertTrue(layer["valid"], layer)
                    # QGIS's default renderers: singleSymbol (vectors) and singlebandgray
                    # (rasters); a categorised, graduated or pseudocolour one comes from the
                    # style. The outlines (catchments, departments) are single symbols without
                    # fill: checked below.
                    self.assertNotEqual(layer["renderer"], "singlebandgray")
                    if layer["renderer"] == "singleSymbol":
                        self.assertRegex(layer["name"], "Aires de desserte|Départements|Departments")

    def test_every_output_is_in_the_project(self):
        # GeoJSON: every .geojson and .tif of the folder is a layer of the project.
        out = self.runs["geojson"][0]
        sources = {Path(l["source"].split("|")[0]).name for l in self.seen["geojson"]["layers"]}
        files = {p.name for p in out.iterdir() if p.suffix in (".geojson", ".tif")}
        self.assertEqual(files - sources, set())
        # GeoPackage: every vector table (GDAL) and raster table (the gpkg_contents) is a layer.
        from osgeo import gdal
        gpkg = self.runs["gpkg"][0] / "maillage.gpkg"
        vectors = set(ogr_layers(gpkg))
        ds = gdal.Open(str(gpkg))
        rasters = {s.split(":")[-1] for s, _ in ds.GetSubDatasets()} if ds.GetSubDatasets() else set()
        self.assertIn("distance", rasters)
        self.assertGreater(len(rasters), 5, "analyse --by-type writes one raster per type")
        in_project = set()
        for l in self.seen["gpkg"]["layers"]:
            src = l["source"]
            in_project.add(src.split("layername=")[1].split("|")[0] if "layername=" in src
                           else src.split(":")[-1])
        self.assertEqual((vectors | rasters) - in_project, set())

    def test_layer_order_and_visibility(self):
        names = [l["name"] for l in self.seen["geojson"]["layers"]]
        self.assertEqual(names[:5], ["Sites", "Zones mal desservies (> 20 km)", "Aires de desserte",
                                     "Départements", "Communes : distance moyenne"])
        visible = {l["name"]: l["visible"] for l in self.seen["gpkg"]["layers"]}
        rasters = [l["name"] for l in self.seen["gpkg"]["layers"] if l["kind"] == "raster"]
        self.assertEqual(len(rasters), 1 + 12)  # distance and one per network
        for name, on in visible.items():
            with self.subTest(layer=name):
                # The rasters lie under the opaque zones: off, one click away.
                self.assertEqual(on, name not in rasters)

    def test_legends_in_the_language(self):
        fr = self.layers("geojson")
        self.assertEqual(fr["Zones mal desservies (> 20 km)"]["labels"],
                         ["Zone mal desservie (> 20 km)"])
        self.assertEqual(fr["Communes : distance moyenne"]["labels"],
                         ["0 – 2,5 km", "2,5 – 5 km", "5 – 10 km", "10 – 15 km", "15 – 20 km",
                          "plus de 20 km"])
        en = self.layers("gpkg_2154")
        self.assertEqual(en["Underserved areas (> 20 km)"]["labels"],
                         ["Underserved area (> 20 km)"])
        self.assertEqual(en["Communes: mean distance"]["labels"][-1], "more than 20 km")
        # Networks in words, not codes: the largest (12 networks, geodata/SOURCES.md) first.
        site_labels = fr["Sites"]["labels"]
        self.assertEqual(len(site_labels), 12)
        self.assertNotIn("pole_emploi", site_labels)
        self.assertTrue(any("Pôle emploi" in l for l in en["Sites"]["labels"]))

    def test_aliases_for_every_field(self):
        for key, words in (("geojson", "Distance moyenne des habitants (km)"),
                           ("gpkg_2154", "Mean distance of the inhabitants (km)")):
            for layer in self.seen[key]["layers"]:
                if layer["kind"] != "vector":
                    continue
                with self.subTest(run=key, layer=layer["name"]):
                    missing = [f for f, a in layer["aliases"].items() if not a]
                    self.assertEqual(missing, [])
            zones = [l for l in self.seen[key]["layers"] if "mean_km" in l.get("fields", [])][0]
            self.assertEqual(zones["aliases"]["mean_km"], words)

    def test_departments_layer(self):
        from osgeo import ogr
        ds = ogr.Open(str(self.runs["geojson"][0] / "groups.geojson"))
        layer = ds.GetLayer(0)
        codes = {}
        zones = 0
        for f in layer:
            self.assertTrue(f.GetGeometryRef().IsValid(), f["code"])
            codes[f["code"]] = f["name"]
            zones += f["zones"]
        self.assertEqual(sorted(codes), h.AURA_DEPARTMENTS)
        self.assertEqual(codes["38"], "Isère")
        self.assertEqual(codes["63"], "Puy-de-Dôme")
        self.assertEqual(zones, h.AURA_COMMUNES)
        # The dissolved departments cover the communes: same area within 0.1 % (GDAL's own sums).
        zones_ds = ogr.Open(str(self.runs["geojson"][0] / "zones.geojson"))
        area_communes = sum(f.GetGeometryRef().GetArea() for f in zones_ds.GetLayer(0))
        layer.ResetReading()
        area_groups = sum(f.GetGeometryRef().GetArea() for f in layer)
        self.assertAlmostEqual(area_groups / area_communes, 1.0, delta=1e-3)

    def test_print_layout_exports(self):
        import numpy as np
        from osgeo import gdal
        for key in self.runs:
            layout = self.seen[key]["layout"]
            with self.subTest(run=key):
                self.assertIsNotNone(layout, "no print layout in maillage.qgs")
                self.assertEqual(layout["page_mm"], [297.0, 210.0])  # A4 landscape
                self.assertEqual(layout["items"], {"map": 1, "legend": 1, "label": 3,
                                                   "scalebar": 1, "picture": 1})
                self.assertTrue(layout["legend_linked"])
                self.assertTrue(layout["scalebar_linked"])
                self.assertTrue(layout["north_arrow_found"], layout["north_arrow"])
                self.assertGreaterEqual(layout["map_layers"], 4)
                self.assertEqual(layout["png"], layout["success"])
                self.assertEqual(layout["pdf"], layout["success"])
                ds = gdal.Open(str(self.tmp / f"{key}.png"))
                # 297 mm at 110 dpi
                self.assertEqual(ds.RasterXSize, round(297 / 25.4 * 110))
                rgb = np.dstack([ds.GetRasterBand(b).ReadAsArray() for b in (1, 2, 3)])
                self.assertGreater(float(rgb.std()), 30.0, "the exported page is nearly blank")
                colours = {tuple(c) for c in rgb.reshape(-1, 3)[::37]}
                self.assertGreater(len(colours), 50)
                pdf = (self.tmp / f"{key}.pdf").read_bytes()
                self.assertTrue(pdf.startswith(b"%PDF"))
                self.assertGreater(len(pdf), 50_000)
        title = self.seen["geojson"]["layout"]["labels"]
        self.assertIn("Distance des habitants au site le plus proche", title)
        self.assertTrue(any(t.startswith("Sources :") for t in title))
        self.assertEqual(self.seen["gpkg_2154"]["layout"]["legend_title"], "Legend")
        if os.environ.get("MAILLAGE_QGIS_LAYOUT_PNG"):
            Path(os.environ["MAILLAGE_QGIS_LAYOUT_PNG"]).write_bytes(
                (self.tmp / "geojson.png").read_bytes())

    def test_pdf_page_size(self):
        r = subprocess.run(["pdfinfo", str(self.tmp / "geojson.pdf")], capture_output=True,
                           text=True)
        if r.returncode != 0:
            self.skipTest("pdfinfo is not installed")
        size = [l for l in r.stdout.splitlines() if l.startswith("Page size")][0]
        # A4 landscape: 842 x 595 pt
        self.assertRegex(size, r"841\.\d+ x 595\.\d+ pts|842 x 595 pts")

    def test_out_crs(self):
        wgs = ogr_layers(self.runs["gpkg"][0] / "maillage.gpkg")
        lambert = ogr_layers(self.runs["gpkg_2154"][0] / "maillage.gpkg")
        self.assertEqual(set(wgs), set(lambert))
        for name, (count, crs, invalid) in lambert.items():
            with self.subTest(layer=name):
                self.assertEqual(crs, "EPSG:2154")
                self.assertEqual(count, wgs[name][0])
                self.assertEqual(invalid, 0)
                self.assertEqual(wgs[name][1], "EPSG:4326")
        # The project follows: its CRS and its vector layers' are Lambert-93.
        seen = self.seen["gpkg_2154"]
        self.assertEqual(seen["crs"], "EPSG:2154")
        for layer in seen["layers"]:
            if layer["kind"] == "vector":
                self.assertEqual(layer["crs"], "EPSG:2154", layer["name"])
        # Grenoble's sites: in Lambert-93, x about 913 km, y about 6458 km (IGN's coordinates
        # of Grenoble: 913 500 m, 6 458 000 m, within 15 km).
        from osgeo import ogr
        ds = ogr.Open(str(self.runs["gpkg_2154"][0] / "maillage.gpkg"))
        layer = ds.GetLayerByName("zones")
        layer.SetAttributeFilter("name = 'Grenoble'")
        f = layer.GetNextFeature()
        c = f.GetGeometryRef().Centroid()
        self.assertAlmostEqual(c.GetX(), 913_500, delta=15_000)
        self.assertAlmostEqual(c.GetY(), 6_458_000, delta=15_000)
        summary = json.loads((self.runs["gpkg_2154"][0] / "summary.json").read_text())
        self.assertEqual(summary["output_geometry"]["crs"], "EPSG:2154")

    def test_out_crs_refused_with_geojson(self):
        r = h.run("analyse", "--out-crs", "EPSG:2154", "--out", self.tmp / "refused")
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("RFC 7946", r.stderr)
        r = h.run("analyse", "--format", "gpkg", "--out-crs", "EPSG:0", "--out",
                  self.tmp / "refused")
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("--out-crs", r.stderr)

    def test_lang_checked(self):
        r = h.run("analyse", "--lang", "de", "--out", self.tmp / "refused")
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("--lang must be fr or en", r.stderr)


@unittest.skipUnless(h.qgis_available(), "QGIS's Python bindings are not installed (apt-get install "
                                       "python3-qgis qgis-providers)")
class TestQgisStylesOfOtherCommands(h.CliTestCase):
    """access and suggest: every layer and raster they write opens styled in QGIS."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tmp = h.make_tempdir(cls)
        runtime = tmp / "runtime"
        runtime.mkdir(mode=0o700)
        runs = {"access_en": ("access", tmp / "a", ["--lang", "en"]),
                "access_gpkg": ("access", tmp / "ag", ["--format", "gpkg"]),
                "suggest": ("suggest", tmp / "s", ["--add", 2]),
                "suggest_gpkg": ("suggest", tmp / "sg", ["--add", 2, "--format", "gpkg"])}
        for command, out, extra in runs.values():
            r = h.run(command, "--grid-m", 1000, "--out", out, "--no-progress", *extra)
            if r.returncode != 0:
                raise AssertionError(f"{command} {extra} failed\n{r}")
        cls.uris = {
            "access_zones": str(tmp / "a" / "access_zones.geojson"),
            "access_sites": str(tmp / "a" / "access_sites.geojson"),
            "access_tif": str(tmp / "a" / "access.tif"),
            "access_zones_gpkg": str(tmp / "ag" / "access.gpkg") + "|layername=access_zones",
            "access_sites_gpkg": str(tmp / "ag" / "access.gpkg") + "|layername=access_sites",
            "suggested": str(tmp / "s" / "suggested.geojson"),
            "suggested_gpkg": str(tmp / "sg" / "maillage.gpkg") + "|layername=suggested",
            "groups_gpkg": str(tmp / "sg" / "maillage.gpkg") + "|layername=groups",
        }
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime))
        p = subprocess.run([PYTHON, str(Path(__file__).with_name("qgis_layers_probe.py")),
                            *cls.uris.values()], capture_output=True, text=True, timeout=300,
                           env=env)
        if p.returncode != 0:
            raise AssertionError(f"the QGIS probe failed:\n{p.stdout}\n{p.stderr}")
        seen = json.loads(p.stdout.strip().splitlines()[-1])
        cls.seen = {k: seen[u] for k, u in cls.uris.items()}

    def test_styled(self):
        expected = {"access_zones": "graduatedSymbol", "access_sites": "categorizedSymbol",
                    "access_tif": "singlebandpseudocolor",
                    "access_zones_gpkg": "graduatedSymbol",
                    "access_sites_gpkg": "categorizedSymbol",
                    "suggested": "categorizedSymbol", "suggested_gpkg": "categorizedSymbol",
                    "groups_gpkg": "singleSymbol"}
        for key, renderer in expected.items():
            with self.subTest(layer=key):
                self.assertTrue(self.seen[key]["valid"])
                self.assertEqual(self.seen[key]["renderer"], renderer)

    def test_legends_and_aliases_in_the_language(self):
        self.assertEqual(self.seen["access_zones"]["labels"][0], "less than 0.5 × the mean")
        self.assertEqual(self.seen["access_zones_gpkg"]["labels"][0], "moins de 0,5 × la moyenne")
        self.assertTrue(self.seen["access_tif"]["labels"][-1].endswith("per 100,000 inh."))
        self.assertEqual(self.seen["suggested"]["labels"], ["Site proposé"])
        for key in ("access_zones", "access_sites", "access_zones_gpkg", "suggested",
                    "suggested_gpkg", "groups_gpkg"):
            with self.subTest(layer=key):
                missing = [f for f, a in self.seen[key]["aliases"].items() if not a]
                self.assertEqual(missing, [])


if __name__ == "__main__":
    unittest.main()
