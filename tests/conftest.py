"""Shared fixtures: real PostGIS, real tambon boundaries, shapes drawn in UTM 47N metres."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from django.contrib.auth.models import Group
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from hypothesis import settings as hypothesis_settings
from pyproj import Transformer

from gis_portal import roles
from parcels import services
from parcels.models import Membership, Organisation, Village
from parcels.reference import tambon_boundary

# The suite (and CI) draws the same examples on every run, so a result does not depend on the day;
# `pytest --hypothesis-profile=explore` draws new ones to look for cases not yet seen.
hypothesis_settings.register_profile("ci", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile("ci")

# The Pang Mu office area, in UTM 47N metres (about 97.96 E, 19.33 N).
ORIGIN_E, ORIGIN_N = 390_750.0, 2_137_670.0
_TO_4326 = Transformer.from_crs(32647, 4326, always_xy=True)


def utm_polygon(coords: Sequence[tuple[float, float]], *, dx: float = 0, dy: float = 0) -> Polygon:
    """A polygon from UTM offsets (metres from the origin above), in EPSG:4326."""
    ring = [_TO_4326.transform(ORIGIN_E + dx + x, ORIGIN_N + dy + y) for x, y in coords]
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return Polygon(ring, srid=4326)


def utm_rect(x: float, y: float, w: float, h: float) -> MultiPolygon:
    return MultiPolygon(utm_polygon([(x, y), (x + w, y), (x + w, y + h), (x, y + h)]), srid=4326)


def utm_point(x: float, y: float) -> Point:
    return Point(*_TO_4326.transform(ORIGIN_E + x, ORIGIN_N + y), srid=4326)


def utm_line(*points: tuple[float, float]) -> GEOSGeometry:
    from django.contrib.gis.geos import LineString

    return LineString([_TO_4326.transform(ORIGIN_E + x, ORIGIN_N + y) for x, y in points], srid=4326)


@pytest.fixture
def pangmu(db) -> Organisation:
    return Organisation.objects.create(
        slug="pangmu",
        dla_code="6580104",
        name_th="องค์การบริหารส่วนตำบลปางหมู",
        name_en="Pang Mu SAO",
        tambon_code="580104",
        boundary=tambon_boundary("TH580104"),
        utm_srid=32647,
    )


@pytest.fixture
def mokchampae(db) -> Organisation:
    """A second organisation (the neighbouring tambon to the north) for isolation tests."""
    return Organisation.objects.create(
        slug="mokchampae",
        dla_code="6580105",
        name_th="องค์การบริหารส่วนตำบลหมอกจำแป่",
        name_en="Mok Champae SAO",
        boundary=tambon_boundary("TH580105"),
    )


@pytest.fixture
def village(pangmu: Organisation) -> Village:
    """หมู่ 1: a 4 km × 4 km square around the office."""
    return services.village_create(
        organisation=pangmu,
        number=1,
        name_th="บ้านปางหมู",
        name_en="Ban Pang Mu",
        boundary=utm_rect(-2000, -2000, 4000, 4000),
    )


@pytest.fixture
def make_user(db, django_user_model) -> Callable[..., object]:
    roles.sync_roles()

    def make(username: str, organisation: Organisation | None = None, *role_names: str, staff: bool = True):
        user = django_user_model.objects.create_user(
            username=username, password="x-Pass-2569!", is_staff=staff
        )
        for role in role_names:
            Membership.objects.create(user=user, organisation=organisation, role=Group.objects.get(name=role))
        return user

    return make


@pytest.fixture(scope="session")
def s3_server():
    """One S3-compatible server (moto, server mode) per test process."""
    from tests.s3_server import S3Server

    server = S3Server().start()
    yield server
    server.stop()


@pytest.fixture
def object_store(s3_server, settings, tmp_path):
    """The app configured for an object store: a fresh bucket, media and imagery files go there.

    MEDIA_ROOT points to an empty folder of the test, so anything written to the local disk instead
    of the store would show.
    """
    import uuid

    import boto3

    bucket = f"test-{uuid.uuid4().hex[:12]}"
    settings.OBJECT_STORE_BUCKET = bucket
    settings.OBJECT_STORE_ENDPOINT = s3_server.endpoint
    settings.OBJECT_STORE_PREFIX = "pangmu"
    settings.AWS_ACCESS_KEY_ID = "test-key"
    settings.AWS_SECRET_ACCESS_KEY = "test-secret"  # noqa: S105
    settings.MEDIA_ROOT = tmp_path / "local-media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "gis_portal.storage.MediaStorage"}}
    client = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",  # noqa: S106
    )
    client.create_bucket(Bucket=bucket)

    class Store:
        name = bucket
        server = s3_server
        s3 = client
        local_media = settings.MEDIA_ROOT

        def keys(self, prefix: str = "") -> list[str]:
            pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

        def read(self, key: str) -> bytes:
            return client.get_object(Bucket=bucket, Key=key)["Body"].read()

    return Store()
