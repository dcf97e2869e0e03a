"""Loads maillage's outputs in QGIS (headless) and prints what QGIS sees, as JSON.

Run by test_qgis.py in a separate process: QGIS must be the only thing that process does, and its
teardown is skipped (os._exit) because PyQGIS can crash while freeing layers at exit.
Usage: qgis_probe.py GEOJSON_DIR GPKG_DIR [PNG]
Each folder holds a run made with --qgis-project; PNG, if given, receives a rendering of the
GeoJSON run's project (the picture of the README).
"""
import json
import os
import sys

from qgis.core import (QgsApplication, QgsExpression, QgsExpressionContext,
                       QgsExpressionContextUtils, QgsMapRendererSequentialJob, QgsMapSettings,
                       QgsProject, QgsRasterLayer, QgsRenderContext, QgsSymbolLayer,
                       QgsVectorLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()


def shapes(layer, renderer):
    """How many features QGIS fills white (hollow: the border sites) and in colour, by the
    data-defined fill colour of the first symbol, as the style sets it; None without one."""
    symbols = renderer.symbols(QgsRenderContext()) if renderer else []
    if not symbols:
        return None
    prop = symbols[0].symbolLayer(0).dataDefinedProperties().property(
        QgsSymbolLayer.PropertyFillColor)
    if not prop.isActive():
        return None
    expr = QgsExpression(prop.expressionString())
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    counts = {}
    for f in layer.getFeatures():
        context.setFeature(f)
        fill = "white" if expr.evaluate(context) == "255,255,255,255" else "colour"
        counts[fill] = counts.get(fill, 0) + 1
    return counts


def vector(uri, name):
    layer = QgsVectorLayer(uri, name, "ogr")
    renderer = layer.renderer() if layer.isValid() else None
    return {
        "shapes": shapes(layer, renderer) if layer.isValid() else None,
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
for name in ("zones", "sites", "underserved", "catchments"):
    out["geojson"][name] = vector(os.path.join(geojson_dir, name + ".geojson"), name)
    out["gpkg"][name] = vector(os.path.join(gpkg_dir, "maillage.gpkg") + "|layername=" + name, name)
raster = QgsRasterLayer(os.path.join(geojson_dir, "distance.tif"), "distance")
out["raster"] = {"valid": raster.isValid(),
                 "renderer": raster.renderer().type() if raster.isValid() else None,
                 "crs_is_laea": "+proj=laea" in raster.crs().toProj()}
def project(path, png=None):
    p = QgsProject.instance()
    p.clear()
    ok = p.read(path)
    root = p.layerTreeRoot()
    layers = root.layerOrder()
    seen = {
        "read": ok,
        "crs": p.crs().authid(),
        "order": [l.name() for l in layers],
        "layers": {l.name(): {"valid": l.isValid(),
                              "renderer": l.renderer().type() if l.renderer() else None}
                   for l in layers},
    }
    if png:
        settings = QgsMapSettings()
        settings.setLayers(layers)
        settings.setDestinationCrs(p.crs())
        settings.setOutputSize(QSize(1000, 760))
        settings.setBackgroundColor(QColor(255, 255, 255))
        zones = [l for l in layers if "zones" in l.source()][0]
        settings.setExtent(settings.layerExtentToOutputExtent(zones, zones.extent()))
        job = QgsMapRendererSequentialJob(settings)
        job.start()
        job.waitForFinished()
        job.renderedImage().save(png, "png")
        seen["png"] = png
    return seen


out["project_geojson"] = project(os.path.join(geojson_dir, "maillage.qgs"),
                                 sys.argv[3] if len(sys.argv) > 3 else None)
out["project_gpkg"] = project(os.path.join(gpkg_dir, "maillage.qgs"))
print(json.dumps(out))
sys.stdout.flush()
os._exit(0)
