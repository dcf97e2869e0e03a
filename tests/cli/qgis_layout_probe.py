"""Opens a run's maillage.qgs in QGIS (headless), says what QGIS sees, and exports its print
layout to PNG and PDF. Prints one JSON line.

Run by test_qgis_project.py in a separate process: QGIS must be the only thing that process does,
and its teardown is skipped (os._exit) because PyQGIS can crash while freeing layers at exit.
Usage: qgis_layout_probe.py PROJECT.qgs PNG PDF
"""
import json
import os
import sys

from qgis.core import (QgsApplication, QgsLayoutExporter, QgsLayoutItemLabel, QgsLayoutItemLegend,
                       QgsLayoutItemMap, QgsLayoutItemPicture, QgsLayoutItemScaleBar, QgsProject,
                       QgsRasterLayer, QgsVectorLayer)

QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()

project_path, png, pdf = sys.argv[1:4]
p = QgsProject.instance()
out = {"read": p.read(project_path), "crs": p.crs().authid(), "layers": [], "layout": None}
root = p.layerTreeRoot()
for layer in root.layerOrder():
    node = root.findLayer(layer.id())
    seen = {"name": layer.name(), "valid": layer.isValid(), "source": layer.source(),
            "provider": layer.providerType(), "crs": layer.crs().authid(),
            "visible": node.isVisible() if node else None}
    if isinstance(layer, QgsVectorLayer):
        renderer = layer.renderer()
        seen.update({
            "kind": "vector", "features": layer.featureCount(),
            "renderer": renderer.type() if renderer else None,
            "labels": [c.label() for c in renderer.categories()] if hasattr(renderer, "categories")
            else [r.label() for r in renderer.ranges()] if hasattr(renderer, "ranges") else [],
            "fields": [f.name() for f in layer.fields()],
            "aliases": {f.name(): layer.attributeAlias(i) for i, f in enumerate(layer.fields())},
            "labels_enabled": layer.labelsEnabled(),
        })
    elif isinstance(layer, QgsRasterLayer):
        renderer = layer.renderer()
        seen.update({"kind": "raster", "renderer": renderer.type() if renderer else None,
                     "legend": [l for l, _ in renderer.legendSymbologyItems()] if renderer else []})
    out["layers"].append(seen)

layouts = p.layoutManager().printLayouts()
if layouts:
    layout = layouts[0]
    items = layout.items()
    kinds = {"map": QgsLayoutItemMap, "legend": QgsLayoutItemLegend, "label": QgsLayoutItemLabel,
             "scalebar": QgsLayoutItemScaleBar, "picture": QgsLayoutItemPicture}
    counts = {k: sum(isinstance(i, c) for i in items) for k, c in kinds.items()}
    page = layout.pageCollection().page(0)
    size = page.pageSize()
    maps = [i for i in items if isinstance(i, QgsLayoutItemMap)]
    legend = [i for i in items if isinstance(i, QgsLayoutItemLegend)]
    scalebar = [i for i in items if isinstance(i, QgsLayoutItemScaleBar)]
    picture = [i for i in items if isinstance(i, QgsLayoutItemPicture)]
    exporter = QgsLayoutExporter(layout)
    png_settings = QgsLayoutExporter.ImageExportSettings()
    png_settings.dpi = 110
    out["layout"] = {
        "name": layout.name(), "pages": layout.pageCollection().pageCount(),
        "page_mm": [size.width(), size.height()], "items": counts,
        "labels": [i.text() for i in items if isinstance(i, QgsLayoutItemLabel)],
        "map_layers": len(maps[0].layersToRender()) if maps else 0,
        "map_scale": maps[0].scale() if maps else None,
        "legend_linked": bool(legend and legend[0].linkedMap() is maps[0]),
        "legend_title": legend[0].title() if legend else None,
        "scalebar_linked": bool(scalebar and scalebar[0].linkedMap() is maps[0]),
        "north_arrow": picture[0].evaluatedPath() if picture else None,
        "north_arrow_found": bool(picture and os.path.exists(picture[0].evaluatedPath())),
        "png": exporter.exportToImage(png, png_settings),
        "pdf": exporter.exportToPdf(pdf, QgsLayoutExporter.PdfExportSettings()),
        "success": QgsLayoutExporter.Success,
    }
print(json.dumps(out))
sys.stdout.flush()
os._exit(0)
