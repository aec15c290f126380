"""Shared fixtures: real PostGIS, real tambon boundaries, shapes drawn in UTM 47N metres."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from django.contrib.auth.models import Group
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from pyproj import Transformer

from gis_portal import roles
from parcels import services
from parcels.models import Membership, Organisation, Village
from parcels.reference import tambon_boundary

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
