"""Writes of the tax office: issue notices, cancel them, objections (with the replacement notice),
refunds. The other writes live beside it, one job each, and are re-exported here:

- :mod:`taxes.taxyears`: tax years, their rules and office dates; :mod:`taxes.appraisal`: CSV tables;
- :mod:`taxes.yearly`: the yearly run (register reader, input builder, writer);
- :mod:`taxes.collection`: what is due today, payments at the counter and from the bank;
- :mod:`taxes.reminders`: reminder letters (Sec. 61).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from gis_portal.errors import DomainError

from . import engine
from .appraisal import APPRAISAL_KINDS, appraisal_import_csv
from .collection import (
    Due,
    ImportResult,
    due_on,
    due_today,
    payment_record,
    payment_record_once,
    payments_import,
)
from .models import (
    Assessment,
    AssessmentStatus,
    CaseStatus,
    Installment,
    IssueBatch,
    Objection,
    Payment,
    Refund,
    RefundStatus,
    TaxYear,
)
from .taxyears import (
    check_payable_dates,
    tax_office_for,
    tax_year_copy,
    tax_year_create,
    tax_year_get,
    tax_year_rules,
    tax_year_set_office_dates,
    year_due_dates,
)
from .yearly.run import AssessResult, assess_party, assess_year

__all__ = [
    "APPRAISAL_KINDS",
    "AssessResult",
    "Due",
    "ImportResult",
    "appraisal_import_csv",
    "assess_party",
    "assess_year",
    "assessment_cancel",
    "assessments_issue",
    "due_on",
    "due_today",
    "last_year_totals",
    "notice_number",
    "objection_decide",
    "objection_file",
    "payment_record",
    "payment_record_once",
    "payments_import",
    "refund_mark_paid",
    "tax_office_for",
    "tax_year_copy",
    "tax_year_create",
    "tax_year_get",
    "tax_year_rules",
    "tax_year_set_office_dates",
]

ZERO = Decimal("0.00")


def notice_number(year: int, seq: int) -> str:
    """Notice numbers: BE year and a 6-digit sequence per organisation and year ('2569000123')."""
    return f"{year + 543}{seq:06d}"


def _issue_dates(ty: TaxYear, rules: engine.TaxYearRules, issued_on: date) -> tuple[tuple[date, ...], bool]:
    """The due dates notices issued on ``issued_on`` carry; refused when nobody could pay by them."""
    dates, office = year_due_dates(ty, rules)
    problems = check_payable_dates(dates, issued_on, rules.notice_min_days_to_pay)
    if problems:
        shown = ", ".join(d.isoformat() for d in dates)
        which = "the office's dates" if office else f"the year's dates ({shown})"
        raise DomainError(
            "notice_dates_unpayable",
            f"Notices issued on {issued_on.isoformat()} cannot carry {which}: "
            + "; ".join(problems)
            + ". Set the office's due dates for this year, with the reason (Sec. 14), then issue.",
            f"ออกแบบแจ้งวันที่ {issued_on.isoformat()} ด้วยกำหนดชำระ {shown} ไม่ได้ ผู้เสียภาษีจะชำระไม่ทันกำหนด "
            "กรุณากำหนดวันชำระของ อปท. พร้อมเหตุผล (มาตรา 14) ก่อนออกแบบแจ้ง",
            problems=problems,
        )
    return dates, office


@transaction.atomic
def assessments_issue(
    *,
    tax_year: TaxYear,
    assessment_ids: Iterable[int] | None = None,
    user: Any = None,
    issued_on: date | None = None,
    expected: tuple[int, Decimal] | None = None,
) -> int:
    """Issue drafts (the given ones, or all): notice numbers in village/taxpayer order and installments.

    The due dates are the year's, or the office's when it set them; they are checked against the
    issue date first (a notice nobody could pay in time is refused, asking for the office's dates).
    ``expected`` (count, total tax) is what the officer confirmed: when the drafts no longer add up to
    it (re-assessed or issued meanwhile) nothing is issued and the error gives the new figures.
    """
    ty = TaxYear.objects.select_for_update().get(pk=tax_year.pk)
    rules = tax_year_rules(ty)
    issued_on = issued_on or timezone.localdate()
    dates, office = _issue_dates(ty, rules, issued_on)
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
    if expected is not None:
        count, total = len(drafts), sum((a.total for a in drafts), Decimal("0.00"))
        if (count, total) != (expected[0], Decimal(expected[1])):
            raise DomainError(
                "selection_changed",
                f"The drafts changed since you confirmed: {count:,} drafts, {total:,.2f} baht now "
                f"(confirmed {expected[0]:,}, {Decimal(expected[1]):,.2f} baht). "
                "Check them and confirm again.",
                f"ร่างเปลี่ยนไปหลังจากยืนยัน ขณะนี้ {count:,} ราย ภาษีรวม {total:,.2f} บาท "
                f"(ที่ยืนยันไว้ {expected[0]:,} ราย {Decimal(expected[1]):,.2f} บาท) กรุณาตรวจสอบแล้วยืนยันใหม่",
                count=count,
                total=str(total),
            )
    batch = IssueBatch.objects.create(
        tax_year=ty,
        issued_on=issued_on,
        due_dates=list(dates),
        office_dates=office,
        reason=ty.office_dates_reason if office else "",
        count=len(drafts),
        issued_by=user if getattr(user, "is_authenticated", False) else None,
    )
    now = timezone.now()
    seq = ty.next_notice_seq
    installments: list[Installment] = []
    for a in drafts:
        a.status = AssessmentStatus.ISSUED
        a.notice_number = notice_number(ty.year, seq)
        a.issued_at = now
        a.issue_batch = batch
        seq += 1
        for inst in engine.installment_schedule(a.total, rules, dates):
            installments.append(
                Installment(assessment=a, number=inst.number, due_date=inst.due_date, amount=inst.amount)
            )
    Assessment.objects.bulk_update(
        drafts, ["status", "notice_number", "issued_at", "issue_batch"], batch_size=5000
    )
    Installment.objects.bulk_create(installments, batch_size=5000)
    ty.next_notice_seq = seq
    if ty.notice_date is None:
        ty.notice_date = issued_on
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
    a.cancelled_at = timezone.now()
    a.cancel_reason = "cancelled by the office"
    a.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    return a


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
def objection_decide(*, objection: Objection, accepted: bool, decision: str, user: Any = None) -> Objection:
    """Decide an objection. Accepted: the taxpayer is re-assessed alone from the register as corrected,
    with the year's own rules, and a replacement notice is issued; the old one is cancelled, linked.
    """
    o = Objection.objects.select_for_update().select_related("assessment").get(pk=objection.pk)
    if o.status != CaseStatus.OPEN:
        raise DomainError("objection_decided", "This objection is already decided", "คำคัดค้านนี้พิจารณาแล้ว")
    o.status = CaseStatus.ACCEPTED if accepted else CaseStatus.REJECTED
    o.decision = decision
    o.decided_on = timezone.localdate()
    o.save(update_fields=["status", "decision", "decided_on"])
    if accepted and o.assessment.status == AssessmentStatus.ISSUED:
        new = reassess_and_replace(assessment=o.assessment, reason=f"objection {o.pk} accepted", user=user)
        o.decision = (
            decision + " " if decision else ""
        ) + f"(แบบแจ้งแทน / replacement notice {new.notice_number})"
        o.save(update_fields=["decision"])
    return o


@transaction.atomic
def reassess_and_replace(*, assessment: Assessment, reason: str, user: Any = None) -> Assessment:
    """Re-assess one taxpayer for the notice's year and issue the replacement; the old notice is cancelled.

    The replacement keeps what was paid (the payments move to it, receipts unchanged; what exceeds the
    new tax becomes a refund) and the old notice's due dates when it has as many installments (an
    objection does not move them); otherwise the year's (or the office's) dates.
    """
    old = Assessment.objects.select_for_update().select_related("tax_year", "party").get(pk=assessment.pk)
    if old.status != AssessmentStatus.ISSUED:
        raise DomainError(
            "assessment_not_issued", "Only an issued notice is replaced", "แทนได้เฉพาะแบบแจ้งที่ออกแล้ว"
        )
    ty = TaxYear.objects.select_for_update().get(pk=old.tax_year_id)
    rules = tax_year_rules(ty)
    found = assess_party(ty, old.party)
    if found is None:
        raise DomainError(
            "reassess_nothing_held",
            "The taxpayer holds nothing taxable in the register now; cancel the notice instead",
            "ผู้เสียภาษีไม่มีทรัพย์สินที่ต้องเสียภาษีในทะเบียนแล้ว กรุณายกเลิกแบบแจ้งแทน",
        )
    _, result, new = found
    old.status = AssessmentStatus.CANCELLED
    old.cancelled_at = timezone.now()
    old.cancel_reason = reason
    old.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    old_dates = [i.due_date for i in old.installments.order_by("number")]
    plan = engine.installment_schedule(result.total, rules, old_dates or None) if old_dates else ()
    if result.total > 0 and len(plan) != len(old_dates):
        dates, _ = year_due_dates(ty, rules)
        plan = engine.installment_schedule(result.total, rules, dates)
    new.status = AssessmentStatus.ISSUED
    new.notice_number = notice_number(ty.year, ty.next_notice_seq)
    new.issued_at = timezone.now()
    new.issue_batch_id = old.issue_batch_id
    new.replaces = old
    new.paid = min(old.paid, new.total)
    new.penalty_accrued, new.penalty_paid = old.penalty_accrued, old.penalty_paid
    new.surcharge_accrued, new.surcharge_paid = old.surcharge_accrued, old.surcharge_paid
    new.save()
    ty.next_notice_seq += 1
    ty.save(update_fields=["next_notice_seq"])
    Installment.objects.bulk_create(
        Installment(assessment=new, number=i.number, due_date=i.due_date, amount=i.amount) for i in plan
    )
    Payment.objects.filter(assessment=old).update(assessment=new)
    if old.paid > new.total:
        Refund.objects.create(
            assessment=new,
            amount=old.paid - new.total,
            reason=f"tax lowered by the replacement of {old.notice_number}",
        )
    return new


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
