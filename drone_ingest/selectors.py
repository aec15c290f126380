"""Reads of imagery: scoped to the user's organisations, one query per list."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.gis.geos import Polygon
from django.db.models import QuerySet
from django.urls import reverse

from gis_portal.errors import NotFoundError
from parcels.models import Organisation
from parcels.selectors import organisation_ids_for_user, scope_to_user

from .models import ImageryKind, ImageryStatus, Orthomosaic, RefusedImagery


def orthomosaics_for_user(user: Any) -> QuerySet[Orthomosaic]:
    return scope_to_user(Orthomosaic.objects.select_related("organisation", "survey"), user)


def orthomosaic_for_user(user: Any, pk: int) -> Orthomosaic:
    """Another organisation's imagery gets the same answer as a missing one."""
    ortho = orthomosaics_for_user(user).filter(pk=pk).first()
    if ortho is None:
        raise NotFoundError("orthomosaic_not_found", f"No imagery {pk}", f"ไม่พบภาพถ่าย {pk}")
    return ortho


def refusal_for_user(user: Any, orthomosaic_id: int) -> RefusedImagery | None:
    """Why the file that had this id was refused while processing (None: no such refusal for the user)."""
    return scope_to_user(RefusedImagery.objects.all(), user).filter(orthomosaic_id=orthomosaic_id).first()


def refusals_for_user(user: Any, limit: int = 20) -> list[RefusedImagery]:
    return list(scope_to_user(RefusedImagery.objects.all(), user)[:limit])


def _ready(user_or_org: Any) -> QuerySet[Orthomosaic]:
    qs = Orthomosaic.objects.filter(status=ImageryStatus.READY)
    if isinstance(user_or_org, Organisation):
        return qs.filter(organisation=user_or_org)
    if isinstance(user_or_org, int):
        return qs.filter(organisation_id=user_or_org)
    return scope_to_user(qs, user_or_org)


def imagery_layers(user_or_org: Any) -> list[dict[str, Any]]:
    """Ready imagery as map layers, newest capture first, for the staff map.

    Each item: id, kind, captured (date), title, tile_url_template ({z}/{x}/{y}), bounds_4326
    [west, south, east, north] and footprint (GeoJSON dict).
    """
    rows = (
        _ready(user_or_org)
        .order_by("-captured_on", "-id")
        .only("id", "kind", "captured_on", "title", "bounds_4326", "footprint")
    )
    layers = []
    for ortho in rows:
        ext = "webp" if ortho.kind == ImageryKind.ORTHO else "png"
        base = reverse("tiles:ortho-tile", kwargs={"pk": ortho.pk, "z": 0, "x": 0, "y": 0, "ext": ext})
        template = base.replace("/0/0/0.", "/{z}/{x}/{y}.")
        layers.append(
            {
                "id": ortho.pk,
                "kind": ortho.kind,
                "captured": ortho.captured_on,
                "title": ortho.title or str(ortho),
                "tile_url_template": template,
                "bounds_4326": list(ortho.bounds_4326.extent) if ortho.bounds_4326 else None,
                "footprint": json.loads(ortho.footprint.geojson) if ortho.footprint else None,
            }
        )
    return layers


def imagery_covering(
    organisation_ids: list[int] | None,
    bbox_4326: tuple[float, float, float, float],
    kind: str = ImageryKind.ORTHO,
) -> list[Orthomosaic]:
    """Ready imagery whose footprint meets the box, newest first (for the mosaic tile)."""
    qs = Orthomosaic.objects.filter(
        status=ImageryStatus.READY, kind=kind, footprint__intersects=Polygon.from_bbox(bbox_4326)
    )
    if organisation_ids is not None:
        qs = qs.filter(organisation_id__in=organisation_ids)
    return list(
        qs.order_by("-captured_on", "-id").only("id", "cog_path", "processed_at", "organisation_id")[:8]
    )


def user_organisation_ids(user: Any) -> list[int] | None:
    return organisation_ids_for_user(user)
