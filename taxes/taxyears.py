"""Tax years of an organisation: their rules (from :mod:`taxes.law`), the tax office settings, and the
due dates an office sets when the year's own dates cannot be met.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from gis_portal.errors import DomainError, NotFoundError
from parcels.models import Organisation

from . import engine
from .law import TREASURY_DEPRECIATION
from .models import BuildingCost, Depreciation, LandPrice, TaxOffice, TaxYear
from .rules import RulesError, default_rules_dict, rules_from_dict

#: Rules an office decides for itself and keeps from year to year (local rates by ordinance, ...).
OFFICE_KEYS = ("schedules", "aggregate_by_category", "rounding", "notice")


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
            problems=getattr(exc, "problems", [str(exc)]),
        ) from None


@transaction.atomic
def tax_year_create(
    *, organisation: Organisation, year: int, rules: dict[str, Any] | None = None, depreciation: bool = True
) -> TaxYear:
    """A tax year with the rules of taxes.law (or the given dict), the Treasury depreciation table
    (unless ``depreciation`` is False) and empty price tables."""
    if TaxYear.objects.filter(organisation=organisation, year=year).exists():
        raise DomainError("tax_year_exists", f"Tax year {year} already exists", f"ปีภาษี {year + 543} มีอยู่แล้ว")
    data = rules if rules is not None else default_rules_dict(year)
    data = {**data, "year": year}
    ty = TaxYear(organisation=organisation, year=year, rules=data)
    tax_year_rules(ty)  # validate before saving
    ty.save()
    if depreciation:
        Depreciation.objects.bulk_create(
            Depreciation(tax_year=ty, material=material, age_from=a, age_to=b, percent=pct)
            for material, rows in TREASURY_DEPRECIATION.items()
            for a, b, pct in rows
        )
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
    # The law of the new year (its reduction, dates, transitional rules, sources) comes from taxes.law;
    # what the office decided (local rates by ordinance, aggregation, rounding, its notice check) is kept.
    rules = default_rules_dict(to_year)
    for key in OFFICE_KEYS:
        if key in source.rules:
            rules[key] = source.rules[key]
    ty = tax_year_create(organisation=organisation, year=to_year, rules=rules, depreciation=False)
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


def year_due_dates(tax_year: TaxYear, rules: engine.TaxYearRules) -> tuple[tuple[date, ...], bool]:
    """The due dates notices carry now: the office's (True) when it set them, else the year's (False)."""
    if tax_year.office_due_dates:
        return tuple(tax_year.office_due_dates), True
    return rules.default_due_dates(), False


def check_payable_dates(dates: Sequence[date], issued_on: date, min_days: int) -> list[str]:
    """Problems with notices issued on ``issued_on`` carrying ``dates`` (empty when they can be met)."""
    problems = []
    if any(b <= a for a, b in zip(dates, dates[1:], strict=False)):
        problems.append("the due dates must each be later than the one before")
    if dates and dates[0] < issued_on + timedelta(days=min_days):
        problems.append(
            f"the first due date {dates[0].isoformat()} leaves less than {min_days} days after the notice "
            f"({issued_on.isoformat()}): the taxpayer could not pay in time"
        )
    return problems


@transaction.atomic
def tax_year_set_office_dates(
    *, tax_year: TaxYear, dates: Sequence[date], reason: str, user: Any = None, today: date | None = None
) -> TaxYear:
    """Record the due dates the office sets (Sec. 14) for the notices it issues from now, with the reason.

    The dates are checked as an issue on ``today`` would check them; an empty list goes back to the
    year's own dates. Every problem is listed; nothing is saved when there is one.
    """
    ty = TaxYear.objects.select_for_update().get(pk=tax_year.pk)
    rules = tax_year_rules(ty)
    today = today or timezone.localdate()
    dates = list(dates)
    problems = []
    if dates:
        if not reason.strip():
            problems.append(
                "give the reason for the office's dates (e.g. the notices could not be issued in time)"
            )
        count = rules.installment_count
        if len(dates) != count:
            problems.append(f"give {count} due dates (one per installment), got {len(dates)}")
        if dates[0].year < ty.year:
            problems.append(f"a due date cannot be before the tax year {ty.year}")
        problems += check_payable_dates(dates, today, rules.notice_min_days_to_pay)
    if problems:
        raise DomainError(
            "office_dates_invalid",
            "The dates were not saved: " + "; ".join(problems),
            "ไม่ได้บันทึกกำหนดชำระ: " + "; ".join(problems),
            problems=problems,
        )
    ty.office_due_dates = dates
    ty.office_dates_reason = reason.strip() if dates else ""
    ty.office_dates_set_at = timezone.now()
    ty.office_dates_set_by = user if getattr(user, "is_authenticated", False) else None
    ty.save(
        update_fields=[
            "office_due_dates",
            "office_dates_reason",
            "office_dates_set_at",
            "office_dates_set_by",
        ]
    )
    return ty
