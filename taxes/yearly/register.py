"""Read the register for a tax year: one query per table, typed rows out (no engine, no writing).

:func:`read_register` returns a :class:`RegisterSnapshot`: the organisation's active parcels with
their land uses, buildings with their uses, the ownership and possession rights on both (with their
shares), the parties with where their house registration is, the year's prices, costs and
depreciation table, the special reductions recorded, and the parties who already have an issued
notice. With ``party_id`` it reads only what that taxpayer's assessment needs (his parcels and
buildings, every right on them, and their parties).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q, QuerySet

from parcels.models import (
    Building,
    BuildingRight,
    BuildingUsePortion,
    LandUsePortion,
    Parcel,
    ParcelRight,
    Party,
    RegisterStatus,
)

from ..models import (
    Assessment,
    AssessmentStatus,
    BuildingCost,
    Depreciation,
    LandPrice,
    SpecialReductionRecord,
    TaxYear,
)

TAXED_RIGHTS = ("ownership", "possession")  # the owner or possessor pays (Sec. 7, verify for possession)


class ParcelRow(NamedTuple):
    id: int
    code: str
    zone: str
    block: str
    village_id: int | None
    declared_rai: int | None
    declared_ngan: int | None
    declared_wah: Decimal | None
    area_m2: float | None


class LandUseRow(NamedTuple):
    category: str
    share_percent: Decimal
    years_unused: int


class BuildingRow(NamedTuple):
    id: int
    parcel_id: int
    number: int
    building_type: str
    material: str
    floor_area_m2: Decimal
    year_built: int | None


class BuildingUseRow(NamedTuple):
    category: str
    share_percent: Decimal


class RightRow(NamedTuple):
    party_id: int
    thing_id: int  # the parcel's or the building's id
    share_numerator: int
    share_denominator: int


class PartyRow(NamedTuple):
    id: int
    kind: str
    home_parcel_id: int | None  # the parcel of the building of his registered household
    household_status: str | None
    village_id: int | None


@dataclass
class RegisterSnapshot:
    parcels: dict[int, ParcelRow] = field(default_factory=dict)
    land_uses: dict[int, list[LandUseRow]] = field(default_factory=lambda: defaultdict(list))
    parcel_rights: list[RightRow] = field(default_factory=list)
    buildings: dict[int, BuildingRow] = field(default_factory=dict)
    building_uses: dict[int, list[BuildingUseRow]] = field(default_factory=lambda: defaultdict(list))
    building_rights: list[RightRow] = field(default_factory=list)
    parties: dict[int, PartyRow] = field(default_factory=dict)
    price_parcel: dict[int, Decimal] = field(default_factory=dict)
    price_zone: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    costs: dict[str, Decimal] = field(default_factory=dict)
    depreciation: dict[str, list[tuple[int, int | None, Decimal]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    special_parcel: dict[int, str] = field(default_factory=dict)  # parcel id -> decree item code
    special_building: dict[int, str] = field(default_factory=dict)
    issued_parties: set[int] = field(default_factory=set)

    def land_price(self, parcel: ParcelRow) -> Decimal | None:
        """The parcel's own price, else its block's, else its zone's."""
        found = self.price_parcel.get(parcel.id)
        if found is None:
            found = self.price_zone.get((parcel.zone, parcel.block), self.price_zone.get((parcel.zone, "")))
        return found


def read_register(tax_year: TaxYear, *, party_id: int | None = None) -> RegisterSnapshot:
    """The register as the year's run needs it (a fixed number of queries, whatever its size)."""
    org_id = tax_year.organisation_id
    snap = RegisterSnapshot()
    parcels = Parcel.objects.filter(organisation_id=org_id, status=RegisterStatus.ACTIVE)
    if party_id is not None:
        held = Q(rights__party_id=party_id, rights__right_type__in=TAXED_RIGHTS) | Q(
            buildings__rights__party_id=party_id,
            buildings__rights__right_type__in=TAXED_RIGHTS,
            buildings__status=RegisterStatus.ACTIVE,
        )
        parcels = parcels.filter(pk__in=Parcel.objects.filter(held).values("pk"))
    fields = (
        "id",
        "code",
        "zone",
        "block",
        "village_id",
        "declared_rai",
        "declared_ngan",
        "declared_wah",
        "area_m2",
    )
    snap.parcels = {row[0]: ParcelRow._make(row) for row in parcels.values_list(*fields)}
    ids = list(snap.parcels) if party_id is not None else None

    def on_parcels(qs: QuerySet, prefix: str) -> QuerySet:
        qs = qs.filter(**{f"{prefix}organisation_id": org_id, f"{prefix}status": RegisterStatus.ACTIVE})
        return qs if ids is None else qs.filter(**{f"{prefix}id__in": ids})

    for pid, cat, pct, unused in on_parcels(LandUsePortion.objects, "parcel__").values_list(
        "parcel_id", "category", "share_percent", "years_unused"
    ):
        snap.land_uses[pid].append(LandUseRow(cat, pct, unused))
    snap.parcel_rights = [
        RightRow._make(row)
        for row in on_parcels(ParcelRight.objects, "parcel__")
        .filter(right_type__in=TAXED_RIGHTS)
        .values_list("party_id", "parcel_id", "share_numerator", "share_denominator")
    ]
    buildings = Building.objects.filter(organisation_id=org_id, status=RegisterStatus.ACTIVE)
    if ids is not None:
        buildings = buildings.filter(parcel_id__in=ids)
    snap.buildings = {
        row[0]: BuildingRow._make(row)
        for row in buildings.values_list(
            "id", "parcel_id", "number", "building_type", "material", "floor_area_m2", "year_built"
        )
    }
    uses = BuildingUsePortion.objects.filter(
        building__organisation_id=org_id, building__status=RegisterStatus.ACTIVE
    )
    rights = BuildingRight.objects.filter(
        building__organisation_id=org_id, building__status=RegisterStatus.ACTIVE, right_type__in=TAXED_RIGHTS
    )
    if ids is not None:
        uses = uses.filter(building__parcel_id__in=ids)
        rights = rights.filter(building__parcel_id__in=ids)
    for bid, cat, pct in uses.values_list("building_id", "category", "share_percent"):
        snap.building_uses[bid].append(BuildingUseRow(cat, pct))
    snap.building_rights = [
        RightRow._make(row)
        for row in rights.values_list("party_id", "building_id", "share_numerator", "share_denominator")
    ]
    parties = Party.objects.filter(organisation_id=org_id)
    if ids is not None:
        parties = parties.filter(pk__in={r.party_id for r in (*snap.parcel_rights, *snap.building_rights)})
    snap.parties = {
        row[0]: PartyRow._make(row)
        for row in parties.values_list(
            "id", "kind", "household__building__parcel_id", "household__status", "household__village_id"
        )
    }
    for zone, block, pid, price in LandPrice.objects.filter(tax_year=tax_year).values_list(
        "zone", "block", "parcel_id", "price_per_sq_wah"
    ):
        if pid is not None:
            snap.price_parcel[pid] = price
        else:
            snap.price_zone[(zone, block)] = price
    snap.costs = dict(
        BuildingCost.objects.filter(tax_year=tax_year).values_list("building_type", "cost_per_m2")
    )
    for mat, a_from, a_to, pct in Depreciation.objects.filter(tax_year=tax_year).values_list(
        "material", "age_from", "age_to", "percent"
    ):
        snap.depreciation[mat].append((a_from, a_to, pct))
    year = tax_year.year
    for parcel_id, building_id, code in (
        SpecialReductionRecord.objects.filter(organisation_id=org_id, from_year__lte=year)
        .filter(Q(to_year__isnull=True) | Q(to_year__gte=year))
        .values_list("parcel_id", "building_id", "code")
    ):
        if parcel_id is not None:
            snap.special_parcel[parcel_id] = code
        else:
            snap.special_building[building_id] = code
    issued = Assessment.objects.filter(tax_year=tax_year, status=AssessmentStatus.ISSUED)
    if party_id is not None:
        issued = issued.filter(party_id=party_id)
    snap.issued_parties = set(issued.values_list("party_id", flat=True))
    return snap
