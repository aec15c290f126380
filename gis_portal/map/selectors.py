"""Reads for the staff map: features to edit, search, a feature's panel, imagery layers.

Every read is scoped to the user's organisations through :mod:`parcels.selectors`.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.geos import Polygon
from django.db.models import Q

from gis_portal.errors import DomainError
from gis_portal.roles import GIS_EDITOR, REGISTER_SUPERVISOR, ROLES_SEEING_PERSONAL_DATA
from parcels.models import Building, Household, Parcel, ParcelRight, Party, RegisterStatus, Village
from parcels.selectors import (
    building_for_user,
    household_for_user,
    organisation_ids_for_user,
    organisations_for_user,
    parcel_for_user,
    parcel_lineage,
    scope_to_user,
    user_has_role,
    village_for_user,
)
from parcels.units import format_rnw

EDIT_FEATURE_CAP = 2000
SEARCH_LIMIT = 20

_EDITABLE = {
    "parcels": (Parcel, "geom", ("code", "version", "organisation_id")),
    "buildings": (Building, "footprint", ("number", "version", "parcel_id", "organisation_id")),
    "households": (Household, "location", ("house_number", "version", "village_id", "organisation_id")),
}


def parse_bbox(text: str) -> Polygon:
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except (TypeError, ValueError):
        raise DomainError(
            "bad_bbox", "bbox must be west,south,east,north in degrees", "bbox ไม่ถูกต้อง"
        ) from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise DomainError("bad_bbox", "bbox must be west,south,east,north in degrees", "bbox ไม่ถูกต้อง")
    return Polygon.from_bbox((west, south, east, north))


def features_in_bbox(user: Any, layer: str, bbox: Polygon) -> dict[str, Any]:
    """Active features of a layer in a bbox as GeoJSON (EPSG:4326, full precision) for editing."""
    if layer not in _EDITABLE:
        raise DomainError("no_such_layer", f"No layer {layer!r}", f"ไม่มีชั้นข้อมูล {layer!r}")
    model, geom_field, fields = _EDITABLE[layer]
    bbox.srid = 4326
    rows = (
        scope_to_user(model.objects.filter(status=RegisterStatus.ACTIVE), user)
        .filter(**{f"{geom_field}__bboverlaps": bbox})
        .annotate(gj=AsGeoJSON(geom_field, precision=15))
        .order_by("id")
        .values("id", "gj", *fields)[: EDIT_FEATURE_CAP + 1]
    )
    rows = list(rows)
    features = [
        {
            "type": "Feature",
            "id": r["id"],
            "geometry": json.loads(r["gj"]),
            "properties": {"id": r["id"], **{f: r[f] for f in fields}},
        }
        for r in rows[:EDIT_FEATURE_CAP]
    ]
    return {"type": "FeatureCollection", "features": features, "truncated": len(rows) > EDIT_FEATURE_CAP}


def _sees_people(user: Any, organisation_ids: list[int] | None) -> bool:
    if organisation_ids is None:
        return True
    return any(user_has_role(user, o, *ROLES_SEEING_PERSONAL_DATA) for o in organisation_ids)


def search(user: Any, text: str) -> list[dict[str, Any]]:
    """Parcels by code, document number or owner name; households by house number."""
    text = text.strip()
    if len(text) < 1:
        return []
    results: list[dict[str, Any]] = []
    org_ids = organisation_ids_for_user(user)
    parcels = scope_to_user(Parcel.objects.filter(status=RegisterStatus.ACTIVE), user)
    match = Q(code__istartswith=text) | Q(doc_number__iexact=text)
    by_owner: set[int] = set()
    if len(text) >= 2 and _sees_people(user, org_ids):
        people = scope_to_user(Party.objects.all(), user).filter(
            Q(first_name__icontains=text) | Q(last_name__icontains=text) | Q(juristic_name__icontains=text)
        )
        by_owner = set(
            ParcelRight.objects.filter(party__in=people, parcel__status=RegisterStatus.ACTIVE).values_list(
                "parcel_id", flat=True
            )[:SEARCH_LIMIT]
        )
        match |= Q(pk__in=by_owner)
    for p in parcels.filter(match).select_related("village").order_by("code")[:SEARCH_LIMIT]:
        how = "owner" if p.pk in by_owner and not p.code.upper().startswith(text.upper()) else "parcel"
        results.append(
            {
                "layer": "parcels",
                "id": p.pk,
                "label": p.code + (f" ({p.doc_number})" if p.doc_number else ""),
                "match": how,
                "extent": list(p.geom.extent),
                "organisation": p.organisation_id,
            }
        )
    # Retired parcels are found too (by code or document number), after the active ones.
    retired = scope_to_user(Parcel.objects.filter(status=RegisterStatus.RETIRED), user)
    retired = retired.filter(Q(code__istartswith=text) | Q(doc_number__iexact=text))
    for p in retired.order_by("code", "-retired_at")[: max(0, SEARCH_LIMIT - len(results))]:
        results.append(
            {
                "layer": "parcels",
                "id": p.pk,
                "label": f"{p.code} (ยกเลิกแล้ว / retired {p.retired_at:%Y-%m-%d})" if p.retired_at else p.code,
                "match": "retired",
                "status": p.status,
                "extent": list(p.geom.extent),
                "organisation": p.organisation_id,
            }
        )
    households = scope_to_user(Household.objects.filter(status=RegisterStatus.ACTIVE), user)
    for h in households.filter(house_number__istartswith=text).select_related("village")[:SEARCH_LIMIT]:
        results.append(
            {
                "layer": "households",
                "id": h.pk,
                "label": f"{h.house_number} หมู่ {h.village.number}",
                "match": "house_number",
                "extent": list(h.location.extent),
            }
        )
    return results[:SEARCH_LIMIT]


def _history(model: Any, pk: int) -> list[dict[str, Any]]:
    rows = (
        model.history.filter(id=pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:20]
    )
    return [
        {
            "date": h.history_date.isoformat(),
            "user": h.history_user.get_username() if h.history_user else "",
            "type": h.history_type,
            "reason": h.history_change_reason or "",
            "version": getattr(h, "version", None),
        }
        for h in rows
    ]


def feature_panel(user: Any, layer: str, pk: int) -> dict[str, Any]:
    """What the map's side panel shows for one feature."""
    if layer == "parcels":
        return _parcel_panel(user, parcel_for_user(user, pk))
    if layer == "buildings":
        b = building_for_user(user, pk)
        return {
            "layer": layer,
            "id": b.pk,
            "version": b.version,
            "title": str(b),
            "attributes": {
                "building_type": b.get_building_type_display(),
                "material": b.get_material_display(),
                "storeys": b.storeys,
                "floor_area_m2": str(b.floor_area_m2),
                "footprint_area_m2": round(b.footprint_area_m2 or 0, 1),
                "year_built": b.year_built,
                "status": b.status,
            },
            "parcel": {"id": b.parcel_id, "code": b.parcel.code},
            "households": [
                {"id": h.pk, "house_number": h.house_number}
                for h in b.households.filter(status=RegisterStatus.ACTIVE)
            ],
            "history": _history(Building, b.pk),
            "geometry": json.loads(b.footprint.geojson),
        }
    if layer == "households":
        h = household_for_user(user, pk)
        return {
            "layer": layer,
            "id": h.pk,
            "version": h.version,
            "title": str(h),
            "attributes": {"house_number": h.house_number, "village": h.village.number, "status": h.status},
            "members": h.members.count(),
            "building": {"id": h.building_id} if h.building_id else None,
            "history": _history(Household, h.pk),
            "geometry": json.loads(h.location.geojson),
        }
    if layer == "villages":
        v = village_for_user(user, pk)
        return {
            "layer": layer,
            "id": v.pk,
            "title": str(v),
            "attributes": {
                "number": v.number,
                "name_th": v.name_th,
                "name_en": v.name_en,
                "area_rnw": format_rnw(v.area_m2),
            },
            "history": _history(Village, v.pk),
        }
    raise DomainError("no_such_layer", f"No layer {layer!r}", f"ไม่มีชั้นข้อมูล {layer!r}")


def _parcel_panel(user: Any, p: Parcel) -> dict[str, Any]:
    sees_people = _sees_people(
        user, [p.organisation_id] if organisation_ids_for_user(user) is not None else None
    )
    owners = []
    if sees_people:
        for r in p.rights.select_related("party"):
            owners.append(
                {
                    "party": r.party_id,
                    "name": r.party.display_name,
                    "national_id": r.party.masked_national_id,
                    "share": f"{r.share_numerator}/{r.share_denominator}",
                    "right": r.get_right_type_display(),
                }
            )
    buildings = list(p.buildings.filter(status=RegisterStatus.ACTIVE).order_by("number"))
    households = Household.objects.filter(building__in=buildings, status=RegisterStatus.ACTIVE)
    lineage = parcel_lineage(p)
    return {
        "layer": "parcels",
        "id": p.pk,
        "version": p.version,
        "title": p.code,
        "organisation": p.organisation_id,
        "attributes": {
            "code": p.code,
            "doc_type": p.get_doc_type_display(),
            "doc_number": p.doc_number,
            "village": p.village.number if p.village else None,
            "area_m2": round(p.area_m2 or 0, 1),
            "area_rnw": p.area_rnw,
            "declared_rnw": p.declared_rnw,
            "land_use": ", ".join(
                f"{u.get_category_display()} {u.share_percent}%" for u in p.land_uses.all()
            ),
            "status": p.status,
        },
        "owners": owners,
        "owners_hidden": not sees_people,
        "buildings": [
            {"id": b.pk, "number": b.number, "type": b.get_building_type_display()} for b in buildings
        ],
        "households": [{"id": h.pk, "house_number": h.house_number} for h in households],
        "predecessors": [link.predecessor.code for link in lineage["predecessors"]],
        "successors": [link.successor.code for link in lineage["successors"]],
        "history": _history(Parcel, p.pk),
        "status": p.status,
        "retired_at": p.retired_at.isoformat() if p.retired_at else None,
        "retire_reason": _retire_reason(p),
        "can_restore": p.status == RegisterStatus.RETIRED and user.has_perm("parcels.restore_parcel", p),
        "geometry": json.loads(p.geom.geojson),
        "tax": _parcel_tax(user, p),
        "requests": _parcel_requests(user, p, households),
    }


def _retire_reason(p: Parcel) -> str:
    """Why a retired parcel was retired (its last history row), e.g. "retire: duplicate survey"."""
    if p.status != RegisterStatus.RETIRED:
        return ""
    last = Parcel.history.filter(id=p.pk).order_by("-history_date", "-history_id").first()
    return (last.history_change_reason or "") if last else ""


def _may(user: Any, organisation_id: int, codename: str, app_label: str) -> bool:
    from gis_portal.api.access import organisation_ids_with_permission

    ids = organisation_ids_with_permission(user, codename, app_label)
    return ids is None or organisation_id in ids


def _parcel_tax(user: Any, p: Parcel) -> list[dict[str, Any]] | None:
    """The notices that include the parcel (newest year first), for roles that see tax data; else None.

    Amounts and status only (the taxpayer is on the notice's own page, for the tax office)."""
    if not _may(user, p.organisation_id, "view_assessment", "taxes"):
        return None
    from taxes.models import Assessment, AssessmentStatus
    from taxes.selectors import STATUS_LABELS, with_pay_status

    rows = (
        with_pay_status(
            Assessment.objects.filter(organisation_id=p.organisation_id, parcel_ids__contains=[p.pk]).exclude(
                status=AssessmentStatus.CANCELLED
            )
        )
        .select_related("tax_year")
        .order_by("-tax_year__year", "notice_number")[:10]
    )
    return [
        {
            "id": a.pk,
            "year": a.tax_year.year,
            "notice": a.notice_number,
            "status": STATUS_LABELS.get(a.pay_status, a.pay_status),
            "total": f"{a.total:,.2f}",
            "paid": f"{a.paid:,.2f}",
        }
        for a in rows
    ]


def _parcel_requests(user: Any, p: Parcel, households: Any) -> list[dict[str, Any]] | None:
    """E-service requests of the households on the parcel, for the service officer role; else None."""
    if not _may(user, p.organisation_id, "view_servicerequest", "eservices"):
        return None
    from eservices.models import ServiceRequest

    rows = (
        ServiceRequest.objects.filter(household__in=households)
        .select_related("service_type", "household")
        .order_by("-created_at")[:20]
    )
    return [
        {
            "id": r.pk,
            "reference": r.reference,
            "house_number": r.household.house_number,
            "service_th": r.service_type.name("th"),
            "service_en": r.service_type.name("en"),
            "status_th": (r.service_type.state(r.status) or {}).get("name_th") or r.status,
            "status_en": (r.service_type.state(r.status) or {}).get("name_en") or r.status,
            "open": r.is_open,
            "created": r.created_at.date().isoformat(),
        }
        for r in rows
    ]


def map_context(user: Any) -> dict[str, Any]:
    """The page's configuration: organisations (and where the user may edit), extent, imagery."""
    orgs = list(organisations_for_user(user).order_by("name_th"))
    return {
        "organisations": [
            {
                "id": o.pk,
                "slug": o.slug,
                "name_th": o.name_th,
                "name_en": o.name_en,
                "extent": list(o.boundary.extent),
                "utm_srid": o.utm_srid,
                "can_edit": user_has_role(user, o, GIS_EDITOR, REGISTER_SUPERVISOR),
            }
            for o in orgs
        ],
        "imagery": imagery_layers(user),
        "tax_years": tax_years_for_map(user),
    }


def tax_years_for_map(user: Any) -> list[dict[str, int]]:
    """Tax years whose status layer the user may see (roles that view assessments), oldest first."""
    from gis_portal.api.access import organisation_ids_with_permission
    from taxes.models import TaxYear

    ids = organisation_ids_with_permission(user, "view_assessment", "taxes")
    years = TaxYear.objects.all() if ids is None else TaxYear.objects.filter(organisation_id__in=ids)
    return [
        {"year": year, "year_be": year + 543}
        for year in years.order_by("year").values_list("year", flat=True).distinct()
    ]


def imagery_layers(user: Any) -> list[dict[str, Any]]:
    """Orthomosaic layers by capture date (from drone_ingest when that app provides them)."""
    try:
        from drone_ingest.selectors import imagery_layers as provider
    except ImportError:
        return []
    return _normalise_imagery(provider(user) or [])


def _normalise_imagery(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the page needs of each layer (JSON-ready), oldest capture first."""
    layers = []
    for layer in items:
        captured = layer.get("captured")
        layers.append(
            {
                "id": layer.get("id"),
                "kind": layer.get("kind", "ortho"),
                "captured": captured.isoformat() if hasattr(captured, "isoformat") else captured,
                "title": layer.get("title", ""),
                "tile_url_template": layer.get("tile_url_template"),
                "bounds_4326": list(layer["bounds_4326"]) if layer.get("bounds_4326") else None,
            }
        )
    layers.sort(key=lambda lay: (lay["captured"] or "", str(lay["id"])))
    return layers
