"""Edit a field packet with PyQGIS as a field team does in QGIS/QField: change attributes, add a
feature, move one, attach a photo – through the project's layers and their edit buffers.

usage: python3 field_edits.py PROJECT.qgz EDITS.json
EDITS: [{"layer": "buildings", "src_id": 12, "set": {"material": "concrete"}},
        {"layer": "households", "src_id": 3, "move_to": [lon, lat]},
        {"layer": "buildings", "add": {"wkt": "MULTIPOLYGON(...)", "set": {...}}}]
"""

import json
import os
import sys

from qgis.core import QgsApplication, QgsGeometry, QgsPointXY, QgsProject, QgsVectorLayerUtils

app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
assert project.read(sys.argv[1]), "project not read"
with open(sys.argv[2], encoding="utf-8") as f:
    edits = json.load(f)
layers = {layer.id().replace("_packet", ""): layer for layer in project.mapLayers().values()}
done = []
for edit in edits:
    layer = layers[edit["layer"]]
    assert layer.startEditing() or layer.isEditable(), f"cannot edit {edit['layer']}"
    fields = layer.fields()
    if "add" in edit:
        geometry = QgsGeometry.fromWkt(edit["add"]["wkt"])
        attrs = {fields.indexOf(k): v for k, v in edit["add"].get("set", {}).items()}
        feature = QgsVectorLayerUtils.createFeature(
            layer, geometry, attrs
        )  # defaults and all, as the form does
        assert layer.addFeature(feature), "addFeature failed"
        done.append({"layer": edit["layer"], "added": True})
    else:
        feature = next(f for f in layer.getFeatures() if f["src_id"] == edit["src_id"])
        for name, value in edit.get("set", {}).items():
            assert layer.changeAttributeValue(feature.id(), fields.indexOf(name), value), name
        if "move_to" in edit:
            point = QgsGeometry.fromPointXY(QgsPointXY(*edit["move_to"]))
            assert layer.changeGeometry(feature.id(), point), "changeGeometry failed"
        done.append({"layer": edit["layer"], "fid": feature.id(), "src_id": edit["src_id"]})
    assert layer.commitChanges(), layer.commitErrors()
print(json.dumps({"done": done}), flush=True)
os._exit(0)  # QGIS 3.22 may crash while tearing down offscreen Qt: the answer is out
