"""Reminder letters (หนังสือแจ้งเตือน, Sec. 61) to taxpayers whose tax is overdue.

A batch covers every issued notice of the year with tax overdue on the batch's date (or the chosen
ones); each letter gets its own number (``W`` + BE year + 6 digits, per organisation and year) and
records the overdue tax it reminds of. The office records the date each letter was received (from
the postal return receipt): it decides the penalty tier (Sec. 68-69, :mod:`taxes.collection`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from gis_portal.errors import DomainError

from .collection import unpaid_installments
from .models import Assessment, AssessmentStatus, Installment, Reminder, ReminderBatch, TaxYear
from .taxyears import tax_year_rules


def reminder_number(year: int, seq: int) -> str:
    return f"W{year + 543}{seq:06d}"


@transaction.atomic
def reminders_issue(
    *,
    tax_year: TaxYear,
    issued_on: date,
    pay_by: date,
    assessment_ids: Iterable[int] | None = None,
    user: Any = None,
) -> ReminderBatch:
    """A batch of reminders for the year's notices with tax overdue on ``issued_on``.

    A notice whose last reminder's time has not run out yet gets no new one. Refused (nothing
    written) when the dates do not make sense or no notice is overdue.
    """
    today = timezone.localdate()
    problems = []
    if issued_on > today:
        problems.append(f"the reminders cannot be dated in the future ({issued_on.isoformat()})")
    if pay_by <= issued_on:
        problems.append("the date to pay by must be after the reminders' date")
    if issued_on.year < tax_year.year:
        problems.append(f"a reminder for {tax_year.year} cannot be dated before the tax year")
    if problems:
        raise DomainError(
            "reminder_dates_invalid",
            "The reminders were not issued: " + "; ".join(problems),
            "ไม่ได้ออกหนังสือแจ้งเตือน: " + "; ".join(problems),
            problems=problems,
        )
    ty = TaxYear.objects.select_for_update().get(pk=tax_year.pk)
    tax_year_rules(ty)  # the year's rules must be valid
    qs = (
        Assessment.objects.filter(tax_year=ty, status=AssessmentStatus.ISSUED)
        .prefetch_related(
            Prefetch("installments", queryset=Installment.objects.order_by("number")),
            Prefetch("reminders", queryset=Reminder.objects.select_related("batch")),
        )
        .order_by("village__number", "notice_number")
    )
    if assessment_ids is not None:
        qs = qs.filter(pk__in=list(assessment_ids))
    chosen = []
    for a in qs:
        overdue = sum(
            (
                unpaid
                for inst, unpaid in unpaid_installments(list(a.installments.all()), a.paid)
                if inst.due_date < issued_on
            ),
            start=Decimal("0.00"),
        )
        running = any(r.batch.pay_by >= issued_on for r in a.reminders.all())
        if overdue > 0 and not running:
            chosen.append((a, overdue))
    if not chosen:
        raise DomainError(
            "reminders_none_due",
            f"No notice of {ty.year} has tax overdue on {issued_on.isoformat()} without a running reminder",
            f"ไม่มีแบบแจ้งปี {ty.year + 543} ที่ค้างชำระ ณ วันที่ออกหนังสือ",
        )
    batch = ReminderBatch.objects.create(
        tax_year=ty,
        issued_on=issued_on,
        pay_by=pay_by,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    seq = ty.next_reminder_seq
    Reminder.objects.bulk_create(
        Reminder(batch=batch, assessment=a, number=reminder_number(ty.year, seq + i), overdue_tax=overdue)
        for i, (a, overdue) in enumerate(chosen)
    )
    ty.next_reminder_seq = seq + len(chosen)
    ty.save(update_fields=["next_reminder_seq"])
    return batch


@transaction.atomic
def reminder_received(*, reminder: Reminder, received_on: date, user: Any = None) -> Reminder:
    """Record the day a reminder reached the taxpayer (from the return receipt)."""
    r = Reminder.objects.select_for_update().select_related("batch").get(pk=reminder.pk)
    if received_on < r.batch.issued_on:
        raise DomainError(
            "reminder_received_invalid",
            f"A reminder issued on {r.batch.issued_on.isoformat()} cannot be received before it",
            "วันที่ได้รับต้องไม่ก่อนวันที่ออกหนังสือ",
        )
    if received_on > timezone.localdate():
        raise DomainError(
            "reminder_received_invalid", "The day received cannot be in the future", "วันที่ได้รับอยู่ในอนาคต"
        )
    if r.assessment.payments.filter(paid_on__gte=received_on).exists() and r.received_on != received_on:
        # the penalty of payments already recorded was fixed with the dates known then
        raise DomainError(
            "reminder_received_after_payment",
            "A payment after that day is already recorded; its penalty was fixed with the dates known then",
            "มีการรับชำระหลังวันดังกล่าวแล้ว จึงแก้ไขวันที่ได้รับไม่ได้",
        )
    r.received_on = received_on
    r.received_recorded_by = user if getattr(user, "is_authenticated", False) else None
    r.save(update_fields=["received_on", "received_recorded_by"])
    return r
