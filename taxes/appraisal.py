"""Appraisal tables of a tax year from CSV: land prices, building costs, depreciation.

An import replaces that table of the year; every row is checked first and any problem refuses the
whole file with every problem listed (nothing written): a negative price, a depreciation percent
above 100, overlapping age bands, an unknown type or material, a duplicate.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from gis_portal.errors import DomainError
from parcels.models import BuildingMaterial, BuildingType, Parcel, RegisterStatus

from .models import BuildingCost, Depreciation, LandPrice, TaxYear


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
    if not value.is_finite():
        problems.append(f"{where}: not a finite number: {text!r}")
        return None
    if value < 0:
        problems.append(f"{where}: negative ({text}); prices, costs and percents are 0 or more")
        return None
    if value != value.quantize(Decimal("0.01")) or value >= Decimal("1e12"):
        problems.append(f"{where}: at most 2 decimals and below 1,000,000,000,000: {text!r}")
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
        bands: dict[str, list[tuple[int, int | None, int]]] = defaultdict(list)
        for n, r in enumerate(rows, start=2):
            pct = _money(r["percent"], f"line {n}", problems)
            if pct is not None and pct > 100:
                problems.append(f"line {n}: depreciation of {pct} % is beyond 100 %")
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
            bands[r["material"]].append((age_from, age_to, n))
            objects.append(
                Depreciation(
                    tax_year=tax_year, material=r["material"], age_from=age_from, age_to=age_to, percent=pct
                )
            )
        for material, found in bands.items():
            found.sort()
            for (_a_from, a_to, n1), (b_from, _b_to, n2) in zip(found, found[1:], strict=False):
                if a_to is None or b_from <= a_to:
                    problems.append(f"lines {n1} and {n2}: the age bands of {material} overlap")
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
