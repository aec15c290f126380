"""QGIS's own OGC API – Features client with a Basic authentication configuration, no script in QGIS:
what an office user sets up in the Data Source Manager (docs/OGC_QGIS.md), done with PyQGIS.

usage: python3 oapif_basic.py BASE_URL USER API_PASSWORD   (QGIS_AUTH_DB_DIR_PATH: a fresh folder)
"""

import json
import os
import sys

from qgis.core import (
    QgsApplication,
    QgsAuthMethodConfig,
    QgsBlockingNetworkRequest,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtNetwork import QNetworkRequest

base, user, password = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
app = QgsApplication([], False)
app.initQgis()
auth = QgsApplication.authManager()
assert auth.setMasterPassword("field-office-master", True)
config = QgsAuthMethodConfig()
config.setName("Pang Mu register")
config.setMethod("Basic")
config.setUri(base)
config.setConfig("username", user)
config.setConfig("password", password)
assert auth.storeAuthenticationConfig(config)
authcfg = config.id()

out = {"authcfg": authcfg, "collections": {}}
# The collection list, fetched by QGIS's network stack with the auth configuration.
request = QgsBlockingNetworkRequest()
request.setAuthCfg(authcfg)
error = request.get(QNetworkRequest(QUrl(f"{base}/ogc/collections?f=json")))
reply = request.reply()
out["list_status"] = reply.attribute(QNetworkRequest.HttpStatusCodeAttribute)
names = [c["id"] for c in json.loads(bytes(reply.content()).decode())["collections"]] if not error else []
for name in names:
    uri = (
        f"pagingEnabled='true' pageSize='1000' restrictToRequestBBOX='0' typename='{name}' "
        f"url='{base}/ogc/' version='OGC_API_FEATURES' authcfg='{authcfg}'"
    )
    layer = QgsVectorLayer(uri, name, "OAPIF")
    features = list(layer.getFeatures()) if layer.isValid() else []
    out["collections"][name] = {
        "valid": layer.isValid(),
        "count": len(features),
        "crs": layer.crs().authid(),
        "with_geometry": sum(1 for f in features if f.hasGeometry()),
        "error": layer.error().summary() if not layer.isValid() else "",
    }
# Without the auth configuration the same layer is refused.
bare = QgsVectorLayer(
    f"pagingEnabled='true' typename='parcels' url='{base}/ogc/' version='OGC_API_FEATURES'", "bare", "OAPIF"
)
out["without_auth_valid"] = bare.isValid()
print(json.dumps(out), flush=True)
os._exit(0)  # QGIS 3.22 may crash while tearing down offscreen Qt: the answer is out
