"""What a packet carries of the register: the rows of one village, as the packet's layers hold them.

The same values are written to the GeoPackage and kept as the packet's snapshot, so a check-in
compares what came back with exactly what went out. Three queries per layer at most, whatever the
village's size.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.gis.db.models.functions import AsWKB
from django.db.models import Count, Q

from parcels.models import Building, Household, LandUsePortion, Parcel, Party, RegisterStatus, Village
from parcels.units import format_rnw

Row = dict[str, Any]


def land_use_fields(portions: list[tuple[str, Decimal]]) -> dict[str, Any]:
    """The parcel's land uses as the packet's three fields: main use, second use and its percent.

    ``land_use_count`` (kept in the snapshot, not a column) says how many uses the register has:
    a parcel of three or more cannot be told in two fields, and the field cannot change its uses.
    """
    ordered = sorted(portions, key=lambda p: (-p[1], p[0]))
    first = ordered[0][0] if ordered else None
    second = ordered[1] if len(ordered) > 1 else None
    return {
        "land_use": first,
        "land_use_2": second[0] if second else None,
        "land_use_2_pct": int(round(second[1])) if second else None,
        "land_use_count": len(ordered),
    }


def parcel_rows(where: Q) -> list[Row]:
    parcels = list(
        Parcel.objects.filter(where)
        .order_by("code", "id")
        .values("id", "code", "doc_type", "doc_number", "area_m2", "version", "status")
        .annotate(wkb=AsWKB("geom"))
    )
    uses: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for parcel_id, category, share in LandUsePortion.objects.filter(
        parcel_id__in=[p["id"] for p in parcels]
    ).values_list("parcel_id", "category", "share_percent"):
        uses[parcel_id].append((category, share))
    rows = []
    for p in parcels:
        rows.append(
            {
                "src_id": p["id"],
                "version": p["version"],
                "status": p["status"],
                "parcel_code": p["code"],
                "doc_type": p["doc_type"],
                "doc_number": p["doc_number"],
                "area_rnw": format_rnw(p["area_m2"]),
                **land_use_fields(uses.get(p["id"], [])),
                "wkb": bytes(p["wkb"]),
            }
        )
    return rows


def building_rows(where: Q) -> list[Row]:
    buildings = (
        Building.objects.filter(where)
        .order_by("parcel__code", "number", "id")
        .values(
            "id",
            "version",
            "status",
            "parcel__code",
            "number",
            "building_type",
            "material",
            "storeys",
            "floor_area_m2",
            "year_built",
        )
        .annotate(wkb=AsWKB("footprint"))
    )
    return [
        {
            "src_id": b["id"],
            "version": b["version"],
            "status": b["status"],
            "parcel_code": b["parcel__code"],
            "number": b["number"],
            "building_type": b["building_type"],
            "material": b["material"],
            "storeys": b["storeys"],
            "floor_area_m2": float(b["floor_area_m2"]),
            "year_built": b["year_built"],
            "wkb": bytes(b["wkb"]),
        }
        for b in buildings
    ]


def household_rows(where: Q) -> list[Row]:
    """Households with the head's name and the number of registered members (no IDs, phones, dates)."""
    households = list(
        Household.objects.filter(where)
        .order_by("house_number", "id")
        .annotate(n_members=Count("members"), wkb=AsWKB("location"))
        .values("id", "version", "status", "house_number", "village__number", "n_members", "wkb")
    )
    heads: dict[int, str] = {}
    for party in (
        Party.objects.filter(household_id__in=[h["id"] for h in households], is_household_head=True)
        .order_by("household_id", "id")
        .only("household_id", "kind", "title", "first_name", "last_name", "juristic_name")
    ):
        heads.setdefault(party.household_id, party.display_name)
    return [
        {
            "src_id": h["id"],
            "version": h["version"],
            "status": h["status"],
            "house_number": h["house_number"],
            "village_no": h["village__number"],
            "head_name": heads.get(h["id"]),
            "members": h["n_members"],
            "wkb": bytes(h["wkb"]),
        }
        for h in households
    ]


def head_party_ids(village: Village) -> list[int]:
    """The parties whose names go into the packet (for the personal data audit log)."""
    return list(
        Party.objects.filter(
            household__village=village, household__status=RegisterStatus.ACTIVE, is_household_head=True
        ).values_list("id", flat=True)
    )


READERS = {"parcels": parcel_rows, "buildings": building_rows, "households": household_rows}
# The village's active rows of each layer.
IN_VILLAGE = {
    "parcels": lambda v: Q(village=v, status=RegisterStatus.ACTIVE),
    "buildings": lambda v: Q(parcel__village=v, status=RegisterStatus.ACTIVE),
    "households": lambda v: Q(village=v, status=RegisterStatus.ACTIVE),
}


def village_rows(village: Village, layers: list[str]) -> dict[str, list[Row]]:
    return {name: READERS[name](IN_VILLAGE[name](village)) for name in layers}


def current_rows(layer: str, ids: list[int]) -> dict[int, Row]:
    """The register's rows now (retired ones too), by id, in the packet's form."""
    if not ids:
        return {}
    return {row["src_id"]: row for row in READERS[layer](Q(pk__in=ids))}
