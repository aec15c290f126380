"""Tax quotes: one taxpayer's properties as JSON in, the itemised assessment as JSON out.

Plain functions, no database: :func:`taxes.quote_request.parse_request` validates a request dict
(schema in ``docs/TAX_QUOTE.md``) into the engine's inputs; :func:`assessment_to_dict` writes an
assessment back as JSON-ready data with every amount as a string. :func:`quote` does both, and for a
co-owned property adds what each listed owner owes. The ``tax_quote`` management command is a thin
layer over :func:`load_request` and :func:`quote`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from taxes.engine import (
    Assessment,
    Installment,
    Line,
    Property,
    ReminderDates,
    Taxpayer,
    TaxpayerKind,
    TaxYearRules,
    assess,
    due_lines,
    installment_schedule,
    late_totals,
)
from taxes.quote_request import (
    REQUEST_SCHEMA,
    RESULT_SCHEMA,
    OwnerEntry,
    QuoteError,
    QuoteRequest,
    parse_quote_request,
    parse_request,
)

__all__ = [
    "REQUEST_SCHEMA",
    "RESULT_SCHEMA",
    "QuoteError",
    "QuoteRequest",
    "assessment_to_dict",
    "load_request",
    "loads_request",
    "parse_quote_request",
    "parse_request",
    "quote",
]


def _num(value: Decimal) -> str:
    return format(value, "f")


def _share(value: Fraction) -> str:
    den = value.denominator
    for prime in (2, 5):
        while den % prime == 0:
            den //= prime
    if den == 1:
        return _num(Decimal(value.numerator) / Decimal(value.denominator))
    return f"{value.numerator}/{value.denominator}"


def line_to_dict(line: Line) -> dict[str, Any]:
    """One line of an assessment as in the quote's JSON (also the stored form's explicit lines)."""
    return {
        "code": line.code,
        "schedule": line.schedule.value if line.schedule else None,
        "property_refs": list(line.property_refs),
        "base": _num(line.base),
        "rate_percent": _num(line.rate_percent),
        "amount": _num(line.amount),
        "text_th": line.text_th,
        "text_en": line.text_en,
    }


def assessment_to_dict(
    assessment: Assessment, *, installments: tuple[Installment, ...] | None = None, name: str = ""
) -> dict[str, Any]:
    """JSON-ready dict of an assessment; every amount, rate and share is a string."""
    out: dict[str, Any] = {
        "schema": RESULT_SCHEMA,
        "year": assessment.year,
        "year_be": assessment.year + 543,
        "taxpayer": {"id": assessment.taxpayer_id, "name": name, "kind": assessment.taxpayer_kind.value},
        "valuations": [
            {
                "code": v.code,
                "property_ref": v.property_ref,
                "item_ref": v.item_ref,
                "use": v.use.value,
                "schedule": v.schedule.value,
                "full_value": _num(v.full_value),
                "use_share": _share(v.use_share),
                "ownership_share": _share(v.ownership_share),
                "value": _num(v.value),
                "text_th": v.text_th,
                "text_en": v.text_en,
            }
            for v in assessment.valuations
        ],
        "groups": [
            {
                "schedule": g.schedule.value,
                "vacant_escalation_steps": g.vacant_escalation_steps,
                "property_refs": list(g.property_refs),
                "value": _num(g.value),
                "exemption": _num(g.exemption),
                "taxable": _num(g.taxable),
                "tax": _num(g.tax),
                "share": _share(g.share),
            }
            for g in assessment.groups
        ],
        "lines": [line_to_dict(line) for line in assessment.lines],
        "notes": [
            {"code": n.code, "property_ref": n.property_ref, "text_th": n.text_th, "text_en": n.text_en}
            for n in assessment.notes
        ],
        "value": _num(assessment.value),
        "exemption": _num(assessment.exemption),
        "total": _num(assessment.total),
    }
    if installments is not None:
        out["installments"] = [
            {"number": i.number, "due_date": i.due_date.isoformat(), "amount": _num(i.amount)}
            for i in installments
        ]
    return out


def _owner_tax(prop: Property, owner: OwnerEntry, taxpayer: Taxpayer, rules: TaxYearRules) -> Decimal:
    """What one owner of a co-owned property owes for it, assessed as that owner (kind, registration)."""
    kind = owner.kind or taxpayer.kind
    registered = owner.house_registration and kind is TaxpayerKind.INDIVIDUAL
    alone = replace(prop, house_registration=registered, share=owner.share)
    return assess(Taxpayer(kind=kind, properties=(alone,), id=owner.ref), rules).total


def co_owned_breakdown(request: QuoteRequest, assessment: Assessment) -> list[dict[str, Any]]:
    """For each co-owned property: the whole property's tax and each listed owner's part of it."""
    out = []
    for prop in request.taxpayer.properties:
        if not prop.co_owned:
            continue
        share_lines = [
            line
            for line in assessment.lines
            if line.code == "share.co_owned" and line.property_refs == (prop.ref,)
        ]
        whole = share_lines[0].base if share_lines else Decimal("0.00")
        owners = request.owners.get(prop.ref, ())
        out.append(
            {
                "property_ref": prop.ref,
                "share": _share(prop.share),
                "whole_property_tax": _num(whole),
                "owners": [
                    {
                        "ref": o.ref,
                        "name": o.name,
                        "share": _share(o.share),
                        "kind": (o.kind or request.taxpayer.kind).value,
                        "house_registration": o.house_registration,
                        "tax": _num(_owner_tax(prop, o, request.taxpayer, request.rules)),
                    }
                    for o in owners
                ],
            }
        )
    return out


_LATE_KEYS = {"paid_on", "paid_before", "due_dates", "reminder"}
_REMINDER_KEYS = {"issued_on", "pay_by", "received_on"}


def _date(value: Any, where: str, problems: list[tuple[str, str]]) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        pass
    problems.append((where, f"a date written YYYY-MM-DD (CE), got {value!r}"))
    return None


def _late_request(raw: Any) -> tuple[date, Decimal, tuple[date, ...] | None, ReminderDates | None]:
    """The ``late_payment`` of a request: the day paid, tax paid before, due dates, the reminder."""
    problems: list[tuple[str, str]] = []
    if not isinstance(raw, Mapping):
        raise QuoteError([("late_payment", 'an object {"paid_on", "paid_before", "due_dates", "reminder"}')])
    for key in sorted(set(raw) - _LATE_KEYS):
        problems.append((f"late_payment.{key}", f"unknown field (allowed: {', '.join(sorted(_LATE_KEYS))})"))
    paid_on = _date(raw.get("paid_on"), "late_payment.paid_on", problems)
    before = raw.get("paid_before", "0")
    try:
        paid_before = Decimal(str(before)) if isinstance(before, str | int | Decimal) else Decimal("NaN")
    except ArithmeticError:
        paid_before = Decimal("NaN")
    if not paid_before.is_finite() or paid_before < 0:
        problems.append(("late_payment.paid_before", f"tax already paid, 0 or more, got {before!r}"))
    dates = None
    if "due_dates" in raw:
        found = [
            _date(d, f"late_payment.due_dates[{i}]", problems) for i, d in enumerate(raw["due_dates"] or [])
        ]
        dates = tuple(d for d in found if d is not None) or None
    reminder = None
    if raw.get("reminder") is not None:
        rem = raw["reminder"]
        if not isinstance(rem, Mapping):
            problems.append(("late_payment.reminder", 'an object {"issued_on", "pay_by", "received_on"}'))
        else:
            for key in sorted(set(rem) - _REMINDER_KEYS):
                problems.append((f"late_payment.reminder.{key}", "unknown field"))
            issued = _date(rem.get("issued_on"), "late_payment.reminder.issued_on", problems)
            pay_by = _date(rem.get("pay_by"), "late_payment.reminder.pay_by", problems)
            received = (
                _date(rem["received_on"], "late_payment.reminder.received_on", problems)
                if rem.get("received_on") is not None
                else None
            )
            if issued and pay_by:
                try:
                    reminder = ReminderDates(issued_on=issued, pay_by=pay_by, received_on=received)
                except ValueError as exc:
                    problems.append(("late_payment.reminder", str(exc)))
    if problems or paid_on is None:
        raise QuoteError(problems or [("late_payment.paid_on", "required")])
    return paid_on, paid_before.quantize(Decimal("0.01")), dates, reminder


def late_payment(
    total: Decimal, rules: TaxYearRules, raw: Any
) -> tuple[dict[str, Any], tuple[Installment, ...]]:
    """What the tax costs when paid on a day (Sec. 68-70), with the installments it was due in."""
    paid_on, paid_before, dates, reminder = _late_request(raw)
    try:
        plan = installment_schedule(total, rules, dates)
    except ValueError as exc:
        raise QuoteError([("late_payment.due_dates", str(exc))]) from None
    lines = due_lines(plan, min(paid_before, total), paid_on, rules, reminder)
    penalty, surcharge = late_totals([line for line in lines if line.months_late], rules)
    tax = max(total - paid_before, Decimal("0.00"))
    return {
        "paid_on": paid_on.isoformat(),
        "tax": _num(tax),
        "penalty": _num(penalty),
        "surcharge": _num(surcharge),
        "total": _num(tax + penalty + surcharge),
        "installments": [
            {
                "number": line.number,
                "due_date": line.due_date.isoformat(),
                "unpaid": _num(line.unpaid),
                "months_late": line.months_late,
                "surcharge": _num(line.surcharge),
                "penalty_tier": line.tier.value,
                "penalty_percent": _num(line.penalty_percent),
                "penalty": _num(line.penalty),
            }
            for line in lines
        ],
    }, plan


def quote(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a request, assess it and return the result dict (with the default installments)."""
    request = parse_request(data)
    taxpayer, rules = request.taxpayer, request.rules
    assessment = assess(taxpayer, rules)
    late = None
    plan = installment_schedule(assessment.total, rules)
    if data.get("late_payment") is not None:
        late, plan = late_payment(assessment.total, rules, data["late_payment"])
    out = assessment_to_dict(assessment, installments=plan, name=taxpayer.name)
    out["co_owned"] = co_owned_breakdown(request, assessment)
    if late is not None:
        out["late_payment"] = late
    return out


def load_request(source: str | Path) -> dict[str, Any]:
    """Read a request from a JSON file, numbers with decimals read as Decimal (never float)."""
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QuoteError([("", f"cannot read {path}: {exc.strerror or exc}")]) from exc
    return loads_request(text, str(path))


def loads_request(text: str, name: str = "request") -> dict[str, Any]:
    """Parse request JSON text, numbers with decimals read as Decimal (never float)."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise QuoteError(
            [("", f"{name} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]
        ) from exc
    if not isinstance(data, dict):
        raise QuoteError([("", f"{name} must hold a JSON object")])
    return data
