"""Loads the what-if layers of a `maillage whatif` folder in QGIS (headless); prints what QGIS sees
of each, as JSON. Run by test_whatif.py in a separate process, like qgis_probe.py.
Usage: qgis_probe_whatif.py GEOJSON_DIR GPKG_DIR
"""
import json
import os
import sys

from qgis.core import QgsApplication, QgsVectorLayer

QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()

out = {}
for fmt, folder in (("geojson", sys.argv[1]), ("gpkg", sys.argv[2])):
    for name in ("whatif_zones", "whatif_sites"):
        uri = (os.path.join(folder, name + ".geojson") if fmt == "geojson"
               else os.path.join(folder, "maillage.gpkg") + "|layername=" + name)
        layer = QgsVectorLayer(uri, name, "ogr")
        r = layer.renderer() if layer.isValid() else None
        out[f"{fmt}:{name}"] = {
            "valid": layer.isValid(),
            "renderer": r.type() if r else None,
            "field": r.classAttribute() if r and hasattr(r, "classAttribute") else None,
            "classes": (len(r.ranges()) if r and hasattr(r, "ranges")
                        else len(r.categories()) if r and hasattr(r, "categories") else None),
        }
print(json.dumps(out))
sys.stdout.flush()
os._exit(0)  # PyQGIS can crash while freeing layers at exit
