"""Reads for the resident page and the staff queue; each filtered to one household or organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gis_portal.svgmap import svg_path
from parcels.models import (
    Building,
    BuildingRight,
    Household,
    Parcel,
    ParcelRight,
    Party,
    RegisterStatus,
)
from parcels.units import format_rnw

from .models import HouseholdToken, ServiceRequest, ServiceType
from .services import hash_token
from .welfare import WelfareHint, age_on, welfare_check  # noqa: F401 - the resident page reads them here

TOKEN_MAX_LEN = 100


def household_by_token(token: str) -> tuple[Household, str] | None:
    """The household of an active sticker token and the token's hash; None for unknown or revoked.

    One indexed lookup by hash whatever the token: unknown, revoked and malformed tokens take the
    same path and get the same answer.
    """
    token_hash = hash_token((token or "")[:TOKEN_MAX_LEN])
    row = (
        HouseholdToken.objects.filter(
            token_hash=token_hash, revoked_at__isnull=True, household__status=RegisterStatus.ACTIVE
        )
        .select_related("household__village", "household__organisation")
        # Only the tambon boundary is large; deferring one column keeps the query cheap to build.
        .defer(
            "household__organisation__boundary",
            "household__village__boundary",
            "household__village__boundary_3857",
            "household__location_3857",
        )
        .first()
    )
    if row is None:
        return None
    return row.household, token_hash


def household_parcels(household: Household) -> QuerySet[Parcel]:
    """Active parcels of a household: the one its building stands on and those its members hold rights in."""
    held = ParcelRight.objects.filter(party__household_id=household.pk).values_list("parcel_id").order_by()
    if household.building_id:
        held = held.union(
            Building.objects.filter(pk=household.building_id).values_list("parcel_id").order_by()
        )
    # Ids first (two index lookups), then the parcels: a planner-proof plan on a large register.
    ids = [row[0] for row in held]
    return Parcel.objects.filter(pk__in=ids, status=RegisterStatus.ACTIVE).order_by("code")


@dataclass
class MiniMap:
    view_box: str
    parcels: list[dict]
    buildings: list[dict]
    house: tuple[float, float]
    # The transform back to EPSG:3857 for the pin picker: x3857 = ox + x, y3857 = oy - y.
    ox: float
    oy: float
    size: float


def household_minimap(household: Household, parcels: list[Parcel], buildings: list[Building]) -> MiniMap:
    """A small map drawn server-side as inline SVG (no map library, no tiles on first load)."""
    from django.contrib.gis.geos import Point

    loc = (
        household.location.transform(3857, clone=True)
        if household.location.srid != 3857
        else household.location
    )
    xs, ys = [loc.x], [loc.y]
    for p in parcels:
        x0, y0, x1, y1 = p.geom_3857.extent
        xs += [x0, x1]
        ys += [y0, y1]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    size = max(maxx - minx, maxy - miny, 80.0) * 1.25
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    ox, oy = cx - size / 2, cy + size / 2
    assert isinstance(loc, Point)
    return MiniMap(
        view_box=f"0 0 {size:.1f} {size:.1f}",
        parcels=[{"code": p.code, "d": svg_path(p.geom_3857, ox, oy)} for p in parcels],
        buildings=[{"d": svg_path(b.footprint_3857, ox, oy)} for b in buildings],
        house=(round(loc.x - ox, 1), round(oy - loc.y, 1)),
        ox=ox,
        oy=oy,
        size=size,
    )


def minimap_bbox_4326(m: MiniMap) -> tuple[float, float, float, float]:
    from django.contrib.gis.geos import Polygon

    box = Polygon.from_bbox((m.ox, m.oy - m.size, m.ox + m.size, m.oy))
    box.srid = 3857
    return box.transform(4326, clone=True).extent


def household_imagery(household: Household, m: MiniMap) -> list:
    """Ready orthomosaics (newest first) that cover the household's small map, from the imagery app."""
    from drone_ingest.selectors import imagery_covering

    return imagery_covering([household.organisation_id], minimap_bbox_4326(m))


def service_catalogue(organisation_id: int) -> list[ServiceType]:
    return list(
        ServiceType.objects.filter(organisation_id=organisation_id, active=True).only(
            "id", "code", "kind", "name_th", "name_en", "icon", "fee", "position", "requires_verification"
        )
    )


def service_catalogue_types(organisation_id: int) -> QuerySet[ServiceType]:
    """The office's active service types with their forms (for a form filled on a household's behalf)."""
    qs = ServiceType.objects.filter(organisation_id=organisation_id, active=True)
    return qs.order_by("position", "code")


def household_requests(household: Household, *, closed_days: int = 30) -> list[ServiceRequest]:
    """Open requests of the household and those closed in the last ``closed_days`` days."""
    since = timezone.now() - timedelta(days=closed_days)
    return list(
        ServiceRequest.objects.filter(household=household)
        .filter(Q(is_open=True) | Q(closed_at__gte=since))
        .select_related("service_type")
        .order_by("-created_at")[:20]
    )


def household_request(household: Household, request_id: int) -> ServiceRequest | None:
    """One request of this household (None if it belongs to another household)."""
    return (
        ServiceRequest.objects.filter(pk=request_id, household=household)
        .select_related("service_type")
        .prefetch_related("events")
        .first()
    )


def household_private(household: Household) -> dict[str, Any]:
    """What a verified member sees: owners, parcels and buildings with areas, members."""
    parcels = list(household_parcels(household).defer("geom", "geom_3857"))
    parcel_ids = [p.pk for p in parcels]
    buildings = list(
        Building.objects.filter(parcel_id__in=parcel_ids, status=RegisterStatus.ACTIVE)
        .select_related("parcel")
        .only(
            "id", "number", "building_type", "storeys", "floor_area_m2", "footprint_area_m2", "parcel__code"
        )
        .order_by("parcel__code", "number")
    )
    prights = ParcelRight.objects.filter(parcel_id__in=parcel_ids).select_related("party")
    brights = BuildingRight.objects.filter(building__in=buildings).select_related("party")
    owners_by_parcel: dict[int, list[str]] = {}
    for r in prights:
        owners_by_parcel.setdefault(r.parcel_id, []).append(f"{r.party.display_name} ({r.share})")
    owners_by_building: dict[int, list[str]] = {}
    for r in brights:
        owners_by_building.setdefault(r.building_id, []).append(f"{r.party.display_name} ({r.share})")
    return {
        "parcels": [
            {
                "code": p.code,
                "doc": p.get_doc_type_display(),
                "doc_number": p.doc_number,
                "area_rnw": format_rnw(p.area_m2),
                "area_m2": p.area_m2,
                "owners": owners_by_parcel.get(p.pk, []),
            }
            for p in parcels
        ],
        "buildings": [
            {
                "label": f"{b.parcel.code}/{b.number}",
                "type": b.get_building_type_display(),
                "storeys": b.storeys,
                "floor_area_m2": b.floor_area_m2,
                "footprint_rnw": format_rnw(b.footprint_area_m2),
                "owners": owners_by_building.get(b.pk, []),
            }
            for b in buildings
        ],
        "members": list(
            Party.objects.filter(household=household).order_by("-is_household_head", "birth_date")
        ),
    }


# --- tax bills: the one place the resident page reads them from -----------------------------


@dataclass
class BillsResult:
    available: bool
    bills: list[dict]


def household_tax_bills(household: Household) -> BillsResult:
    """Tax bills of the household, from the tax app's own selector.

    Contract expected from ``taxes.selectors.household_bills(household)``: an iterable of objects or
    dicts with ``number``, ``tax_year``, ``amount`` (Decimal), ``due_date`` (date), ``status``
    (text), ``promptpay_payload`` (EMV string, empty when paid) and ``receipts`` (list of
    ``{"number", "paid_at", "amount", "url"}``). Until the tax app provides it, the page says so
    plainly; nothing is made up here.
    """
    try:
        from taxes import selectors as tax_selectors  # noqa: PLC0415 - the tax app may not have it yet

        reader = tax_selectors.household_bills
    except (ImportError, AttributeError):
        return BillsResult(available=False, bills=[])
    bills = []
    for bill in reader(household):
        get = bill.get if isinstance(bill, dict) else lambda name, b=bill: getattr(b, name, None)
        bills.append(
            {
                "number": get("number"),
                "tax_year": get("tax_year"),
                "amount": get("amount"),
                "due_date": get("due_date"),
                "status": get("status"),
                "promptpay_payload": get("promptpay_payload") or "",
                "breakdown": get("breakdown") or {},
                "receipts": list(get("receipts") or []),
            }
        )
    return BillsResult(available=True, bills=bills)


# --- staff queue ---------------------------------------------------------------------------------


AGE_BUCKETS = {"1": 1, "3": 3, "7": 7, "30": 30}


def queue_requests(organisation_ids: list[int] | None, filters: dict[str, str]) -> QuerySet[ServiceRequest]:
    """Requests of the staff member's organisations, filtered by type, status, village, age, overdue."""
    qs = ServiceRequest.objects.select_related("service_type", "household__village", "assigned_to").defer(
        "data", "household__location"
    )
    if organisation_ids is not None:
        qs = qs.filter(organisation_id__in=organisation_ids)
    if filters.get("type"):
        qs = qs.filter(service_type__code=filters["type"])
    status = filters.get("status", "open")
    if status == "open":
        qs = qs.filter(is_open=True)
    elif status == "closed":
        qs = qs.filter(is_open=False)
    elif status and status != "all":
        qs = qs.filter(status=status)
    if (filters.get("village") or "").isdigit():
        qs = qs.filter(household__village__number=int(filters["village"]))
    if filters.get("age") in AGE_BUCKETS:
        qs = qs.filter(created_at__lte=timezone.now() - timedelta(days=AGE_BUCKETS[filters["age"]]))
    if filters.get("overdue"):
        qs = qs.filter(is_open=True, due_at__lt=timezone.now())
    if filters.get("mine") and filters.get("user_id"):
        qs = qs.filter(assigned_to_id=filters["user_id"])
    return qs.order_by("due_at")


def daily_summary(organisation_id: int, day: date | None = None) -> dict[str, Any]:
    """Counts for one day: new, closed, open, overdue, by service type (a few aggregate queries)."""
    from datetime import datetime, time

    day = day or timezone.localdate()
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    end = start + timedelta(days=1)
    base = ServiceRequest.objects.filter(organisation_id=organisation_id)
    by_type = (
        base.values("service_type__code", "service_type__name_th", "service_type__name_en")
        .annotate(
            new=Count("id", filter=Q(created_at__gte=start, created_at__lt=end)),
            closed=Count("id", filter=Q(closed_at__gte=start, closed_at__lt=end)),
            open=Count("id", filter=Q(is_open=True, created_at__lt=end)),
            overdue=Count("id", filter=Q(is_open=True, due_at__lt=end, created_at__lt=end)),
        )
        .order_by("service_type__code")
    )
    rows = [r for r in by_type if r["new"] or r["closed"] or r["open"]]
    totals = {k: sum(r[k] for r in rows) for k in ("new", "closed", "open", "overdue")}
    return {"day": day, "rows": rows, "totals": totals}


def request_summary(request_id: int) -> dict[str, Any] | None:
    """What a notification about a request says: reference, service and status names, step count."""
    req = ServiceRequest.objects.filter(pk=request_id).select_related("service_type", "organisation").first()
    if req is None:
        return None
    st = req.service_type
    state = st.state(req.status) or {}
    return {
        "household_id": req.household_id,
        "organisation": req.organisation.name_th,
        "reference": req.reference,
        "service_th": st.name_th,
        "service_en": st.name_en,
        "status_th": state.get("name_th") or req.status,
        "status_en": state.get("name_en") or req.status,
        "events": req.events.count(),
    }
