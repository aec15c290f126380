"""The calendar of a tax: installments, months late, surcharge (Sec. 70) and penalty (Sec. 68-69)."""

from __future__ import annotations

import calendar
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from typing import Any

from .money import HUNDRED, _require_decimal, round_money
from .rules_model import TaxYearRules


@dataclass(frozen=True)
class Installment:
    number: int
    due_date: date
    amount: Decimal


def installment_schedule(
    total: Decimal, rules: TaxYearRules, due_dates: Sequence[date] | None = None
) -> tuple[Installment, ...]:
    """Split a tax into ``rules.installment_count`` equal installments when it reaches the threshold.

    The remainder satang go on the first installment; below the threshold it is one payment on the
    first due date; a zero tax has no installments. ``due_dates`` default to the rules' dates.
    """
    total = _require_decimal(total, "total")
    if total < 0:
        raise ValueError(f"total must not be negative, got {total}")
    if total != total.quantize(rules.rounding.quantum):
        raise ValueError(f"total {total} is not rounded to {rules.rounding.quantum}")
    dates = tuple(due_dates) if due_dates is not None else rules.default_due_dates()
    if not dates:
        raise ValueError("at least one due date is needed")
    if any(b <= a for a, b in zip(dates, dates[1:], strict=False)):
        raise ValueError("due dates must be in increasing order")
    if total == 0:
        return ()
    count = rules.installment_count
    if total < rules.installment_threshold or count == 1:
        return (Installment(1, dates[0], total),)
    if len(dates) < count:
        raise ValueError(f"{count} installments need {count} due dates, got {len(dates)}")
    quantum = rules.rounding.quantum
    each = (total / count).quantize(quantum, rounding=ROUND_DOWN)
    first = total - each * (count - 1)
    return tuple(Installment(n + 1, dates[n], first if n == 0 else each) for n in range(count))


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_late(due: date, paid: date) -> int:
    """Months after ``due`` in which ``paid`` falls, a part of a month counting as a month."""
    if paid <= due:
        return 0
    months = (paid.year - due.year) * 12 + (paid.month - due.month)
    months = max(months - 1, 0)
    while _add_months(due, months) < paid:
        months += 1
    return months


def surcharge(amount: Decimal, months_late: int, rules: TaxYearRules) -> Decimal:
    """Surcharge (เงินเพิ่ม, Sec. 70) of ``surcharge_percent_per_month`` per month or part of a month late.

    On the unpaid tax only (the penalty is never part of its base); no cap unless the rules set one.
    """
    amount = _require_decimal(amount, "amount")
    if amount < 0:
        raise ValueError(f"amount must not be negative, got {amount}")
    if isinstance(months_late, bool) or not isinstance(months_late, int) or months_late < 0:
        raise ValueError(f"months_late must be a whole number of months >= 0, got {months_late!r}")
    result = round_money(amount * rules.surcharge_percent_per_month * months_late / HUNDRED, rules.rounding)
    if rules.surcharge_cap_percent is not None:
        result = min(result, round_money(amount * rules.surcharge_cap_percent / HUNDRED, rules.rounding))
    return result


class PenaltyTier(enum.StrEnum):
    """Which penalty applies to tax paid late (Sec. 68-69)."""

    NONE = "none"  # paid in time
    BEFORE_REMINDER = "before_reminder"  # paid late, before the reminder letter (Sec. 61) was received
    WITHIN_REMINDER = "within_reminder"  # paid within the time the reminder set
    AFTER_REMINDER = "after_reminder"  # paid after the reminder's time: the full penalty


#: The section of the Act behind each tier.
PENALTY_SECTIONS = {
    PenaltyTier.NONE: "",
    PenaltyTier.BEFORE_REMINDER: "Sec. 68",
    PenaltyTier.WITHIN_REMINDER: "Sec. 69",
    PenaltyTier.AFTER_REMINDER: "Sec. 68",
}


@dataclass(frozen=True)
class ReminderDates:
    """A reminder letter (Sec. 61) as it bears on a penalty: when it was sent, received, and paid by."""

    issued_on: date
    pay_by: date
    received_on: date | None = None

    def __post_init__(self) -> None:
        if self.pay_by < self.issued_on:
            raise ValueError("a reminder's pay-by date cannot be before it was issued")
        if self.received_on is not None and self.received_on < self.issued_on:
            raise ValueError("a reminder cannot be received before it was issued")


def penalty_tier(due: date, paid_on: date, reminder: ReminderDates | None = None) -> PenaltyTier:
    """The penalty tier of tax due on ``due`` and paid on ``paid_on``.

    Sec. 68: 40 % of the unpaid tax, but 10 % when paid before the reminder letter of Sec. 61 is
    received; Sec. 69: 20 % when paid within the time the reminder sets. A reminder counts for tax
    that was already overdue when it was issued; tax paid on the day the reminder is received counts
    as paid after receiving it.
    """
    if paid_on <= due:
        return PenaltyTier.NONE
    if reminder is None or reminder.issued_on <= due or reminder.received_on is None:
        return PenaltyTier.BEFORE_REMINDER
    if paid_on < reminder.received_on:
        return PenaltyTier.BEFORE_REMINDER
    if paid_on <= reminder.pay_by:
        return PenaltyTier.WITHIN_REMINDER
    return PenaltyTier.AFTER_REMINDER


def penalty_percent(tier: PenaltyTier, rules: TaxYearRules) -> Decimal:
    return {
        PenaltyTier.NONE: Decimal(0),
        PenaltyTier.BEFORE_REMINDER: rules.penalty_before_reminder_percent,
        PenaltyTier.WITHIN_REMINDER: rules.penalty_within_reminder_percent,
        PenaltyTier.AFTER_REMINDER: rules.penalty_percent,
    }[PenaltyTier(tier)]


def penalty(unpaid: Decimal, tier: PenaltyTier, rules: TaxYearRules) -> Decimal:
    """Penalty (เบี้ยปรับ) on ``unpaid`` tax in ``tier``; never part of the surcharge's base (Sec. 70)."""
    unpaid = _require_decimal(unpaid, "unpaid")
    if unpaid < 0:
        raise ValueError(f"unpaid must not be negative, got {unpaid}")
    return round_money(unpaid * penalty_percent(tier, rules) / HUNDRED, rules.rounding)


@dataclass(frozen=True)
class DueLine:
    """One installment's part still unpaid on a day, and what its lateness costs that day."""

    number: int
    due_date: date
    unpaid: Decimal
    months_late: int
    surcharge: Decimal
    tier: PenaltyTier
    penalty_percent: Decimal
    penalty: Decimal


def unpaid_installments(installments: Sequence[Any], paid: Decimal) -> list[tuple[Any, Decimal]]:
    """The installments' unpaid parts (any objects with ``number``, ``due_date``, ``amount``),
    payments applied to the earliest first."""
    out = []
    left = paid
    for inst in sorted(installments, key=lambda i: i.number):
        covered = min(left, inst.amount)
        left -= covered
        if inst.amount - covered > 0:
            out.append((inst, inst.amount - covered))
    return out


def late_costs(
    unpaid: Decimal, number: int, due: date, on: date, rules: TaxYearRules, reminder: ReminderDates | None
) -> DueLine:
    """The penalty and surcharge of ``unpaid`` tax of an installment due on ``due``, paid on ``on``."""
    months = months_late(due, on)
    tier = penalty_tier(due, on, reminder)
    return DueLine(
        number=number,
        due_date=due,
        unpaid=unpaid,
        months_late=months,
        surcharge=surcharge(unpaid, months, rules),
        tier=tier,
        penalty_percent=penalty_percent(tier, rules),
        penalty=penalty(unpaid, tier, rules),
    )


def due_lines(
    installments: Sequence[Any], paid: Decimal, on: date, rules: TaxYearRules, reminder: ReminderDates | None
) -> tuple[DueLine, ...]:
    """Each installment's unpaid part on ``on`` with its penalty and surcharge if paid that day."""
    return tuple(
        late_costs(unpaid, inst.number, inst.due_date, on, rules, reminder)
        for inst, unpaid in unpaid_installments(installments, paid)
    )


def late_totals(lines: Sequence[DueLine], rules: TaxYearRules) -> tuple[Decimal, Decimal]:
    """(penalty, surcharge) of the late lines, each rounded once on the whole.

    The Act charges the penalty and the surcharge on "the tax in arrears": the exact amounts of the
    installments are added before rounding, so three installments of a 190,000 tax paid within a
    reminder's time cost 38,000.00, not three rounded thirds.
    """
    penalty_exact = Fraction(0)
    surcharge_exact = Fraction(0)
    for line in lines:
        if not line.months_late:
            continue
        penalty_exact += Fraction(line.unpaid) * Fraction(line.penalty_percent) / 100
        pct = Fraction(rules.surcharge_percent_per_month) * line.months_late
        if rules.surcharge_cap_percent is not None:
            pct = min(pct, Fraction(rules.surcharge_cap_percent))
        surcharge_exact += Fraction(line.unpaid) * pct / 100
    return round_money(penalty_exact, rules.rounding), round_money(surcharge_exact, rules.rounding)
