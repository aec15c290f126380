"""GDAL's own OGC API – Features client (ogrinfo, ogr2ogr) against the live server."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from django.contrib.gis.geos import GEOSGeometry

from gis_portal import roles
from parcels.models import Household, Parcel

pytestmark = [pytest.mark.django_db(transaction=True)]


def gdal(*args: str, token: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GDAL_HTTP")}
    if token:
        env["GDAL_HTTP_HEADERS"] = f"Authorization: Token {token}"
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, check=False)


def test_ogrinfo_and_ogr2ogr(live_server, register, other_register, make_user, pangmu, token_for, tmp_path):
    source = f"OAPIF:{live_server.url}/ogc"
    refused = gdal("ogrinfo", "-ro", "-q", source, token=None)
    assert refused.returncode != 0 and "401" in refused.stderr

    token = token_for(make_user("qgis", pangmu, roles.VIEWER))
    info = gdal("ogrinfo", "-ro", source, token=token)
    assert info.returncode == 0, info.stderr
    for n, name in enumerate(("villages", "parcels", "buildings", "households"), start=1):
        assert f"{n}: {name} (title: " in info.stdout

    # A page size of 2 makes GDAL follow the next links across three pages.
    out = tmp_path / "parcels.geojson"
    copy = gdal("ogr2ogr", "-oo", "PAGE_SIZE=2", "-f", "GeoJSON", str(out), source, "parcels", token=token)
    assert copy.returncode == 0, copy.stderr
    features = json.loads(out.read_text())["features"]
    ours = {p.code: p.geom for p in Parcel.objects.filter(organisation=pangmu)}
    assert len(features) == len(ours) == 5
    assert {f["properties"]["code"] for f in features} == set(ours)  # nothing of the other organisation
    for feature in features:
        geom = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
        assert geom.equals_exact(ours[feature["properties"]["code"]], tolerance=1e-9)

    points = tmp_path / "households.geojson"
    copy = gdal("ogr2ogr", "-f", "GeoJSON", str(points), source, "households", token=token)
    assert copy.returncode == 0, copy.stderr
    (feature,) = json.loads(points.read_text())["features"]
    household = Household.objects.get(organisation=pangmu)
    assert feature["properties"]["house_number"] == household.house_number
    assert GEOSGeometry(json.dumps(feature["geometry"]), srid=4326).equals_exact(household.location, 1e-12)
