"""Outbreak follow-up: a case or contact at a household, home isolation with daily check-ins, the end.

Health data is sensitive personal data (PDPA s.26): every read goes through :func:`cases_for` /
:func:`case_for` with the user's scope (``access.case_scope``) and the views write the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gis_portal.errors import DomainError, Problem, ValidationProblems
from parcels.models import Household, Party

from . import access
from .models import CaseRole, Disease, EndReason, Feeling, IsolationCheckin, OutbreakCase

TEMP_MIN, TEMP_MAX = Decimal("30"), Decimal("45")


def default_end(disease: Disease, role: str, start: date) -> date:
    days = disease.isolation_days if role == CaseRole.CASE else disease.contact_days
    return start + timedelta(days=max(days, 1) - 1)


@transaction.atomic
def case_report(
    *,
    household: Household,
    person: Party,
    disease: Disease,
    role: str,
    isolation_start: date,
    isolation_end: date | None = None,
    reported_on: date | None = None,
    note: str = "",
    user: Any = None,
) -> OutbreakCase:
    """Record a case or contact isolated at home; the end defaults to the disease's isolation days."""
    today = timezone.localdate()
    reported_on = reported_on or today
    problems = []
    if person.household_id != household.pk:
        problems.append(
            Problem("person", "not_a_member", "The person is not in this household.", "บุคคลนี้ไม่ได้อยู่ในบ้านนี้")
        )
    if disease.organisation_id != household.organisation_id or not disease.active:
        problems.append(
            Problem("disease", "bad_disease", "Choose a disease from the list.", "กรุณาเลือกโรคจากรายการ")
        )
    if role not in CaseRole.values:
        problems.append(Problem("role", "bad_role", "Case or contact?", "ผู้ป่วยหรือผู้สัมผัส"))
    if reported_on > today:
        problems.append(
            Problem("reported_on", "future", "The report date is in the future.", "วันที่รับแจ้งเป็นวันในอนาคต")
        )
    end = isolation_end or (default_end(disease, role, isolation_start) if role in CaseRole.values else None)
    if end is not None and end < isolation_start:
        problems.append(
            Problem(
                "isolation_end",
                "ends_before_start",
                "The isolation ends before it starts.",
                "วันสิ้นสุดการกักตัวอยู่ก่อนวันเริ่มกักตัว",
            )
        )
    if end is not None and (end - isolation_start).days > 60:
        problems.append(
            Problem("isolation_end", "too_long", "Isolation of more than 60 days.", "กักตัวเกิน 60 วัน")
        )
    if problems:
        raise ValidationProblems(problems)
    return OutbreakCase.objects.create(
        organisation_id=household.organisation_id,
        village_id=household.village_id,
        household=household,
        person=person,
        disease=disease,
        role=role,
        reported_on=reported_on,
        isolation_start=isolation_start,
        isolation_end=end,
        note=note.strip()[:2000],
        reported_by=user,
    )


@transaction.atomic
def case_end(*, case: OutbreakCase, ended_on: date, reason: str) -> OutbreakCase:
    case = OutbreakCase.objects.select_for_update().get(pk=case.pk)
    if case.ended_on:
        raise DomainError("already_ended", "The follow-up has already ended.", "จบการติดตามไปแล้ว")
    if reason not in EndReason.values:
        raise DomainError("bad_reason", "Choose why the follow-up ends.", "กรุณาเลือกเหตุที่จบการติดตาม")
    if ended_on < case.isolation_start:
        raise DomainError(
            "ends_before_start", "The follow-up cannot end before the isolation starts.", "วันจบอยู่ก่อนวันเริ่มกักตัว"
        )
    if ended_on > timezone.localdate():
        raise DomainError("future", "The end date is in the future.", "วันจบเป็นวันในอนาคต")
    case.ended_on, case.end_reason = ended_on, reason
    case.save(update_fields=["ended_on", "end_reason"])
    return case


def _temperature(raw: Any) -> Decimal | None:
    text = str(raw or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text).quantize(Decimal("0.1"))
    except InvalidOperation:
        value = None
    if value is None or not TEMP_MIN <= value <= TEMP_MAX:
        raise ValidationProblems(
            [
                Problem(
                    "temperature", "bad_temperature", "Temperature between 30 and 45 °C.", "อุณหภูมิ 30–45 องศา"
                )
            ]
        )
    return value


@transaction.atomic
def checkin_record(
    *,
    case: OutbreakCase,
    day: date,
    feeling: str,
    temperature: Any = None,
    symptoms: Iterable[str] = (),
    note: str = "",
    user: Any = None,
    by_resident: bool = False,
) -> IsolationCheckin:
    """Today's (or an earlier isolation day's) check-in; a second one the same day replaces it."""
    last = min(case.isolation_end, case.ended_on) if case.ended_on else case.isolation_end
    if day < case.isolation_start or day > last:
        raise DomainError("outside_isolation", "That day is outside the isolation.", "วันนั้นอยู่นอกช่วงกักตัว")
    if day > timezone.localdate():
        raise DomainError("future", "That day has not come yet.", "ยังไม่ถึงวันนั้น")
    if feeling not in Feeling.values:
        raise ValidationProblems([Problem("feeling", "bad_feeling", "How do you feel?", "วันนี้รู้สึกอย่างไร")])
    known = {s["code"] for s in case.disease.symptoms or []}
    chosen = sorted(set(symptoms))
    if any(code not in known for code in chosen):
        raise ValidationProblems(
            [Problem("symptoms", "bad_symptom", "Pick symptoms from the list.", "เลือกอาการจากรายการ")]
        )
    checkin, _ = IsolationCheckin.objects.update_or_create(
        case=case,
        day=day,
        defaults={
            "feeling": feeling,
            "temperature": _temperature(temperature),
            "symptoms": chosen,
            "note": note.strip()[:500],
            "by_user": user,
            "by_resident": by_resident,
        },
    )
    return checkin


def cases_for(user: Any, *, village_id: int | None = None, open_only: bool = True) -> QuerySet[OutbreakCase]:
    """The cases this user may see: their organisations' as health officer, their villages' as volunteer."""
    org_ids, village_ids = access.case_scope(user)
    qs = OutbreakCase.objects.select_related("person", "household", "disease", "village")
    if org_ids is not None:
        qs = qs.filter(Q(organisation_id__in=org_ids) | Q(village_id__in=village_ids))
    if village_id:
        qs = qs.filter(village_id=village_id)
    if open_only:
        qs = qs.filter(ended_on__isnull=True)
    return qs.order_by("isolation_end", "id")


def case_for(user: Any, pk: int) -> OutbreakCase:
    case = cases_for(user, open_only=False).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def household_open_cases(household: Household) -> list[OutbreakCase]:
    return list(
        OutbreakCase.objects.filter(household=household, ended_on__isnull=True)
        .select_related("person", "disease")
        .prefetch_related("checkins")
    )
