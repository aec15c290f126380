"""Geometry checks shared by every write path (import, admin, web map, API).

The checks that compare a shape with the rest of the register run in PostGIS as one set-based
query over all candidate shapes (see :mod:`parcels.sql`); the checks of a single shape run in GEOS.
"""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon

from gis_portal.errors import DomainError


def as_multipolygon(geom: GEOSGeometry) -> MultiPolygon:
    """Promote a Polygon to a MultiPolygon in SRID 4326; refuse other geometry types."""
    if geom.srid is None:
        raise DomainError(
            "no_srid",
            "The geometry has no coordinate reference system",
            "รูปแปลงไม่ได้ระบุระบบพิกัด",
        )
    if geom.srid != 4326:
        geom = geom.transform(4326, clone=True)
    if isinstance(geom, Polygon):
        geom = MultiPolygon(geom, srid=4326)
    if not isinstance(geom, MultiPolygon):
        raise DomainError(
            "not_polygon",
            f"Expected a polygon, got a {geom.geom_type}",
            f"ต้องเป็นรูปหลายเหลี่ยม แต่ได้ {geom.geom_type}",
        )
    return geom


def validity_problem(geom: GEOSGeometry) -> str | None:
    """GEOS's reason a geometry is invalid, or None when it is valid and not empty."""
    if geom.empty:
        return "empty geometry"
    if not geom.valid:
        return geom.valid_reason
    return None


def check_valid(geom: GEOSGeometry) -> None:
    reason = validity_problem(geom)
    if reason:
        raise DomainError(
            "invalid_geometry",
            f"The shape is not a valid polygon: {reason}",
            f"รูปแปลงไม่ถูกต้อง: {reason}",
        )
