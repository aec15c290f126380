"""Enrolment at the child development centre: eligibility from the register's birth date, seats."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from gis_portal.errors import ConflictError, DomainError
from parcels.models import Household, Party

from .models import ChildCentre, Enrolment, EnrolmentStatus


def year_start(centre: ChildCentre, school_year: int) -> date:
    return date(school_year, centre.year_starts_month, centre.year_starts_day)


def age_in_months(born: date, on: date) -> int:
    months = (on.year - born.year) * 12 + on.month - born.month
    return months - (1 if on.day < born.day else 0)


def _describe(months: int) -> tuple[str, str]:
    return f"{months // 12} ปี {months % 12} เดือน", f"{months // 12} y {months % 12} m"


def eligibility(centre: ChildCentre, child: Party, school_year: int) -> tuple[bool, int | None]:
    """(eligible, age in months on the first day of the school year) from the register's birth date."""
    if child.birth_date is None:
        return False, None
    months = age_in_months(child.birth_date, year_start(centre, school_year))
    return centre.min_age_months <= months <= centre.max_age_months, months


def seats_taken(centre: ChildCentre, school_year: int) -> int:
    return Enrolment.objects.filter(
        centre=centre, school_year=school_year, status=EnrolmentStatus.ACCEPTED
    ).count()


@transaction.atomic
def enrol(
    *,
    centre: ChildCentre,
    child: Party,
    household: Household,
    school_year: int,
    user: Any = None,
    by_resident: bool = False,
) -> Enrolment:
    """Apply for a child of the household; refuses a child outside the centre's age range."""
    if (
        child.household_id != household.pk
        or centre.organisation_id != household.organisation_id
        or not centre.active
    ):
        raise DomainError("not_a_member", "Choose a child of this household.", "กรุณาเลือกเด็กในบ้านนี้")
    ok, months = eligibility(centre, child, school_year)
    if months is None:
        raise DomainError(
            "no_birth_date",
            "The register has no birth date for this child; ask the office.",
            "ทะเบียนไม่มีวันเกิดของเด็ก กรุณาติดต่อ อบต.",
        )
    if not ok:
        age_th, age_en = _describe(max(months, 0))
        low, high = _describe(centre.min_age_months), _describe(centre.max_age_months)
        raise DomainError(
            "age_out_of_range",
            f"On {year_start(centre, school_year):%d/%m/%Y} the child will be {age_en}; the centre takes "
            f"{low[1]} to {high[1]}.",
            f"ณ วันเปิดภาคเรียน เด็กจะอายุ {age_th} ศูนย์รับอายุ {low[0]} ถึง {high[0]}",
        )
    ChildCentre.objects.select_for_update().filter(pk=centre.pk).first()  # one enrolment at a time per centre
    status = (
        EnrolmentStatus.APPLIED
        if seats_taken(centre, school_year) < centre.capacity
        else EnrolmentStatus.WAITLISTED
    )
    try:
        with transaction.atomic():
            return Enrolment.objects.create(
                organisation_id=household.organisation_id,
                centre=centre,
                child=child,
                household=household,
                school_year=school_year,
                status=status,
                age_months=months,
                applied_by_user=user,
                by_resident=by_resident,
            )
    except IntegrityError:
        raise ConflictError(
            "already_applied",
            "This child has already applied for this school year.",
            "เด็กคนนี้สมัครปีการศึกษานี้แล้ว",
        ) from None


@transaction.atomic
def enrolment_set_status(*, enrolment: Enrolment, status: str) -> Enrolment:
    """Accept (within the seats), put on the waiting list, or withdraw."""
    ChildCentre.objects.select_for_update().filter(pk=enrolment.centre_id).first()
    if status not in EnrolmentStatus.values:
        raise DomainError("bad_status", "Unknown status.", "ไม่รู้จักสถานะ")
    accepting = status == EnrolmentStatus.ACCEPTED and enrolment.status != EnrolmentStatus.ACCEPTED
    if accepting and seats_taken(enrolment.centre, enrolment.school_year) >= enrolment.centre.capacity:
        raise ConflictError("centre_full", "The centre is full this school year.", "ศูนย์เต็มแล้วในปีการศึกษานี้")
    enrolment.status = status
    enrolment.save(update_fields=["status", "updated_at"])
    return enrolment


def household_children(household: Household, centre: ChildCentre, school_year: int) -> list[dict]:
    """Every child of the household with their eligibility for the centre that year."""
    rows = []
    applied = dict(
        Enrolment.objects.filter(household=household, school_year=school_year)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .values_list("child_id", "status")
    )
    for child in Party.objects.filter(household=household, kind="person", birth_date__isnull=False).order_by(
        "birth_date"
    ):
        ok, months = eligibility(centre, child, school_year)
        if months is not None and 0 <= months <= 12 * 7:
            rows.append({"child": child, "eligible": ok, "months": months, "status": applied.get(child.pk)})
    return rows
