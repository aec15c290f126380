"""The calendar of a tax: installments, months late, surcharge (Sec. 70) and penalty (Sec. 68-69)."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from .model import TaxYearRules
from .money import HUNDRED, _require_decimal, round_money


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
    """Surcharge (เงินเพิ่ม) of ``surcharge_percent_per_month`` per month late, capped by the rules."""
    amount = _require_decimal(amount, "amount")
    if amount < 0:
        raise ValueError(f"amount must not be negative, got {amount}")
    if isinstance(months_late, bool) or not isinstance(months_late, int) or months_late < 0:
        raise ValueError(f"months_late must be a whole number of months >= 0, got {months_late!r}")
    result = round_money(amount * rules.surcharge_percent_per_month * months_late / HUNDRED, rules.rounding)
    if rules.surcharge_cap_percent is not None:
        result = min(result, round_money(amount * rules.surcharge_cap_percent / HUNDRED, rules.rounding))
    return result


def penalty(unpaid: Decimal, rules: TaxYearRules, *, paid_after_reminder: bool = False) -> Decimal:
    """Penalty (เบี้ยปรับ) on tax not paid in time; reduced when paid within a reminder's time limit."""
    unpaid = _require_decimal(unpaid, "unpaid")
    if unpaid < 0:
        raise ValueError(f"unpaid must not be negative, got {unpaid}")
    pct = rules.penalty_after_reminder_percent if paid_after_reminder else rules.penalty_percent
    return round_money(unpaid * pct / HUNDRED, rules.rounding)
