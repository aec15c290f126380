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
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from taxes.engine import (
    Assessment,
    Installment,
    Line,
    Property,
    Taxpayer,
    TaxpayerKind,
    TaxYearRules,
    assess,
    installment_schedule,
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


def quote(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a request, assess it and return the result dict (with the default installments)."""
    request = parse_request(data)
    taxpayer, rules = request.taxpayer, request.rules
    assessment = assess(taxpayer, rules)
    out = assessment_to_dict(
        assessment, installments=installment_schedule(assessment.total, rules), name=taxpayer.name
    )
    out["co_owned"] = co_owned_breakdown(request, assessment)
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
