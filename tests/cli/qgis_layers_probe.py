"""Loads vector and raster layers in QGIS (headless) and prints what QGIS sees of each (valid,
renderer, legend labels, field aliases), as one JSON line. Run by test_qgis_project.py in a
separate process, like qgis_probe.py.
Usage: qgis_layers_probe.py URI... (a URI ending in .tif is a raster)
"""
import json
import os
import sys

from qgis.core import QgsApplication, QgsRasterLayer, QgsVectorLayer

QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()

out = {}
for uri in sys.argv[1:]:
    if uri.endswith(".tif") or uri.startswith("GPKG:"):
        layer = QgsRasterLayer(uri, "raster")
        r = layer.renderer() if layer.isValid() else None
        out[uri] = {"valid": layer.isValid(), "renderer": r.type() if r else None,
                    "labels": [l for l, _ in r.legendSymbologyItems()] if r else []}
        continue
    layer = QgsVectorLayer(uri, "vector", "ogr")
    r = layer.renderer() if layer.isValid() else None
    out[uri] = {
        "valid": layer.isValid(), "renderer": r.type() if r else None,
        "labels": [c.label() for c in r.categories()] if hasattr(r, "categories")
        else [x.label() for x in r.ranges()] if hasattr(r, "ranges") else [],
        "aliases": {f.name(): layer.attributeAlias(i) for i, f in enumerate(layer.fields())},
    }
print(json.dumps(out))
sys.stdout.flush()
os._exit(0)  # PyQGIS can crash while freeing layers at exit
