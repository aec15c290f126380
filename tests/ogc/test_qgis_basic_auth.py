"""QGIS 3.22 (Debian's PyQGIS) opens every OGC API collection with a Basic auth configuration.

No request preprocessor or other script inside QGIS: the auth configuration (user name and API
password) is all. The live server speaks plain HTTP, so the HTTPS requirement is off for this test
(it is tested with the Django client in tests/api/test_basic_auth.py).
"""

from __future__ import annotations

import pytest

from gis_portal import roles
from gis_portal.apipasswords.services import create_api_password
from parcels.models import Building, Household, Parcel, Village
from tests.pyqgis import run_pyqgis

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_qgis_opens_every_collection_with_basic_auth(
    live_server, register, other_register, make_user, pangmu, settings
):
    settings.API_BASIC_REQUIRE_HTTPS = False
    user = make_user("qgis", pangmu, roles.VIEWER)
    secret = create_api_password(user=user, label="QGIS office PC").secret
    result = run_pyqgis("oapif_basic.py", live_server.url, "qgis", secret)
    assert result["list_status"] == 200
    expected = {
        "villages": Village.objects.filter(organisation=pangmu).count(),
        "parcels": Parcel.objects.filter(organisation=pangmu).count(),
        "buildings": Building.objects.filter(organisation=pangmu).count(),
        "households": Household.objects.filter(organisation=pangmu).count(),
    }
    assert set(result["collections"]) == set(expected)
    for name, count in expected.items():
        layer = result["collections"][name]
        assert layer["valid"], (name, layer)
        assert layer["count"] == layer["with_geometry"] == count, (name, layer)
        assert layer["crs"] == "EPSG:4326"
    assert result["without_auth_valid"] is False
