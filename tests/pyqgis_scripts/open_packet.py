"""Open a field packet's project with PyQGIS as QGIS/QField would; report every layer (JSON).

usage: python3 open_packet.py PROJECT.qgz [RENDER.png]
"""

import json
import os
import sys

from qgis.core import (
    QgsApplication,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
ok = project.read(sys.argv[1])
out = {"read": ok, "crs": project.crs().authid(), "title": project.title(), "layers": []}
tree_order = [node.layerId() for node in project.layerTreeRoot().findLayers()]
for layer_id in tree_order:
    layer = project.mapLayer(layer_id)
    entry = {
        "id": layer_id,
        "name": layer.name(),
        "valid": layer.isValid(),
        "crs": layer.crs().authid(),
        "provider": layer.providerType(),
        "source": layer.source(),
    }
    if isinstance(layer, QgsVectorLayer):
        features = list(layer.getFeatures())
        entry["features"] = len(features)
        entry["feature_count"] = layer.featureCount()
        entry["geometry_ok"] = all(f.hasGeometry() and not f.geometry().isEmpty() for f in features)
        form = layer.editFormConfig()
        fields = {}
        for i, f in enumerate(layer.fields()):
            setup = layer.editorWidgetSetup(i)
            config = setup.config()
            item = {
                "widget": setup.type(),
                "alias": layer.attributeAlias(i),
                "read_only": form.readOnly(i),
                "not_null": bool(layer.fieldConstraints(i) & 1),
            }
            if setup.type() == "ValueMap":
                item["values"] = {list(d.values())[0]: list(d.keys())[0] for d in config.get("map", [])}
            if setup.type() == "ExternalResource":
                item["relative"] = config.get("RelativeStorage")
            fields[f.name()] = item
        entry["fields"] = fields
        entry["labels"] = layer.labelsEnabled()
        entry["sample"] = (
            {
                k: (v if isinstance(v, (int, float, str)) or v is None else str(v))
                for k, v in zip(layer.fields().names(), features[0].attributes(), strict=True)
            }
            if features
            else None
        )
    elif isinstance(layer, QgsRasterLayer):
        provider = layer.dataProvider()
        entry["bands"] = layer.bandCount()
        entry["width"], entry["height"] = layer.width(), layer.height()
        entry["pyramids"] = sum(1 for p in provider.buildPyramidList() if p.getExists())
        extent = layer.extent()
        entry["extent"] = [extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()]
        # Read the full-resolution pixels of a 256 px window at the centre.
        cx, cy = extent.center().x(), extent.center().y()
        px = extent.width() / layer.width()
        window = QgsRectangle(cx - 128 * px, cy - 128 * px, cx + 128 * px, cy + 128 * px)
        alpha = provider.block(4, window, 256, 256)
        red = provider.block(1, window, 256, 256)
        opaque = sum(1 for r in range(256) for c in range(256) if alpha.value(r, c) > 0)
        entry["centre_opaque_pixels"] = opaque
        entry["centre_red_mean"] = (
            sum(red.value(r, c) for r in range(0, 256, 4) for c in range(0, 256, 4)) / 4096
        )
    out["layers"].append(entry)
if len(sys.argv) > 2:
    settings = QgsMapSettings()
    settings.setLayers([project.mapLayer(i) for i in tree_order])
    settings.setDestinationCrs(project.crs())
    settings.setOutputSize(QSize(1200, 800))
    settings.setBackgroundColor(QColor(255, 255, 255))
    raster = next(
        (project.mapLayer(i) for i in tree_order if isinstance(project.mapLayer(i), QgsRasterLayer)), None
    )
    settings.setExtent(raster.extent() if raster else project.mapLayer(tree_order[0]).extent())
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(sys.argv[2])
    colours = {image.pixel(x, y) for x in range(0, 1200, 7) for y in range(0, 800, 7)}
    out["render"] = {
        "path": sys.argv[2],
        "distinct_colours": len(colours),
        "errors": [str(e.message) for e in job.errors()],
    }
print(json.dumps(out, ensure_ascii=False), flush=True)
os._exit(0)  # QGIS 3.22 may crash while tearing down offscreen Qt: the answer is out
