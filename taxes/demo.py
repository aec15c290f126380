"""Demo appraisal tables and a tax year for the demo organisation (made-up figures, see docs/TAX.md).

The land prices here are invented per zone/block and the building costs are made up. Depreciation
is the Treasury's table (taxes.law.depreciation) for concrete, half-concrete and wood; the Treasury
table has no rows for steel frame, bamboo and "other", so the demo borrows the concrete rows for steel
and the wood rows for bamboo and other (a demo assumption: a real office loads its own from CSV).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from parcels.models import BuildingMaterial, BuildingType, Organisation, Parcel, RegisterStatus

from .law import TREASURY_DEPRECIATION
from .models import (
    Assessment,
    BuildingCost,
    Depreciation,
    IssueBatch,
    LandPrice,
    Objection,
    Payment,
    Refund,
    Reminder,
    ReminderBatch,
    SpecialReductionRecord,
    TaxYear,
)
from .taxyears import tax_office_for, tax_year_create

DEMO_BUILDING_COSTS = {
    BuildingType.DETACHED_HOUSE: "7600",
    BuildingType.ROW_HOUSE: "7900",
    BuildingType.SHOPHOUSE: "8300",
    BuildingType.HUT: "1500",
    BuildingType.BARN: "2600",
    BuildingType.WAREHOUSE: "5200",
    BuildingType.OFFICE: "9500",
    BuildingType.RELIGIOUS: "9000",
    BuildingType.SCHOOL: "8800",
    BuildingType.RESORT: "9800",
    BuildingType.OTHER: "4000",
}
# materials the Treasury table lacks -> the table's material the demo borrows
DEMO_BORROWED_DEPRECIATION = {
    BuildingMaterial.STEEL: BuildingMaterial.CONCRETE,
    BuildingMaterial.BAMBOO: BuildingMaterial.WOOD,
    BuildingMaterial.OTHER: BuildingMaterial.WOOD,
}
DEMO_TAX_ID = "0994000158041"  # made up for the demo (13 digits); a real office sets its own


def demo_land_price(zone: str, block: str) -> Decimal:
    """A made-up but stable price per sq wah for a zone/block: 150-2,400 baht."""
    h = zlib.crc32(f"{zone}{block}".encode())
    return Decimal(150 + (h % 16) * 150)


@transaction.atomic
def seed_tax_demo(*, organisation: Organisation, year: int, set_tax_id: bool = True) -> TaxYear:
    """Create (or refill) the tax year's tables for every zone/block of the register."""
    office = tax_office_for(organisation)
    if not office.officer_name:
        office.officer_name = "นักวิชาการจัดเก็บรายได้ (ตัวอย่าง)"
        office.save(update_fields=["officer_name"])
    if set_tax_id and not organisation.tax_id:
        organisation.tax_id = DEMO_TAX_ID
        organisation.save(update_fields=["tax_id"])
    ty = TaxYear.objects.filter(organisation=organisation, year=year).first() or tax_year_create(
        organisation=organisation, year=year
    )
    zones = (
        Parcel.objects.filter(organisation=organisation, status=RegisterStatus.ACTIVE)
        .order_by()
        .values_list("zone", "block")
        .distinct()
    )
    LandPrice.objects.filter(tax_year=ty, parcel__isnull=True).delete()
    LandPrice.objects.bulk_create(
        LandPrice(tax_year=ty, zone=z, block=b, price_per_sq_wah=demo_land_price(z, b)) for z, b in zones
    )
    BuildingCost.objects.filter(tax_year=ty).delete()
    BuildingCost.objects.bulk_create(
        BuildingCost(tax_year=ty, building_type=t, cost_per_m2=Decimal(c))
        for t, c in DEMO_BUILDING_COSTS.items()
    )
    Depreciation.objects.filter(tax_year=ty).delete()
    table = dict(TREASURY_DEPRECIATION)
    table.update({m: TREASURY_DEPRECIATION[src] for m, src in DEMO_BORROWED_DEPRECIATION.items()})
    rows = [
        Depreciation(tax_year=ty, material=material, age_from=a, age_to=b, percent=pct)
        for material, bands in table.items()
        for a, b, pct in bands
    ]
    Depreciation.objects.bulk_create(rows)
    return ty


def flush_demo(organisation: Organisation, say: Callable[[str], None]) -> None:
    """Before ``seed_demo --flush`` rebuilds the register: drop the demo's assessments and payments.

    Tax years and zone/block appraisal tables stay (they do not point at register rows).
    """
    steps = [
        ("refunds", Refund.objects.filter(assessment__organisation=organisation)),
        ("objections", Objection.objects.filter(assessment__organisation=organisation)),
        ("payments", Payment.objects.filter(organisation=organisation)),
        ("reminders", Reminder.objects.filter(assessment__organisation=organisation)),
        ("reminder batches", ReminderBatch.objects.filter(tax_year__organisation=organisation)),
        ("special reductions", SpecialReductionRecord.objects.filter(organisation=organisation)),
        ("assessments", Assessment.objects.filter(organisation=organisation, replaces__isnull=False)),
        ("assessments", Assessment.objects.filter(organisation=organisation)),
        ("issue batches", IssueBatch.objects.filter(tax_year__organisation=organisation)),
    ]
    for label, queryset in steps:
        deleted, _ = queryset.delete()
        if deleted:
            say(f"flush: deleted {deleted} tax {label} rows")
