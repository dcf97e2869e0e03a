"""Loads maillage's outputs in QGIS (headless) and prints what QGIS sees, as JSON.

Run by test_qgis.py in a separate process: QGIS must be the only thing that process does, and its
teardown is skipped (os._exit) because PyQGIS can crash while freeing layers at exit.
Usage: qgis_probe.py GEOJSON_DIR GPKG_DIR
"""
import json
import os
import sys

from qgis.core import QgsApplication, QgsRasterLayer, QgsVectorLayer

QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()


def vector(uri, name):
    layer = QgsVectorLayer(uri, name, "ogr")
    renderer = layer.renderer() if layer.isValid() else None
    return {
        "valid": layer.isValid(),
        "features": layer.featureCount() if layer.isValid() else None,
        "crs": layer.crs().authid(),
        "renderer": renderer.type() if renderer else None,
        "field": renderer.classAttribute() if renderer and hasattr(renderer, "classAttribute") else None,
        "classes": (len(renderer.ranges()) if renderer and hasattr(renderer, "ranges")
                    else len(renderer.categories()) if renderer and hasattr(renderer, "categories")
                    else None),
    }


geojson_dir, gpkg_dir = sys.argv[1], sys.argv[2]
out = {"geojson": {}, "gpkg": {}}
for name in ("zones", "sites", "underserved"):
    out["geojson"][name] = vector(os.path.join(geojson_dir, name + ".geojson"), name)
    out["gpkg"][name] = vector(os.path.join(gpkg_dir, "maillage.gpkg") + "|layername=" + name, name)
raster = QgsRasterLayer(os.path.join(geojson_dir, "distance.tif"), "distance")
out["raster"] = {"valid": raster.isValid(),
                 "renderer": raster.renderer().type() if raster.isValid() else None,
                 "crs_is_laea": "+proj=laea" in raster.crs().toProj()}
print(json.dumps(out))
sys.stdout.flush()
os._exit(0)
