"""Writes of the tax office: tax years, appraisal tables, the yearly assessment, issue, payments.

The yearly run (:func:`assess_year`) reads the whole register of an organisation in a fixed number of
queries (one per table, never one per row), builds the engine's inputs in Python, runs the pure engine
per taxpayer and writes the drafts with one ``COPY`` into a temporary table merged into the year's
drafts (changed drafts updated, unchanged ones left alone, new ones inserted, those of taxpayers no
longer assessed deleted). Each draft's itemised result is stored compactly (:mod:`taxes.itemised`).
Issued notices are never touched, and their taxpayers are skipped.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gis_portal.errors import DomainError, NotFoundError
from parcels.models import (
    Building,
    BuildingMaterial,
    BuildingRight,
    BuildingType,
    BuildingUsePortion,
    LandUse,
    LandUsePortion,
    Organisation,
    Parcel,
    ParcelRight,
    Party,
    PartyKind,
    RegisterStatus,
)

from . import engine
from .engine import BuildingPortion, LandPortion, Property, Taxpayer, TaxpayerKind, Use
from .itemised import pack, register_note
from .models import (
    Assessment,
    AssessmentStatus,
    BuildingCost,
    CaseStatus,
    Depreciation,
    Installment,
    LandPrice,
    Objection,
    Payment,
    PaymentChannel,
    Refund,
    RefundStatus,
    TaxOffice,
    TaxYear,
)
from .rules import RulesError, default_rules_dict, rules_from_dict

ZERO = Decimal("0.00")
TAXED_RIGHTS = ("ownership", "possession")  # the owner or possessor pays (Sec. 7, verify for possession)
CATEGORY_OF_SCHEDULE = {
    "agricultural": "agricultural",
    "residential_home_land_and_building": "residential",
    "residential_home_building_only": "residential",
    "residential_other": "residential",
    "other": "other",
    "vacant": "vacant",
}

# When a building has no use recorded, its type decides (a stated default, shown as a note on the
# assessment; staff correct the register's building uses where it is wrong).
USE_OF_BUILDING_TYPE = {
    BuildingType.DETACHED_HOUSE: LandUse.RESIDENTIAL,
    BuildingType.ROW_HOUSE: LandUse.RESIDENTIAL,
    BuildingType.HUT: LandUse.RESIDENTIAL,
    BuildingType.SHOPHOUSE: LandUse.OTHER,
    BuildingType.WAREHOUSE: LandUse.OTHER,
    BuildingType.OFFICE: LandUse.OTHER,
    BuildingType.RESORT: LandUse.OTHER,
    BuildingType.OTHER: LandUse.OTHER,
    BuildingType.BARN: LandUse.AGRICULTURAL,
    BuildingType.RELIGIOUS: LandUse.EXEMPT,
    BuildingType.SCHOOL: LandUse.EXEMPT,
}

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


# ---------------------------------------------------------------------------------------------------
# Tax years and appraisal tables
# ---------------------------------------------------------------------------------------------------


def tax_office_for(organisation: Organisation) -> TaxOffice:
    office, _ = TaxOffice.objects.get_or_create(organisation=organisation)
    return office


def tax_year_get(organisation: Organisation, year: int) -> TaxYear:
    ty = TaxYear.objects.filter(organisation=organisation, year=year).select_related("organisation").first()
    if ty is None:
        raise NotFoundError(
            "tax_year_not_found",
            f"Tax year {year} is not set up for {organisation.slug}; create it (copy_tax_year) first",
            f"ยังไม่ได้ตั้งปีภาษี {year + 543} ของ {organisation.name_th} กรุณาสร้างปีภาษีก่อน",
        )
    return ty


def tax_year_rules(tax_year: TaxYear) -> engine.TaxYearRules:
    try:
        return rules_from_dict({**tax_year.rules, "year": tax_year.year})
    except (RulesError, ValueError, TypeError) as exc:
        raise DomainError(
            "tax_year_rules_invalid",
            f"The rules of tax year {tax_year.year} are invalid: {exc}",
            f"อัตราภาษีของปี {tax_year.year + 543} ไม่ถูกต้อง: {exc}",
        ) from None


@transaction.atomic
def tax_year_create(*, organisation: Organisation, year: int, rules: dict[str, Any] | None = None) -> TaxYear:
    """A tax year with the default rules of taxes.rules (or the given dict) and empty tables."""
    if TaxYear.objects.filter(organisation=organisation, year=year).exists():
        raise DomainError("tax_year_exists", f"Tax year {year} already exists", f"ปีภาษี {year + 543} มีอยู่แล้ว")
    data = rules if rules is not None else default_rules_dict(year)
    data = {**data, "year": year}
    ty = TaxYear(organisation=organisation, year=year, rules=data)
    tax_year_rules(ty)  # validate before saving
    ty.save()
    return ty


@transaction.atomic
def tax_year_copy(*, organisation: Organisation, to_year: int, from_year: int | None = None) -> TaxYear:
    """A new year as a copy of the last (or ``from_year``): rules and every appraisal table."""
    src_qs = TaxYear.objects.filter(organisation=organisation, year__lt=to_year)
    if from_year is not None:
        src_qs = src_qs.filter(year=from_year)
    source = src_qs.order_by("-year").first()
    if source is None:
        raise NotFoundError(
            "tax_year_source_missing",
            "There is no earlier tax year to copy",
            "ไม่มีปีภาษีก่อนหน้าให้คัดลอก",
        )
    rules = dict(source.rules)
    # Year-specific relief (reductions) is never carried into a new year silently.
    rules["reduction_percent"] = default_rules_dict(to_year)["reduction_percent"]
    rules["individual_agricultural_fully_exempt"] = default_rules_dict(to_year)[
        "individual_agricultural_fully_exempt"
    ]
    ty = tax_year_create(organisation=organisation, year=to_year, rules=rules)
    LandPrice.objects.bulk_create(
        LandPrice(
            tax_year=ty,
            zone=r.zone,
            block=r.block,
            parcel_id=r.parcel_id,
            price_per_sq_wah=r.price_per_sq_wah,
        )
        for r in source.land_prices.all()
    )
    BuildingCost.objects.bulk_create(
        BuildingCost(tax_year=ty, building_type=r.building_type, cost_per_m2=r.cost_per_m2)
        for r in source.building_costs.all()
    )
    Depreciation.objects.bulk_create(
        Depreciation(
            tax_year=ty, material=r.material, age_from=r.age_from, age_to=r.age_to, percent=r.percent
        )
        for r in source.depreciation.all()
    )
    return ty


def _csv_rows(text: str, required: Sequence[str]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise DomainError(
            "csv_columns_missing",
            f"CSV columns missing: {', '.join(missing)} (needed: {', '.join(required)})",
            f"ไม่มีคอลัมน์ {', '.join(missing)} ในไฟล์ CSV",
        )
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _money(text: str, where: str, problems: list[str]) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        problems.append(f"{where}: not a number: {text!r}")
        return None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        problems.append(f"{where}: must be a non-negative amount with at most 2 decimals: {text!r}")
        return None
    return value


APPRAISAL_KINDS = {
    "land": ("zone", "block", "parcel_code", "price_per_sq_wah"),
    "building": ("building_type", "cost_per_m2"),
    "depreciation": ("material", "age_from", "age_to", "percent"),
}


@transaction.atomic
def appraisal_import_csv(*, tax_year: TaxYear, kind: str, text: str) -> int:
    """Replace one appraisal table of a tax year from CSV text (format in docs/TAX.md).

    Every row is checked first; any problem refuses the whole file and nothing is written.
    """
    if kind not in APPRAISAL_KINDS:
        raise DomainError("appraisal_kind_unknown", f"Unknown table {kind!r}", f"ไม่รู้จักตาราง {kind!r}")
    rows = _csv_rows(text, APPRAISAL_KINDS[kind][1:] if kind == "land" else APPRAISAL_KINDS[kind])
    problems: list[str] = []
    objects: list[Any] = []
    if kind == "land":
        codes = {r.get("parcel_code", "") for r in rows} - {""}
        parcel_ids = dict(
            Parcel.objects.filter(
                organisation_id=tax_year.organisation_id, code__in=codes, status=RegisterStatus.ACTIVE
            ).values_list("code", "id")
        )
        seen: set[tuple] = set()
        for n, r in enumerate(rows, start=2):
            price = _money(r["price_per_sq_wah"], f"line {n}", problems)
            code = r.get("parcel_code", "")
            key: tuple
            if code:
                if code not in parcel_ids:
                    problems.append(f"line {n}: no active parcel {code!r}")
                    continue
                key = ("p", parcel_ids[code])
                obj = LandPrice(tax_year=tax_year, parcel_id=parcel_ids[code], price_per_sq_wah=price)
            else:
                zone, block = r.get("zone", ""), r.get("block", "").upper()
                if not zone.isdigit() or len(zone) != 2:
                    problems.append(f"line {n}: zone must be 2 digits (or give parcel_code): {zone!r}")
                    continue
                key = ("z", zone, block)
                obj = LandPrice(tax_year=tax_year, zone=zone, block=block, price_per_sq_wah=price)
            if key in seen:
                problems.append(f"line {n}: the same zone/block or parcel is given twice")
            seen.add(key)
            objects.append(obj)
    elif kind == "building":
        types = set(BuildingType.values)
        seen_t: set[str] = set()
        for n, r in enumerate(rows, start=2):
            cost = _money(r["cost_per_m2"], f"line {n}", problems)
            if r["building_type"] not in types:
                problems.append(
                    f"line {n}: unknown building_type {r['building_type']!r}; use {sorted(types)}"
                )
            elif r["building_type"] in seen_t:
                problems.append(f"line {n}: building_type {r['building_type']!r} given twice")
            seen_t.add(r["building_type"])
            objects.append(
                BuildingCost(tax_year=tax_year, building_type=r["building_type"], cost_per_m2=cost)
            )
    else:
        materials = set(BuildingMaterial.values)
        for n, r in enumerate(rows, start=2):
            pct = _money(r["percent"], f"line {n}", problems)
            if pct is not None and pct > 100:
                problems.append(f"line {n}: percent must be 0-100")
            if r["material"] not in materials:
                problems.append(f"line {n}: unknown material {r['material']!r}; use {sorted(materials)}")
            try:
                age_from = int(r["age_from"])
                age_to = int(r["age_to"]) if r["age_to"] else None
                if age_from < 0 or (age_to is not None and age_to < age_from):
                    raise ValueError
            except ValueError:
                problems.append(f"line {n}: age_from/age_to must be whole years, age_to >= age_from or blank")
                continue
            objects.append(
                Depreciation(
                    tax_year=tax_year, material=r["material"], age_from=age_from, age_to=age_to, percent=pct
                )
            )
    if not rows:
        problems.append("the file has no rows")
    if problems:
        raise DomainError(
            "appraisal_csv_invalid",
            "The file was not imported: " + "; ".join(problems[:20]),
            "ไม่ได้นำเข้าไฟล์: " + "; ".join(problems[:20]),
            problems=problems,
        )
    model = {"land": LandPrice, "building": BuildingCost, "depreciation": Depreciation}[kind]
    model.objects.filter(tax_year=tax_year).delete()
    model.objects.bulk_create(objects)
    return len(objects)


# ---------------------------------------------------------------------------------------------------
# The yearly assessment
# ---------------------------------------------------------------------------------------------------


@dataclass
class AssessResult:
    taxpayers: int = 0
    drafts_written: int = 0  # the run's drafts: inserted + updated + unchanged
    drafts_deleted: int = 0  # drafts of taxpayers no longer assessed
    drafts_updated: int = 0  # drafts whose result changed (same row, new content)
    drafts_inserted: int = 0
    drafts_unchanged: int = 0
    skipped_issued: int = 0
    total: Decimal = ZERO
    notes: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def _sq_wah(rai: int | None, ngan: int | None, wah: Decimal | None, area_m2: float | None) -> Decimal:
    if rai is not None or ngan is not None or wah is not None:
        return Decimal((rai or 0) * 400 + (ngan or 0) * 100) + (wah or Decimal(0))
    # no declared area: the surveyed (geodesic) area, 1 sq wah = 4 m²
    return (Decimal(str(area_m2 or 0)) / 4).quantize(Decimal("0.01"))


def _pct_share(pct: Decimal) -> Fraction:
    return Fraction(pct) / 100


def _depreciation_for(
    table: dict[str, list[tuple[int, int | None, Decimal]]], material: str, age: int
) -> Decimal:
    for age_from, age_to, pct in table.get(material, ()):
        if age_from <= age and (age_to is None or age <= age_to):
            return pct
    return Decimal(0)


def assess_year(
    *, organisation: Organisation, year: int, progress: Progress = _quiet, user: Any = None
) -> AssessResult:
    """Assess every taxpayer of the register for ``year``: drafts replaced, issued notices kept."""
    started = time.perf_counter()
    result = AssessResult()
    tax_year = tax_year_get(organisation, year)
    rules = tax_year_rules(tax_year)
    org_id = organisation.pk
    timings = result.timings

    def mark(name: str, t0: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - t0, 3)
        return now

    t = time.perf_counter()
    # --- read the register: one query per table --------------------------------------------------
    parcels = {
        row[0]: row
        for row in Parcel.objects.filter(organisation_id=org_id, status=RegisterStatus.ACTIVE).values_list(
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
    }
    land_uses: dict[int, list[tuple[str, Decimal, int]]] = defaultdict(list)
    for pid, cat, pct, unused in LandUsePortion.objects.filter(
        parcel__organisation_id=org_id, parcel__status=RegisterStatus.ACTIVE
    ).values_list("parcel_id", "category", "share_percent", "years_unused"):
        land_uses[pid].append((cat, pct, unused))
    parcel_rights = list(
        ParcelRight.objects.filter(
            parcel__organisation_id=org_id, parcel__status=RegisterStatus.ACTIVE, right_type__in=TAXED_RIGHTS
        ).values_list("party_id", "parcel_id", "share_numerator", "share_denominator")
    )
    buildings = {
        row[0]: row
        for row in Building.objects.filter(organisation_id=org_id, status=RegisterStatus.ACTIVE).values_list(
            "id", "parcel_id", "number", "building_type", "material", "floor_area_m2", "year_built"
        )
    }
    building_uses: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for bid, cat, pct in BuildingUsePortion.objects.filter(
        building__organisation_id=org_id, building__status=RegisterStatus.ACTIVE
    ).values_list("building_id", "category", "share_percent"):
        building_uses[bid].append((cat, pct))
    building_rights = list(
        BuildingRight.objects.filter(
            building__organisation_id=org_id,
            building__status=RegisterStatus.ACTIVE,
            right_type__in=TAXED_RIGHTS,
        ).values_list("party_id", "building_id", "share_numerator", "share_denominator")
    )
    parties = {
        row[0]: row
        for row in Party.objects.filter(organisation_id=org_id).values_list(
            "id", "kind", "household__building__parcel_id", "household__status", "household__village_id"
        )
    }
    price_parcel: dict[int, Decimal] = {}
    price_zone: dict[tuple[str, str], Decimal] = {}
    for zone, block, pid, price in LandPrice.objects.filter(tax_year=tax_year).values_list(
        "zone", "block", "parcel_id", "price_per_sq_wah"
    ):
        if pid is not None:
            price_parcel[pid] = price
        else:
            price_zone[(zone, block)] = price
    costs = dict(BuildingCost.objects.filter(tax_year=tax_year).values_list("building_type", "cost_per_m2"))
    dep_table: dict[str, list[tuple[int, int | None, Decimal]]] = defaultdict(list)
    for mat, a_from, a_to, pct in Depreciation.objects.filter(tax_year=tax_year).values_list(
        "material", "age_from", "age_to", "percent"
    ):
        dep_table[mat].append((a_from, a_to, pct))
    issued_parties = set(
        Assessment.objects.filter(tax_year=tax_year, status=AssessmentStatus.ISSUED).values_list(
            "party_id", flat=True
        )
    )
    t = mark("read", t)
    progress(
        f"read the register: {len(parcels)} parcels, {len(buildings)} buildings, "
        f"{len(parcel_rights) + len(building_rights)} rights, {len(parties)} parties "
        f"({timings['read']:.2f} s)"
    )

    # --- build the engine inputs -----------------------------------------------------------------
    # party -> parcel id -> ([land portions], [building portions], [notes])
    holdings: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(lambda: [[], [], []]))
    for party_id, pid, num, den in parcel_rights:
        p = parcels[pid]
        slot = holdings[party_id][pid]
        code = p[1]
        price = price_parcel.get(pid, price_zone.get((p[2], p[3]), price_zone.get((p[2], ""))))
        uses = land_uses.get(pid)
        if price is None:
            slot[2].append(register_note("note.no_land_price", code, p[2], p[3]))
            continue
        if not uses:
            slot[2].append(register_note("note.no_land_use", code))
            continue
        area = _sq_wah(p[5], p[6], p[7], p[8])
        own = Fraction(num, den)
        for cat, pct, _unused in uses:
            if cat == LandUse.EXEMPT:
                continue
            slot[0].append(
                LandPortion(
                    area_sq_wah=area,
                    price_per_sq_wah=price,
                    use=Use(cat),
                    use_share=_pct_share(pct),
                    ownership_share=own,
                    ref=code,
                )
            )
    for party_id, bid, num, den in building_rights:
        b = buildings[bid]
        pid = b[1]
        code = parcels[pid][1] if pid in parcels else str(pid)
        ref = f"{code}/{b[2]}"
        number = str(b[2])
        slot = holdings[party_id][pid]
        cost = costs.get(b[3])
        uses_b = building_uses.get(bid)
        if not uses_b and b[3] in USE_OF_BUILDING_TYPE:
            uses_b = [(USE_OF_BUILDING_TYPE[b[3]], Decimal(100))]
            slot[2].append(register_note("note.building_use_from_type", code, number, str(uses_b[0][0])))
        if cost is None or not uses_b:
            missing = "cost" if cost is None else "use"
            slot[2].append(register_note("note.building_not_valued", code, number, missing))
            continue
        if b[6] is None:
            dep = Decimal(0)
            slot[2].append(register_note("note.building_age_unknown", code, number))
        else:
            dep = _depreciation_for(dep_table, b[4], max(year - b[6], 0))
        own = Fraction(num, den)
        for cat, pct in uses_b:
            if cat == LandUse.EXEMPT:
                continue
            slot[1].append(
                BuildingPortion(
                    floor_area_m2=b[5],
                    cost_per_m2=cost,
                    use=Use(cat),
                    depreciation_percent=dep,
                    use_share=_pct_share(pct),
                    ownership_share=own,
                    ref=ref,
                )
            )
    t = mark("build", t)

    # --- run the engine --------------------------------------------------------------------------
    rows: list[Assessment] = []
    problems: list[str] = []
    now = timezone.now()
    for party_id, by_parcel in holdings.items():
        if party_id in issued_parties:
            result.skipped_issued += 1
            continue
        party = parties[party_id]
        individual = party[1] == PartyKind.PERSON
        home_parcel = party[2] if individual and party[3] == RegisterStatus.ACTIVE else None
        props = []
        notes: list[list[str]] = []
        parcel_ids = []
        village_id = party[4]
        for pid, (land, blds, pnotes) in by_parcel.items():
            notes.extend(pnotes)
            parcel_ids.append(pid)
            if village_id is None and pid in parcels:
                village_id = parcels[pid][4]
            if land or blds:
                vacant_years = max(
                    (u[2] for u in land_uses.get(pid, ()) if u[0] == LandUse.VACANT), default=0
                )
                props.append(
                    Property(
                        ref=parcels[pid][1] if pid in parcels else str(pid),
                        land=tuple(land),
                        buildings=tuple(blds),
                        house_registration=pid == home_parcel,
                        years_vacant=vacant_years,
                    )
                )
        try:
            taxpayer = Taxpayer(
                kind=TaxpayerKind.INDIVIDUAL if individual else TaxpayerKind.JURISTIC,
                properties=tuple(props),
                id=str(party_id),
            )
            assessment = engine.assess(taxpayer, rules)
        except (TypeError, ValueError) as exc:
            problems.append(f"party {party_id}: {exc}")
            continue
        # compact: codes, numbers and the arguments of each text (taxes.itemised renders the texts)
        detail = pack(assessment, notes)
        by_schedule: dict[str, Decimal] = defaultdict(Decimal)
        for v in assessment.valuations:
            by_schedule[CATEGORY_OF_SCHEDULE[v.schedule.value]] += v.value
        category = max(by_schedule.items(), key=lambda kv: (kv[1], kv[0]))[0] if by_schedule else ""
        result.total += assessment.total
        result.notes += len(notes) + len(assessment.notes)
        rows.append(
            Assessment(
                organisation_id=org_id,
                tax_year=tax_year,
                party_id=party_id,
                village_id=village_id,
                category=category,
                status=AssessmentStatus.DRAFT,
                value=assessment.value,
                exemption=assessment.exemption,
                total=assessment.total,
                detail=detail,
                parcel_ids=sorted(parcel_ids),
                created_at=now,
            )
        )
    result.taxpayers = len(rows)
    t = mark("engine", t)
    progress(f"assessed {len(rows)} taxpayers in {timings['engine']:.2f} s; total tax {result.total:,.2f}")
    if problems:
        raise DomainError(
            "assessment_input_invalid",
            f"{len(problems)} taxpayers could not be assessed; nothing was written: "
            + "; ".join(problems[:20]),
            f"ประเมินไม่ได้ {len(problems)} ราย จึงไม่ได้บันทึกผล: " + "; ".join(problems[:20]),
            problems=problems,
        )

    # --- write: drafts replaced in one transaction -----------------------------------------------
    t_encode = time.perf_counter()
    encoded = [json.dumps(a.detail, ensure_ascii=False, separators=(",", ":")) for a in rows]
    timings["encode"] = round(time.perf_counter() - t_encode, 3)
    with transaction.atomic():
        TaxYear.objects.select_for_update().filter(pk=tax_year.pk).first()
        with connection.cursor() as cur:
            counts = _write_drafts(cur, tax_year, rows, encoded, now, timings)
        result.drafts_deleted = counts["deleted"]
        result.drafts_updated = counts["updated"]
        result.drafts_inserted = counts["inserted"]
        result.drafts_unchanged = counts["unchanged"]
        result.skipped_issued += counts["skipped"]
        progress(
            f"wrote {len(rows)} drafts: {counts['inserted']} new, {counts['updated']} changed, "
            f"{counts['unchanged']} unchanged, {counts['deleted']} deleted ({timings['copy']:.2f} s COPY)"
        )
        TaxYear.objects.filter(pk=tax_year.pk).update(last_assessed_at=now)
        t_commit = time.perf_counter()
    # the COMMIT (deferred foreign key checks of the new rows, WAL flush) is database time too
    timings["commit"] = round(time.perf_counter() - t_commit, 3)
    result.drafts_written = counts["inserted"] + counts["updated"] + counts["unchanged"]
    mark("write", t)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


_COPY_COLUMNS = (
    "organisation_id",
    "tax_year_id",
    "party_id",
    "village_id",
    "category",
    "status",
    "value",
    "exemption",
    "total",
    "detail",
    "parcel_ids",
    "notice_number",
    "paid",
    "surcharge_paid",
    "surcharge_accrued",
    "created_at",
)


def _write_drafts(
    cur: Any,
    tax_year: TaxYear,
    rows: Sequence[Assessment],
    details: Sequence[str],
    now: Any,
    timings: dict[str, float],
) -> dict[str, int]:
    """Make the year's drafts those of ``rows``, writing only what changed (under the tax year's lock).

    A taxpayer's draft keeps its row (and id) from run to run: it is updated when its result changed
    and left alone when not; a new taxpayer's draft is written with ``COPY``; the drafts of taxpayers
    no longer assessed are deleted. Deleting and re-inserting every draft instead costs the deleted
    rows' foreign key checks (installments, payments, objections, refunds point here) and the new rows'
    (organisation, tax year, party, village): about as much again as writing the rows
    (docs/PERFORMANCE.md). Which taxpayers already have a live assessment is read here, under the
    lock, so no statement depends on the planner's statistics being fresh (right after a first run
    they say the year has no drafts). Issued and cancelled assessments are never touched.
    ``details`` are the rows' ``detail`` already encoded as JSON text (the server parses it to jsonb).
    """
    cur.execute(
        "SELECT party_id, id, status FROM taxes_assessment WHERE tax_year_id = %s AND status <> %s",
        [tax_year.pk, AssessmentStatus.CANCELLED.value],
    )
    live = {party_id: (pk, status) for party_id, pk, status in cur.fetchall()}
    fresh: list[int] = []  # indexes into rows
    existing: list[tuple[int, int]] = []  # (index into rows, id of the draft)
    skipped = 0
    for i, a in enumerate(rows):
        found = live.pop(a.party_id, None)
        if found is None:
            fresh.append(i)
        elif found[1] == AssessmentStatus.DRAFT:
            existing.append((i, found[0]))
        else:  # issued since the run read the register (another run or an issue in between)
            skipped += 1
    gone = [pk for pk, status in live.values() if status == AssessmentStatus.DRAFT]

    # Drafts of taxpayers no longer assessed. Drafts never have installments, payments, objections
    # or refunds (they come with the issue); the statement checks it anyway.
    cur.execute(
        "DELETE FROM taxes_assessment a WHERE a.id = ANY(%(ids)s) AND a.status = %(draft)s"
        " AND NOT EXISTS (SELECT 1 FROM taxes_installment i WHERE i.assessment_id = a.id)"
        " AND NOT EXISTS (SELECT 1 FROM taxes_payment p WHERE p.assessment_id = a.id)"
        " AND NOT EXISTS (SELECT 1 FROM taxes_objection o WHERE o.assessment_id = a.id)"
        " AND NOT EXISTS (SELECT 1 FROM taxes_refund r WHERE r.assessment_id = a.id)",
        {"ids": gone, "draft": AssessmentStatus.DRAFT.value},
    )
    deleted = cur.rowcount

    # Existing drafts: the new results go to a temporary table (not WAL-logged, no constraints) and
    # only the drafts whose result differs are updated.
    cur.execute(
        # memory for the UPDATE's hash join of a whole year's drafts (no spill to disk), and a primary
        # key: whatever plan the statistics lead to, the join can probe an index
        "SET LOCAL work_mem = '64MB';"
        " CREATE TEMPORARY TABLE taxes_assess_new (id bigint PRIMARY KEY, village_id bigint,"
        " category varchar(40) NOT NULL, value numeric(14,2) NOT NULL, exemption numeric(14,2) NOT NULL,"
        " total numeric(14,2) NOT NULL, detail jsonb NOT NULL, parcel_ids bigint[] NOT NULL) ON COMMIT DROP"
    )
    sql = "COPY taxes_assess_new (id, village_id, category, value, exemption, total, detail, parcel_ids)"
    sql += " FROM STDIN"
    t_copy = time.perf_counter()
    with cur.cursor.copy(sql) as copy:
        for i, pk in existing:
            a = rows[i]
            copy.write_row(
                (pk, a.village_id, a.category, a.value, a.exemption, a.total, details[i], a.parcel_ids)
            )
    copy_seconds = time.perf_counter() - t_copy
    cur.execute(
        "UPDATE taxes_assessment a SET village_id = n.village_id, category = n.category, value = n.value,"
        " exemption = n.exemption, total = n.total, detail = n.detail, parcel_ids = n.parcel_ids,"
        " created_at = %(now)s"
        " FROM taxes_assess_new n WHERE a.id = n.id"
        " AND (a.village_id, a.category, a.value, a.exemption, a.total, a.detail, a.parcel_ids)"
        " IS DISTINCT FROM (n.village_id, n.category, n.value, n.exemption, n.total, n.detail, n.parcel_ids)",
        {"now": now},
    )
    updated = cur.rowcount
    # dropped now, not at COMMIT: the run may be part of a larger transaction (a test, a script)
    cur.execute("DROP TABLE taxes_assess_new")

    # New taxpayers' drafts straight into the table.
    t_copy = time.perf_counter()
    sql = f"COPY taxes_assessment ({', '.join(_COPY_COLUMNS)}) FROM STDIN"  # noqa: S608 - constant names
    with cur.cursor.copy(sql) as copy:
        for i in fresh:
            a = rows[i]
            copy.write_row(
                (
                    a.organisation_id,
                    a.tax_year_id,
                    a.party_id,
                    a.village_id,
                    a.category,
                    a.status,
                    a.value,
                    a.exemption,
                    a.total,
                    details[i],
                    a.parcel_ids,
                    "",
                    ZERO,
                    ZERO,
                    ZERO,
                    now,
                )
            )
    timings["copy"] = round(copy_seconds + time.perf_counter() - t_copy, 3)
    return {
        "deleted": deleted,
        "updated": updated,
        "inserted": len(fresh),
        "unchanged": len(existing) - updated,
        "skipped": skipped,
    }


# ---------------------------------------------------------------------------------------------------
# Issue
# ---------------------------------------------------------------------------------------------------


def notice_number(year: int, seq: int) -> str:
    """Notice numbers: BE year and a 6-digit sequence per organisation and year ('2569000123')."""
    return f"{year + 543}{seq:06d}"


@transaction.atomic
def assessments_issue(
    *, tax_year: TaxYear, assessment_ids: Iterable[int] | None = None, user: Any = None
) -> int:
    """Issue drafts (the given ones, or all): notice numbers in village/taxpayer order and installments."""
    ty = TaxYear.objects.select_for_update().get(pk=tax_year.pk)
    rules = tax_year_rules(ty)
    qs = Assessment.objects.filter(tax_year=ty, status=AssessmentStatus.DRAFT)
    if assessment_ids is not None:
        ids = list(assessment_ids)
        qs = qs.filter(pk__in=ids)
        found = qs.count()
        if found != len(set(ids)):
            raise DomainError(
                "not_drafts",
                "Some of the chosen assessments are not drafts of this year (already issued?)",
                "บางรายการที่เลือกไม่ใช่ร่างของปีนี้ (อาจออกแบบแจ้งไปแล้ว)",
            )
    drafts = list(qs.order_by("village__number", "party_id").only("id", "total"))
    now = timezone.now()
    seq = ty.next_notice_seq
    installments: list[Installment] = []
    for a in drafts:
        a.status = AssessmentStatus.ISSUED
        a.notice_number = notice_number(ty.year, seq)
        a.issued_at = now
        seq += 1
        for inst in engine.installment_schedule(a.total, rules):
            installments.append(
                Installment(assessment=a, number=inst.number, due_date=inst.due_date, amount=inst.amount)
            )
    Assessment.objects.bulk_update(drafts, ["status", "notice_number", "issued_at"], batch_size=5000)
    Installment.objects.bulk_create(installments, batch_size=5000)
    ty.next_notice_seq = seq
    if ty.notice_date is None:
        ty.notice_date = timezone.localdate()
    ty.save(update_fields=["next_notice_seq", "notice_date"])
    return len(drafts)


@transaction.atomic
def assessment_cancel(*, assessment: Assessment, user: Any = None) -> Assessment:
    """Cancel an issued notice with no payment (e.g. after an accepted objection); re-assess later."""
    a = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if a.payments.exists():
        raise DomainError(
            "assessment_has_payments",
            "A notice with payments cannot be cancelled; record a refund instead",
            "ยกเลิกแบบแจ้งที่มีการชำระเงินแล้วไม่ได้ กรุณาบันทึกการคืนเงินแทน",
        )
    a.status = AssessmentStatus.CANCELLED
    a.save(update_fields=["status"])
    return a


# ---------------------------------------------------------------------------------------------------
# Payments
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    tax: Decimal
    surcharge: Decimal
    overdue_tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.tax + self.surcharge


def _unpaid_installments(
    installments: Sequence[Installment], paid: Decimal
) -> list[tuple[Installment, Decimal]]:
    """The installments' unpaid parts, payments applied to the earliest first."""
    out = []
    left = paid
    for inst in installments:
        covered = min(left, inst.amount)
        left -= covered
        if inst.amount - covered > 0:
            out.append((inst, inst.amount - covered))
    return out


def amount_due(
    assessment: Assessment, on: date, rules: engine.TaxYearRules, installments: Sequence[Installment]
) -> Due:
    """Tax still unpaid, and surcharge owed on ``on`` (fixed on late payments + running on overdue tax)."""
    running = ZERO
    overdue = ZERO
    for inst, unpaid in _unpaid_installments(installments, assessment.paid):
        months = engine.months_late(inst.due_date, on)
        if months:
            overdue += unpaid
            running += engine.surcharge(unpaid, months, rules)
    surcharge_owed = max(assessment.surcharge_accrued + running - assessment.surcharge_paid, ZERO)
    return Due(tax=assessment.outstanding, surcharge=surcharge_owed, overdue_tax=overdue)


def _allocate(
    assessment: Assessment,
    installments: Sequence[Installment],
    amount: Decimal,
    paid_on: date,
    rules: engine.TaxYearRules,
) -> tuple[Decimal, Decimal, Decimal]:
    """Split a payment into tax, surcharge and excess, and update the assessment's counters in memory.

    Tax first (earliest installment first): the surcharge on any late installment it settles is fixed
    then; what is left pays the surcharge owed; anything beyond is excess (to refund). The order
    (tax before surcharge) is this office's practice as implemented, not confirmed from the Act.
    """
    tax_part = min(amount, assessment.outstanding)
    left = tax_part
    for inst, unpaid in _unpaid_installments(installments, assessment.paid):
        if left <= 0:
            break
        part = min(left, unpaid)
        left -= part
        months = engine.months_late(inst.due_date, paid_on)
        if months:
            assessment.surcharge_accrued += engine.surcharge(part, months, rules)
    assessment.paid += tax_part
    rest = amount - tax_part
    running = ZERO
    for inst, unpaid in _unpaid_installments(installments, assessment.paid):
        months = engine.months_late(inst.due_date, paid_on)
        if months:
            running += engine.surcharge(unpaid, months, rules)
    owed = max(assessment.surcharge_accrued + running - assessment.surcharge_paid, ZERO)
    surcharge_part = min(rest, owed)
    assessment.surcharge_paid += surcharge_part
    return tax_part, surcharge_part, rest - surcharge_part


def _receipt_numbers(tax_year_id: int, count: int) -> list[str]:
    ty = TaxYear.objects.select_for_update().get(pk=tax_year_id)
    first = ty.next_receipt_seq
    ty.next_receipt_seq = first + count
    ty.save(update_fields=["next_receipt_seq"])
    return [f"R{ty.year + 543}{n:06d}" for n in range(first, first + count)]


def _check_payable(a: Assessment) -> None:
    if a.status != AssessmentStatus.ISSUED:
        raise DomainError(
            "assessment_not_issued",
            f"Assessment {a.pk} is not an issued notice; payments are taken on issued notices only",
            "รับชำระได้เฉพาะแบบแจ้งที่ออกแล้ว",
        )


@transaction.atomic
def payment_record(
    *,
    assessment: Assessment,
    amount: Decimal,
    paid_on: date,
    channel: str = PaymentChannel.COUNTER,
    bank_reference: str | None = None,
    ref1: str = "",
    ref2: str = "",
    user: Any = None,
) -> Payment:
    """Record one payment (at the counter): allocated to tax then surcharge, with a receipt number."""
    if not isinstance(amount, Decimal) or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise DomainError(
            "payment_amount_invalid",
            f"The amount must be more than 0 baht in satang, got {amount}",
            f"จำนวนเงินต้องมากกว่า 0 บาท ทศนิยมไม่เกิน 2 ตำแหน่ง ({amount})",
        )
    if paid_on > timezone.localdate():
        raise DomainError("payment_in_future", "The payment date is in the future", "วันที่ชำระอยู่ในอนาคต")
    a = Assessment.objects.select_for_update().select_related("tax_year").get(pk=assessment.pk)
    _check_payable(a)
    if (
        bank_reference
        and Payment.objects.filter(organisation_id=a.organisation_id, bank_reference=bank_reference).exists()
    ):
        raise DomainError(
            "payment_duplicate",
            f"Bank reference {bank_reference} is already recorded",
            "รายการธนาคารนี้บันทึกแล้ว",
        )
    rules = tax_year_rules(a.tax_year)
    tax_part, surcharge_part, excess = _allocate(a, list(a.installments.all()), amount, paid_on, rules)
    a.save(update_fields=["paid", "surcharge_paid", "surcharge_accrued"])
    payment = Payment(
        organisation_id=a.organisation_id,
        assessment=a,
        channel=channel,
        bank_reference=bank_reference or None,
        paid_on=paid_on,
        amount=amount,
        tax_part=tax_part,
        surcharge_part=surcharge_part,
        excess_part=excess,
        ref1=ref1 or a.notice_number,
        ref2=ref2,
        receipt_number=_receipt_numbers(a.tax_year_id, 1)[0],
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    payment.full_clean(exclude=["assessment", "organisation", "recorded_by"])
    payment.save()
    if excess > 0:
        Refund.objects.create(assessment=a, amount=excess, reason=f"overpayment {payment.receipt_number}")
    return payment


@dataclass
class ImportResult:
    rows: int = 0
    recorded: int = 0
    duplicates: int = 0
    amount: Decimal = ZERO
    receipts: list[str] = field(default_factory=list)


@transaction.atomic
def payments_import(*, organisation: Organisation, rows: Sequence[Any], user: Any = None) -> ImportResult:
    """Record a bank reconciliation file's rows (see taxes.bank); idempotent on the bank reference.

    Rows already recorded (same bank reference, in this file or an earlier import) are skipped; any
    row that names no issued notice of this organisation refuses the whole file, nothing written.
    """
    result = ImportResult(rows=len(rows))
    # One import per organisation at a time: the office row is the lock.
    office = tax_office_for(organisation)
    TaxOffice.objects.select_for_update().filter(pk=office.pk).first()
    refs = [r.bank_reference for r in rows]
    existing = set(
        Payment.objects.filter(organisation=organisation, bank_reference__in=refs).values_list(
            "bank_reference", flat=True
        )
    )
    fresh = []
    seen: set[str] = set()
    for r in rows:
        if r.bank_reference in existing or r.bank_reference in seen:
            result.duplicates += 1
            continue
        seen.add(r.bank_reference)
        fresh.append(r)
    notices = {r.ref1 for r in fresh}
    assessments = {
        a.notice_number: a
        for a in Assessment.objects.select_for_update()
        .select_related("tax_year")
        .filter(organisation=organisation, notice_number__in=notices)
    }
    problems = []
    for r in fresh:
        a = assessments.get(r.ref1)
        if a is None:
            problems.append(f"line {r.line}: no notice {r.ref1!r} in {organisation.slug}")
        elif a.status != AssessmentStatus.ISSUED:
            problems.append(f"line {r.line}: notice {r.ref1} is {a.status}")
    if problems:
        raise DomainError(
            "payments_unmatched",
            "The file was not imported: " + "; ".join(problems[:20]),
            "ไม่ได้นำเข้าไฟล์: " + "; ".join(problems[:20]),
            problems=problems,
        )
    installments: dict[int, list[Installment]] = defaultdict(list)
    for inst in Installment.objects.filter(assessment__in=[a.pk for a in assessments.values()]):
        installments[inst.assessment_id].append(inst)
    rules_by_year: dict[int, engine.TaxYearRules] = {}
    by_year: dict[int, list] = defaultdict(list)
    for r in sorted(fresh, key=lambda r: (r.paid_on, r.line)):
        by_year[assessments[r.ref1].tax_year_id].append(r)
    payments: list[Payment] = []
    refunds: list[Refund] = []
    for ty_id, year_rows in by_year.items():
        numbers = _receipt_numbers(ty_id, len(year_rows))
        for r, number in zip(year_rows, numbers, strict=True):
            a = assessments[r.ref1]
            if ty_id not in rules_by_year:
                rules_by_year[ty_id] = tax_year_rules(a.tax_year)
            insts = sorted(installments[a.pk], key=lambda i: i.number)
            tax_part, surcharge_part, excess = _allocate(a, insts, r.amount, r.paid_on, rules_by_year[ty_id])
            payments.append(
                Payment(
                    organisation=organisation,
                    assessment=a,
                    channel=PaymentChannel.BANK,
                    bank_reference=r.bank_reference,
                    paid_on=r.paid_on,
                    amount=r.amount,
                    tax_part=tax_part,
                    surcharge_part=surcharge_part,
                    excess_part=excess,
                    ref1=r.ref1,
                    ref2=r.ref2,
                    receipt_number=number,
                    recorded_by=user if getattr(user, "is_authenticated", False) else None,
                )
            )
            if excess > 0:
                refunds.append(
                    Refund(assessment=a, amount=excess, reason=f"overpayment {number} ({r.bank_reference})")
                )
            result.amount += r.amount
            result.receipts.append(number)
    # The unique constraint is the backstop; the lock above means no conflict is expected here.
    Payment.objects.bulk_create(payments)
    Refund.objects.bulk_create(refunds)
    Assessment.objects.bulk_update(
        list(assessments.values()), ["paid", "surcharge_paid", "surcharge_accrued"]
    )
    result.recorded = len(payments)
    return result


# ---------------------------------------------------------------------------------------------------
# Objections and refunds
# ---------------------------------------------------------------------------------------------------


@transaction.atomic
def objection_file(*, assessment: Assessment, reason: str, filed_on: date | None = None) -> Objection:
    if not reason.strip():
        raise DomainError(
            "objection_reason_missing", "Give the reason of the objection", "กรุณาระบุเหตุผลการคัดค้าน"
        )
    if assessment.status != AssessmentStatus.ISSUED:
        raise DomainError(
            "assessment_not_issued", "Only an issued notice can be objected to", "คัดค้านได้เฉพาะแบบแจ้งที่ออกแล้ว"
        )
    return Objection.objects.create(
        assessment=assessment, reason=reason.strip(), filed_on=filed_on or timezone.localdate()
    )


@transaction.atomic
def objection_decide(*, objection: Objection, accepted: bool, decision: str) -> Objection:
    o = Objection.objects.select_for_update().get(pk=objection.pk)
    if o.status != CaseStatus.OPEN:
        raise DomainError("objection_decided", "This objection is already decided", "คำคัดค้านนี้พิจารณาแล้ว")
    o.status = CaseStatus.ACCEPTED if accepted else CaseStatus.REJECTED
    o.decision = decision
    o.decided_on = timezone.localdate()
    o.save(update_fields=["status", "decision", "decided_on"])
    return o


@transaction.atomic
def refund_mark_paid(*, refund: Refund, paid_on: date | None = None) -> Refund:
    r = Refund.objects.select_for_update().get(pk=refund.pk)
    if r.status != RefundStatus.PENDING:
        raise DomainError("refund_not_pending", "This refund is not pending", "รายการคืนเงินนี้ไม่ได้รอดำเนินการ")
    r.status = RefundStatus.PAID
    r.paid_on = paid_on or timezone.localdate()
    r.save(update_fields=["status", "paid_on"])
    return r


def last_year_totals(tax_year: TaxYear) -> dict[int, Decimal]:
    """Each party's live total of the previous tax year (for the review's difference column)."""
    prev = (
        TaxYear.objects.filter(organisation_id=tax_year.organisation_id, year__lt=tax_year.year)
        .order_by("-year")
        .values_list("pk", flat=True)
        .first()
    )
    if prev is None:
        return {}
    return dict(
        Assessment.objects.filter(tax_year_id=prev)
        .exclude(status=AssessmentStatus.CANCELLED)
        .values_list("party_id", "total")
    )
