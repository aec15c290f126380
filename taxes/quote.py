"""Tax quotes: one taxpayer's properties as JSON in, the itemised assessment as JSON out.

Plain functions, no database: :func:`parse_quote_request` validates a request dict (schema in
``docs/TAX_QUOTE.md``) and turns it into the engine's :class:`~taxes.engine.Taxpayer` and
:class:`~taxes.engine.TaxYearRules`; :func:`assessment_to_dict` writes an assessment back as JSON-ready
data with every amount as a string. :func:`quote` does both. The ``tax_quote`` management command is
a thin layer over :func:`load_request` and :func:`quote`.

Every problem in a request is collected and reported together, each with the path of the field at
fault (``properties[0].land[1].price_per_sq_wah``), in a :class:`QuoteError`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from taxes.engine import (
    Assessment,
    BuildingPortion,
    Installment,
    LandPortion,
    Line,
    Property,
    Taxpayer,
    TaxpayerKind,
    TaxYearRules,
    Use,
    assess,
    installment_schedule,
    parse_rai_ngan_wah,
    to_share,
)
from taxes.rules import default_rules_dict, rules_from_dict

__all__ = [
    "REQUEST_SCHEMA",
    "RESULT_SCHEMA",
    "QuoteError",
    "assessment_to_dict",
    "load_request",
    "loads_request",
    "parse_quote_request",
    "quote",
]

REQUEST_SCHEMA = "pangmu.tax_quote/1"
RESULT_SCHEMA = "pangmu.tax_quote.result/1"

_TOP_KEYS = {"schema", "description", "year", "rules", "taxpayer", "properties"}
_TAXPAYER_KEYS = {"kind", "id", "name"}
_PROPERTY_KEYS = {
    "ref",
    "description",
    "house_registration",
    "years_vacant",
    "ownership_share",
    "land",
    "buildings",
}
_LAND_KEYS = {"ref", "area", "area_sq_wah", "price_per_sq_wah", "use", "uses", "ownership_share"}
_BUILDING_KEYS = {
    "ref",
    "floor_area_m2",
    "cost_per_m2",
    "depreciation_percent",
    "use",
    "uses",
    "ownership_share",
}
_USES = ", ".join(u.value for u in Use)


class QuoteError(ValueError):
    """An invalid quote request: every problem found, each as (path, message)."""

    code = "tax_quote_invalid"

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = list(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        lines = [f"invalid tax quote request ({len(self.problems)} problem(s)):"]
        lines += [f"  - {path}: {message}" if path else f"  - {message}" for path, message in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._text()


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append((path, message))

    def keys(self, data: Mapping[str, Any], allowed: set[str], path: str) -> None:
        for key in sorted(set(data) - allowed):
            self.add(
                f"{path}.{key}" if path else key, f"unknown field (allowed: {', '.join(sorted(allowed))})"
            )

    def decimal(
        self, data: Mapping[str, Any], key: str, path: str, *, default: str | None = None
    ) -> Decimal | None:
        """A non-negative number written as a string or an integer; None (and a problem) otherwise."""
        where = f"{path}.{key}"
        if key not in data or data[key] is None:
            if default is not None:
                return Decimal(default)
            self.add(where, "required")
            return None
        value = data[key]
        if isinstance(value, bool | float):
            self.add(where, f'write numbers as strings, e.g. "{value}" (got {value!r})')
            return None
        if not isinstance(value, str | int | Decimal):
            self.add(where, f"must be a number written as a string, got {type(value).__name__}")
            return None
        try:
            result = Decimal(value.strip().replace(",", "")) if isinstance(value, str) else Decimal(value)
        except InvalidOperation:
            self.add(where, f"not a number: {value!r}")
            return None
        if not result.is_finite():
            self.add(where, f"not a finite number: {value!r}")
            return None
        if result < 0:
            self.add(where, f"must not be negative, got {value}")
            return None
        return result

    def share(self, value: Any, where: str) -> Fraction | None:
        if isinstance(value, float):
            self.add(where, f'write shares as strings, e.g. "1/2" or "0.5" (got {value!r})')
            return None
        if isinstance(value, Decimal | int | str) and not isinstance(value, bool):
            try:
                return to_share(value)
            except (TypeError, ValueError) as exc:
                self.add(where, str(exc))
                return None
        self.add(where, f'must be a share like "1/2" or "0.5", got {value!r}')
        return None

    def uses(self, item: Mapping[str, Any], path: str) -> list[tuple[Use, Fraction]]:
        """``use`` (one use for the whole item) or ``uses`` (list of {use, share} adding up to 1)."""
        if ("use" in item) == ("uses" in item):
            self.add(path, f'give either "use" or "uses" (a list of {{"use", "share"}}); uses are: {_USES}')
            return []
        if "use" in item:
            use = self.use(item["use"], f"{path}.use")
            return [(use, Fraction(1))] if use else []
        raw = item["uses"]
        if not isinstance(raw, list) or not raw:
            self.add(f"{path}.uses", 'must be a non-empty list of {"use": ..., "share": ...}')
            return []
        out: list[tuple[Use, Fraction]] = []
        ok = True
        for i, entry in enumerate(raw):
            where = f"{path}.uses[{i}]"
            if not isinstance(entry, Mapping):
                self.add(where, 'must be an object {"use": ..., "share": ...}')
                ok = False
                continue
            self.keys(entry, {"use", "share"}, where)
            use = self.use(entry.get("use"), f"{where}.use")
            share = self.share(entry.get("share"), f"{where}.share") if "share" in entry else None
            if "share" not in entry:
                self.add(f"{where}.share", "required")
            if use is None or share is None:
                ok = False
                continue
            out.append((use, share))
        if ok:
            total = sum((s for _, s in out), Fraction(0))
            if total != 1:
                self.add(f"{path}.uses", f"the shares must add up to 1, they add up to {total}")
                return []
            if len({u for u, _ in out}) != len(out):
                self.add(f"{path}.uses", "each use may appear once")
                return []
        return out if ok else []

    def use(self, value: Any, where: str) -> Use | None:
        try:
            return Use(value)
        except ValueError:
            self.add(where, f"unknown use {value!r}; use one of: {_USES}")
            return None


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _parse_rules(data: Mapping[str, Any], problems: _Problems) -> TaxYearRules | None:
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int):
        problems.add("year", f"required: the tax year in CE as an integer, e.g. 2026 (got {year!r})")
        return None
    if year >= 2400:
        problems.add("year", f"give the year in CE, not BE: {year} BE is {year - 543} CE")
        return None
    try:
        base = default_rules_dict(year)
    except ValueError as exc:
        problems.add("year", str(exc))
        return None
    overrides = data.get("rules", {})
    if not isinstance(overrides, Mapping):
        problems.add("rules", "must be an object of rule overrides")
        return None
    if "year" in overrides:
        problems.add("rules.year", "set the year at the top level only")
        return None
    try:
        return rules_from_dict(_deep_merge(base, overrides))
    except ValueError as exc:
        problems.add("rules", str(exc))
        return None


def _parse_land(
    item: Mapping[str, Any], path: str, index: int, default_share: Fraction, p: _Problems
) -> list[Any]:
    p.keys(item, _LAND_KEYS, path)
    ref = str(item.get("ref") or f"land{index + 1}")
    area: Decimal | None = None
    if ("area" in item) == ("area_sq_wah" in item):
        p.add(path, 'give the area either as "area" (rai-ngan-wah, e.g. "1-2-50") or as "area_sq_wah"')
    elif "area" in item:
        if not isinstance(item["area"], str):
            p.add(f"{path}.area", f'must be rai-ngan-wah text like "1-2-50", got {item["area"]!r}')
        else:
            try:
                area = parse_rai_ngan_wah(item["area"])
            except ValueError as exc:
                p.add(f"{path}.area", str(exc))
    else:
        area = p.decimal(item, "area_sq_wah", path)
    price = p.decimal(item, "price_per_sq_wah", path)
    share = (
        p.share(item["ownership_share"], f"{path}.ownership_share")
        if "ownership_share" in item
        else default_share
    )
    uses = p.uses(item, path)
    if area is None or price is None or share is None or not uses:
        return []
    return [LandPortion(area, price, use, use_share, share, ref) for use, use_share in uses]


def _parse_building(
    item: Mapping[str, Any], path: str, index: int, default_share: Fraction, p: _Problems
) -> list[Any]:
    p.keys(item, _BUILDING_KEYS, path)
    ref = str(item.get("ref") or f"building{index + 1}")
    floor = p.decimal(item, "floor_area_m2", path)
    cost = p.decimal(item, "cost_per_m2", path)
    dep = p.decimal(item, "depreciation_percent", path, default="0")
    if dep is not None and dep > 100:
        p.add(f"{path}.depreciation_percent", f"must be 0-100, got {dep}")
        dep = None
    share = (
        p.share(item["ownership_share"], f"{path}.ownership_share")
        if "ownership_share" in item
        else default_share
    )
    uses = p.uses(item, path)
    if floor is None or cost is None or dep is None or share is None or not uses:
        return []
    return [BuildingPortion(floor, cost, use, dep, use_share, share, ref) for use, use_share in uses]


def _parse_property(raw: Any, path: str, p: _Problems) -> Property | None:
    if not isinstance(raw, Mapping):
        p.add(path, "must be an object")
        return None
    p.keys(raw, _PROPERTY_KEYS, path)
    ref = raw.get("ref")
    if not isinstance(ref, str) or not ref.strip():
        p.add(f"{path}.ref", "required: the property's reference (e.g. its LTAX parcel code)")
        ref = None
    house = raw.get("house_registration", False)
    if not isinstance(house, bool):
        p.add(f"{path}.house_registration", f"must be true or false, got {house!r}")
    years = raw.get("years_vacant", 0)
    if isinstance(years, bool) or not isinstance(years, int) or years < 0:
        p.add(f"{path}.years_vacant", f"must be a whole number of years >= 0, got {years!r}")
    default_share = p.share(raw.get("ownership_share", "1"), f"{path}.ownership_share") or Fraction(1)
    land: list[LandPortion] = []
    buildings: list[BuildingPortion] = []
    for key, parser, out in (("land", _parse_land, land), ("buildings", _parse_building, buildings)):
        items = raw.get(key, [])
        if not isinstance(items, list):
            p.add(f"{path}.{key}", "must be a list")
            continue
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                p.add(f"{path}.{key}[{i}]", "must be an object")
                continue
            out.extend(parser(item, f"{path}.{key}[{i}]", i, default_share, p))
    if not raw.get("land") and not raw.get("buildings"):
        p.add(path, 'has neither "land" nor "buildings"')
    if ref is None:
        return None
    try:
        return Property(
            ref=ref,
            land=tuple(land),
            buildings=tuple(buildings),
            house_registration=house if isinstance(house, bool) else False,
            years_vacant=years
            if isinstance(years, int) and not isinstance(years, bool) and years >= 0
            else 0,
        )
    except (TypeError, ValueError) as exc:
        p.add(path, str(exc))
        return None


def parse_quote_request(data: Mapping[str, Any]) -> tuple[Taxpayer, TaxYearRules]:
    """Validate a quote request (see docs/TAX_QUOTE.md) and build the engine's inputs.

    Raises :class:`QuoteError` listing every problem with the path of the field at fault.
    """
    if not isinstance(data, Mapping):
        raise QuoteError([("", "the request must be a JSON object")])
    p = _Problems()
    p.keys(data, _TOP_KEYS, "")
    schema = data.get("schema", REQUEST_SCHEMA)
    if schema != REQUEST_SCHEMA:
        p.add("schema", f"unsupported schema {schema!r}; this version reads {REQUEST_SCHEMA!r}")
    rules = _parse_rules(data, p)

    raw_tp = data.get("taxpayer")
    kind: TaxpayerKind | None = None
    tp_id = tp_name = ""
    if not isinstance(raw_tp, Mapping):
        p.add(
            "taxpayer", 'required: an object with "kind" (individual or juristic), optional "id" and "name"'
        )
    else:
        p.keys(raw_tp, _TAXPAYER_KEYS, "taxpayer")
        raw_kind = raw_tp.get("kind")
        if isinstance(raw_kind, str) and raw_kind in {k.value for k in TaxpayerKind}:
            kind = TaxpayerKind(raw_kind)
        else:
            p.add("taxpayer.kind", f"must be 'individual' or 'juristic', got {raw_kind!r}")
        tp_id, tp_name = str(raw_tp.get("id", "")), str(raw_tp.get("name", ""))

    raw_props = data.get("properties")
    props: list[Property] = []
    if not isinstance(raw_props, list) or not raw_props:
        p.add("properties", "required: a non-empty list of properties")
    else:
        for i, raw in enumerate(raw_props):
            prop = _parse_property(raw, f"properties[{i}]", p)
            if prop is not None:
                props.append(prop)
        refs = [prop.ref for prop in props]
        for ref in sorted({r for r in refs if refs.count(r) > 1}):
            p.add("properties", f"property ref {ref!r} is used more than once")

    taxpayer = None
    if kind is not None and not p.items:
        try:
            taxpayer = Taxpayer(kind=kind, properties=tuple(props), id=tp_id, name=tp_name)
        except (TypeError, ValueError) as exc:
            p.add("properties", str(exc))
    if p.items or taxpayer is None or rules is None:
        raise QuoteError(p.items or [("", "invalid request")])
    return taxpayer, rules


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


def quote(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a request, assess it and return the result dict (with the default installments)."""
    taxpayer, rules = parse_quote_request(data)
    assessment = assess(taxpayer, rules)
    return assessment_to_dict(
        assessment, installments=installment_schedule(assessment.total, rules), name=taxpayer.name
    )


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
