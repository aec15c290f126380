"""Collecting a notice: what is due on a day (tax, penalty, surcharge), and recording payments.

:func:`due_on` is the one figure of what a taxpayer owes on a day: the counter page, the resident
page and its PromptPay QR, the bank file import and the receipts all use it. Per installment still
unpaid after its due date:

- surcharge (เงินเพิ่ม, Sec. 70): 1 % a month of the unpaid tax, a part of a month counting as a month,
  never on the penalty;
- penalty (เบี้ยปรับ): 10 % if paid before the reminder letter (Sec. 61) is received (Sec. 68), 20 % if
  paid within the time the reminder sets (Sec. 69), 40 % after it (Sec. 68).

A payment goes to tax first (earliest installment first; the penalty and surcharge of each late part
are fixed then), then to the penalty and the surcharge owed, and any rest is excess (a refund). The
order (tax before penalty and surcharge) is this office's practice, not confirmed from the Act.

A counter payment carries a one-time key from its form: a second submit of the same form, or two at
once, records one payment and answers with the first receipt. A bank file is idempotent on the bank
reference, and a line dated in the future or before the tax year refuses the file, the line named.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gis_portal.errors import DomainError
from parcels.models import Organisation

from . import engine
from .engine import DueLine, ReminderDates, unpaid_installments
from .models import (
    Assessment,
    AssessmentStatus,
    Installment,
    Payment,
    PaymentChannel,
    Refund,
    Reminder,
    TaxOffice,
    TaxYear,
)
from .taxyears import tax_office_for, tax_year_rules

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Due:
    """What is owed on a day: tax, penalty and surcharge (with what was fixed on earlier late payments)."""

    on: date
    tax: Decimal
    penalty: Decimal
    surcharge: Decimal
    overdue_tax: Decimal
    lines: tuple[DueLine, ...] = ()

    @property
    def total(self) -> Decimal:
        return self.tax + self.penalty + self.surcharge

    @property
    def penalty_percent(self) -> Decimal:
        """The highest penalty percent applying today (0 when nothing is late)."""
        return max((line.penalty_percent for line in self.lines if line.months_late), default=ZERO)


def reminder_for(assessment: Assessment, reminders: Sequence[Reminder] | None = None) -> ReminderDates | None:
    """The latest reminder letter of a notice, as it bears on its penalty (None when none was sent)."""
    found = list(reminders) if reminders is not None else list(assessment.reminders.select_related("batch"))
    if not found:
        return None
    latest = max(found, key=lambda r: (r.batch.issued_on, r.pk))
    return ReminderDates(
        issued_on=latest.batch.issued_on, pay_by=latest.batch.pay_by, received_on=latest.received_on
    )


def due_on(
    assessment: Assessment,
    on: date,
    rules: engine.TaxYearRules,
    installments: Sequence[Installment],
    reminder: ReminderDates | None = None,
) -> Due:
    """What the notice owes on ``on``: the tax unpaid, and the penalty and surcharge if paid that day."""
    lines = engine.due_lines(installments, assessment.paid, on, rules, reminder)
    late = [line for line in lines if line.months_late]
    running_penalty, running_surcharge = engine.late_totals(late, rules)
    return Due(
        on=on,
        tax=assessment.outstanding,
        penalty=max(assessment.penalty_accrued + running_penalty - assessment.penalty_paid, ZERO),
        surcharge=max(assessment.surcharge_accrued + running_surcharge - assessment.surcharge_paid, ZERO),
        overdue_tax=sum((line.unpaid for line in late), ZERO),
        lines=lines,
    )


def due_today(assessment: Assessment, on: date | None = None) -> Due:
    """:func:`due_on` for a notice with its own rules, installments and reminder (a few queries)."""
    on = on or timezone.localdate()
    rules = tax_year_rules(assessment.tax_year)
    return due_on(assessment, on, rules, list(assessment.installments.all()), reminder_for(assessment))


@dataclass(frozen=True)
class Allocation:
    tax: Decimal
    penalty: Decimal
    surcharge: Decimal
    excess: Decimal
    penalty_percent: Decimal


def allocate(
    assessment: Assessment,
    installments: Sequence[Installment],
    amount: Decimal,
    paid_on: date,
    rules: engine.TaxYearRules,
    reminder: ReminderDates | None,
) -> Allocation:
    """Split a payment into tax, penalty, surcharge and excess; update the notice's counters in memory."""
    tax_part = min(amount, assessment.outstanding)
    left = tax_part
    settled = []  # the parts of late installments this payment settles
    for inst, unpaid in unpaid_installments(installments, assessment.paid):
        if left <= 0:
            break
        part = min(left, unpaid)
        left -= part
        costs = engine.late_costs(part, inst.number, inst.due_date, paid_on, rules, reminder)
        if costs.months_late:
            settled.append(costs)
    penalty, surcharge = engine.late_totals(settled, rules)  # fixed now, rounded once
    assessment.penalty_accrued += penalty
    assessment.surcharge_accrued += surcharge
    pct = max((c.penalty_percent for c in settled), default=ZERO)
    assessment.paid += tax_part
    rest = amount - tax_part
    penalty_part = min(rest, max(assessment.penalty_accrued - assessment.penalty_paid, ZERO))
    assessment.penalty_paid += penalty_part
    rest -= penalty_part
    surcharge_part = min(rest, max(assessment.surcharge_accrued - assessment.surcharge_paid, ZERO))
    assessment.surcharge_paid += surcharge_part
    return Allocation(tax_part, penalty_part, surcharge_part, rest - surcharge_part, pct)


COUNTERS = ["paid", "surcharge_paid", "surcharge_accrued", "penalty_paid", "penalty_accrued"]


def _receipt_numbers(tax_year_id: int, count: int) -> list[str]:
    ty = TaxYear.objects.select_for_update().get(pk=tax_year_id)
    first = ty.next_receipt_seq
    ty.next_receipt_seq = first + count
    ty.save(update_fields=["next_receipt_seq"])
    return [f"R{ty.year + 543}{n:06d}" for n in range(first, first + count)]


def _date_problem(paid_on: date, tax_year: int, today: date) -> str:
    if paid_on > today:
        return f"paid on {paid_on.isoformat()} is in the future (today is {today.isoformat()})"
    if paid_on.year < tax_year:
        return f"paid on {paid_on.isoformat()} is before the tax year {tax_year} began"
    return ""


def _payment(a: Assessment, alloc: Allocation, **fields: Any) -> Payment:
    return Payment(
        organisation_id=a.organisation_id,
        assessment=a,
        tax_part=alloc.tax,
        penalty_part=alloc.penalty,
        penalty_percent=alloc.penalty_percent,
        surcharge_part=alloc.surcharge,
        excess_part=alloc.excess,
        **fields,
    )


def payment_record(**kwargs: Any) -> Payment:
    """Record one payment (see :func:`payment_record_once`); for a form's key already used, the first."""
    return payment_record_once(**kwargs)[0]


def payment_record_once(
    *,
    assessment: Assessment,
    amount: Decimal,
    paid_on: date,
    key: uuid.UUID | None = None,
    channel: str = PaymentChannel.COUNTER,
    bank_reference: str | None = None,
    ref1: str = "",
    ref2: str = "",
    user: Any = None,
) -> tuple[Payment, bool]:
    """Record one payment: (the payment, True) or, for a key already used, (its first payment, False)."""
    if (
        not isinstance(amount, Decimal)
        or not amount.is_finite()
        or amount <= 0
        or amount != amount.quantize(Decimal("0.01"))
        or amount >= Decimal("1e12")
    ):
        raise DomainError(
            "payment_amount_invalid",
            f"The amount must be more than 0 baht in satang, got {amount}",
            f"จำนวนเงินต้องมากกว่า 0 บาท ทศนิยมไม่เกิน 2 ตำแหน่ง ({amount})",
        )
    try:
        with transaction.atomic():
            return _payment_record(
                assessment, amount, paid_on, key, channel, bank_reference, ref1, ref2, user
            )
    except IntegrityError:
        # the same key committed by a concurrent request between our check and our insert
        if key is None:
            raise
        first = Payment.objects.filter(
            organisation_id=assessment.organisation_id, idempotency_key=key
        ).first()
        if first is None:
            raise
        return first, False


def _payment_record(
    assessment: Assessment,
    amount: Decimal,
    paid_on: date,
    key: uuid.UUID | None,
    channel: str,
    bank_reference: str | None,
    ref1: str,
    ref2: str,
    user: Any,
) -> tuple[Payment, bool]:
    a = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("tax_year", "issue_batch")
        .get(pk=assessment.pk)
    )
    if key is not None:
        # under the notice's lock: a concurrent submit of the same form waits here, then finds ours
        first = Payment.objects.filter(organisation_id=a.organisation_id, idempotency_key=key).first()
        if first is not None:
            if first.assessment_id != a.pk:
                raise DomainError(
                    "payment_key_reused", "This form was used for another notice", "แบบฟอร์มนี้ใช้กับแบบแจ้งอื่นแล้ว"
                )
            return first, False
    if a.status != AssessmentStatus.ISSUED:
        raise DomainError(
            "assessment_not_issued",
            f"Assessment {a.pk} is not an issued notice; payments are taken on issued notices only",
            "รับชำระได้เฉพาะแบบแจ้งที่ออกแล้ว",
        )
    # at the counter: not in the future, and not before the notice existed
    today = timezone.localdate()
    issued_on = (
        a.issue_batch.issued_on if a.issue_batch_id else (a.issued_at.date() if a.issued_at else today)
    )
    problem = _date_problem(paid_on, issued_on.year, today)
    if not problem and paid_on < issued_on:
        problem = f"paid on {paid_on.isoformat()}, before the notice was issued ({issued_on.isoformat()})"
    if problem:
        raise DomainError(
            "payment_date_invalid", f"The payment date: {problem}", f"วันที่ชำระไม่ถูกต้อง: {problem}"
        )
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
    alloc = allocate(a, list(a.installments.all()), amount, paid_on, rules, reminder_for(a))
    a.save(update_fields=COUNTERS)
    payment = _payment(
        a,
        alloc,
        channel=channel,
        bank_reference=bank_reference or None,
        paid_on=paid_on,
        amount=amount,
        ref1=ref1 or a.notice_number,
        ref2=ref2,
        idempotency_key=key,
        receipt_number=_receipt_numbers(a.tax_year_id, 1)[0],
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    payment.full_clean(exclude=["assessment", "organisation", "recorded_by"])
    payment.save()
    if alloc.excess > 0:
        Refund.objects.create(
            assessment=a, amount=alloc.excess, reason=f"overpayment {payment.receipt_number}"
        )
    return payment, True


@dataclass
class ImportResult:
    rows: int = 0
    recorded: int = 0
    duplicates: int = 0
    amount: Decimal = ZERO
    receipts: list[str] = field(default_factory=list)


def _refuse_file(problems: list[str]) -> None:
    raise DomainError(
        "payments_unmatched",
        "The file was not imported: " + "; ".join(problems[:20]),
        "ไม่ได้นำเข้าไฟล์: " + "; ".join(problems[:20]),
        problems=problems,
    )


@transaction.atomic
def payments_import(
    *, organisation: Organisation, rows: Sequence[Any], user: Any = None, today: date | None = None
) -> ImportResult:
    """Record a bank reconciliation file's rows (see taxes.bank); idempotent on the bank reference.

    Rows already recorded (same bank reference, in this file or an earlier import) are skipped; a row
    that names no issued notice of this organisation, or is dated in the future or before its notice's
    tax year, refuses the whole file with every problem listed, nothing written.
    """
    today = today or timezone.localdate()
    result = ImportResult(rows=len(rows))
    office: TaxOffice = tax_office_for(organisation)
    TaxOffice.objects.select_for_update().filter(
        pk=office.pk
    ).first()  # one import per organisation at a time
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
    assessments = {
        a.notice_number: a
        for a in Assessment.objects.select_for_update()
        .select_related("tax_year")
        .filter(organisation=organisation, notice_number__in={r.ref1 for r in fresh})
    }
    problems = []
    for r in fresh:
        a = assessments.get(r.ref1)
        if a is None:
            problems.append(f"line {r.line}: no notice {r.ref1!r} in {organisation.slug}")
            continue
        if a.status != AssessmentStatus.ISSUED:
            problems.append(f"line {r.line}: notice {r.ref1} is {a.status}")
        problem = _date_problem(r.paid_on, a.tax_year.year, today)
        if problem:
            problems.append(f"line {r.line}: {problem}")
    if problems:
        _refuse_file(problems)
    installments: dict[int, list[Installment]] = defaultdict(list)
    for inst in Installment.objects.filter(assessment__in=[a.pk for a in assessments.values()]):
        installments[inst.assessment_id].append(inst)
    reminders: dict[int, list[Reminder]] = defaultdict(list)
    for rem in Reminder.objects.filter(assessment__in=[a.pk for a in assessments.values()]).select_related(
        "batch"
    ):
        reminders[rem.assessment_id].append(rem)
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
            reminder = reminder_for(a, reminders[a.pk])
            alloc = allocate(a, installments[a.pk], r.amount, r.paid_on, rules_by_year[ty_id], reminder)
            payments.append(
                _payment(
                    a,
                    alloc,
                    channel=PaymentChannel.BANK,
                    bank_reference=r.bank_reference,
                    paid_on=r.paid_on,
                    amount=r.amount,
                    ref1=r.ref1,
                    ref2=r.ref2,
                    receipt_number=number,
                    recorded_by=user if getattr(user, "is_authenticated", False) else None,
                )
            )
            if alloc.excess > 0:
                refunds.append(
                    Refund(
                        assessment=a, amount=alloc.excess, reason=f"overpayment {number} ({r.bank_reference})"
                    )
                )
            result.amount += r.amount
            result.receipts.append(number)
    # The unique constraint is the backstop; the lock above means no conflict is expected here.
    Payment.objects.bulk_create(payments)
    Refund.objects.bulk_create(refunds)
    Assessment.objects.bulk_update(list(assessments.values()), COUNTERS)
    result.recorded = len(payments)
    return result
