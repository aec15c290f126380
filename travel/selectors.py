"""Reads for the public Smart Travel pages (no login, no personal data)."""

from __future__ import annotations

from datetime import date

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import Transform
from django.db.models import Func, Q, QuerySet

from gis_portal.svgmap import Frame, frame_around
from parcels.models import Organisation

from .models import Place


class Simplify(Func):
    function = "ST_SimplifyPreserveTopology"
    output_field = GeometryField(srid=3857)


def public_places(organisation: Organisation, kind: str = "", today: date | None = None) -> QuerySet[Place]:
    """Published places of the office; events only until their last day."""
    qs = Place.objects.filter(organisation=organisation, published=True).annotate(
        location_3857=Transform("location", 3857)
    )
    if today:
        qs = qs.filter(
            ~Q(kind="event") | Q(ends_on__gte=today) | Q(ends_on__isnull=True, starts_on__gte=today)
        )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "starts_on", "position", "name_th")


def tambon_outline(organisation: Organisation, tolerance_m: float = 60.0) -> tuple[Frame, str]:
    """The tambon's outline, simplified to a few KB of SVG, and its frame (EPSG:3857 metres)."""
    row = (
        Organisation.objects.filter(pk=organisation.pk)
        .annotate(outline=Simplify(Transform("boundary", 3857), tolerance_m))
        .values_list("outline", flat=True)
        .first()
    )
    frame = frame_around([row.extent], margin=1.04)
    return frame, frame.path(row)
