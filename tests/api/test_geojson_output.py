"""The REST API's GeoJSON written by PostGIS is the output rest_framework_gis gave, byte for byte."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import connection
from django.utils import timezone

from gis_portal import roles
from gis_portal.api import views
from parcels.models import Organisation

pytestmark = pytest.mark.django_db

SPATIAL = [
    "organisations",
    "villages",
    "parcels",
    "buildings",
    "households",
    "orthomosaics",
    "service-requests",
]
STAFF = (roles.TAX_OFFICER, roles.GIS_EDITOR, roles.SERVICE_OFFICER, roles.SURVEYOR)


@contextmanager
def python_geometry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The old path: no PostGIS GeoJSON in the query, so rest_framework_gis serializes each geometry."""
    with monkeypatch.context() as m:
        m.setattr(views, "with_geojson", lambda queryset, geo_field: queryset)
        yield


def both(client, monkeypatch, url: str) -> tuple[bytes, bytes, list[str]]:
    sql: list[str] = []
    with connection.execute_wrapper(lambda execute, q, *a: sql.append(q) or execute(q, *a)):
        new = client.get(url)
    with python_geometry(monkeypatch):
        old = client.get(url)
    assert new.status_code == old.status_code == 200, (url, new.content[:300])
    return new.content, old.content, sql


def test_every_spatial_endpoint_gives_the_same_bytes(
    client, register, extras, make_user, pangmu, monkeypatch
):
    client.force_login(make_user("all", pangmu, *STAFF))
    today = timezone.localdate().isoformat()
    urls = [f"/api/v1/{name}/?limit=1000" for name in SPATIAL]
    urls += [f"/api/v1/{name}/?as_of={today}" for name in ("villages", "parcels", "buildings", "households")]
    urls.append("/api/v1/parcels/?bbox=90,0,110,30&ordering=-area_m2")
    checked = 0
    for url in urls:
        new, old, sql = both(client, monkeypatch, url)
        assert new == old, url
        body = json.loads(new)
        assert body["type"] == "FeatureCollection" and body["features"], url
        assert any("ST_AsGeoJSON" in q for q in sql), url
        # Neither the geometry nor its generated web-mercator copy is fetched any more.
        assert not any("_3857" in q.split(" FROM ")[0] for q in sql), url
        for feature in body["features"][:3]:
            name = url.split("/")[3]
            detail_new, detail_old, _ = both(client, monkeypatch, f"/api/v1/{name}/{feature['id']}/")
            assert detail_new == detail_old, (name, feature["id"])
            checked += 1
    assert checked >= 15
    # Null geometries (imagery still in work) and the masked service request stay as they were.
    ortho = json.loads(both(client, monkeypatch, "/api/v1/orthomosaics/?limit=1000")[0])
    assert any(f["geometry"] is None for f in ortho["features"])
    assert any(f["geometry"] is not None for f in ortho["features"])


def test_masked_service_requests_are_unchanged_too(client, extras, make_user, pangmu, monkeypatch):
    client.force_login(make_user("viewer-ish", pangmu, roles.VIEWER, roles.SERVICE_OFFICER))
    new, old, _ = both(client, monkeypatch, "/api/v1/service-requests/")
    assert new == old
    client.force_login(make_user("surveyor-only", pangmu, roles.SURVEYOR))
    new, old, _ = both(client, monkeypatch, "/api/v1/orthomosaics/")
    assert new == old


def _coordinates_close(a, b, tolerance: float) -> int:
    """Compare nested coordinate lists; return how many numbers differ at all (all within the tolerance)."""
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        return sum(_coordinates_close(x, y, tolerance) for x, y in zip(a, b, strict=True))
    assert abs(a - b) <= tolerance, (a, b)
    return int(a != b)


def test_south_of_ten_degrees_the_same_to_the_last_printed_digit(client, make_user, monkeypatch):
    # Narathiwat, about 6° N: coordinates need 16 decimals to read back exactly; both serializers print
    # 15 and may round the last one differently. Everything else is the same.
    ring = [
        (101.81234567890123, 6.123456789012345),
        (101.82345678901234, 6.123456789012345),
        (101.82345678901234, 6.134567890123456),
        (101.81234567890123, 6.134567890123456),
        (101.81234567890123, 6.123456789012345),
    ]
    shifted = [[(x + i * 0.0200000137, y + i * 2.91e-7) for x, y in ring] for i in range(40)]  # side by side
    south = Organisation.objects.create(
        slug="south",
        dla_code="6960199",
        name_th="ทดสอบใต้",
        name_en="South test",
        boundary=MultiPolygon(*[Polygon(r, srid=4326) for r in shifted], srid=4326),
        utm_srid=32647,
    )
    client.force_login(make_user("south-editor", south, roles.GIS_EDITOR))
    new, old, _ = both(client, monkeypatch, "/api/v1/organisations/")
    new_doc, old_doc = json.loads(new), json.loads(old)
    new_geometry = new_doc["features"][0].pop("geometry")
    old_geometry = old_doc["features"][0].pop("geometry")
    assert new_doc == old_doc
    assert new_geometry["type"] == old_geometry["type"] == "MultiPolygon"
    # One unit of the 15th decimal apart at most (2e-15 as doubles, which are 8.9e-16 apart at 6°).
    numbers = 40 * 5 * 2
    differing = _coordinates_close(new_geometry["coordinates"], old_geometry["coordinates"], 2e-15)
    assert differing < numbers / 2


def test_pretty_printed_and_browsable_output_is_unchanged(client, register, editor, monkeypatch):
    client.force_login(editor)
    for url, accept in [
        ("/api/v1/parcels/", "application/json; indent=2"),
        ("/api/v1/buildings/?limit=3", "application/json; indent=4"),
    ]:
        new = client.get(url, HTTP_ACCEPT=accept)
        with python_geometry(monkeypatch):
            old = client.get(url, HTTP_ACCEPT=accept)
        assert new.status_code == old.status_code == 200
        assert new.content == old.content and b"\n  " in new.content, url
    page = client.get("/api/v1/parcels/?limit=2", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and b"MultiPolygon" in page.content
