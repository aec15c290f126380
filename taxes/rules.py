"""Tax-year rules as plain data (JSON-compatible dicts) and their conversion to :class:`TaxYearRules`.

Rules are data, not code: :func:`rules_from_dict` builds the engine's frozen rules from a dict that
could come from a JSON file or from database rows (one row per year, schedule and bracket), and
:func:`rules_to_dict` writes it back. Amounts and rates are strings (``"0.3"``) so no float creeps in.

The defaults below are the rates of DOMAIN.md (Sec. 94 rates in force by royal decree from 2020).
Brackets are measured on the *taxable base after the individual's exemption* (see the engine's
docstring): the home schedules' 0-25 M / 25-50 M / >50 M of the base are DOMAIN.md's 50-75 M /
75-100 M / >100 M of the value after the 50 M exemption, and 0-40 M / 40-65 M / 65-90 M / >90 M
after the 10 M exemption are its 10-50 M / 50-75 M / 75-100 M / >100 M.

Unverified (see DOMAIN.md): the reductions by year (only 2020 and 2021, 90 %, are known here; later
relief measures, if any, must be added as data), the full exemption of individuals' agricultural
land in 2020-2022 (Sec. 96), the due dates, the surcharge cap and the reduced penalty.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from taxes.engine import Bracket, Rounding, Schedule, ScheduleRule, TaxYearRules

__all__ = [
    "DEFAULT_RULES",
    "FIRST_TAX_YEAR",
    "default_rules",
    "default_rules_dict",
    "rules_from_dict",
    "rules_to_dict",
]

FIRST_TAX_YEAR = 2020  # the Act's tax was first collected for 2020

M = 1_000_000


def _b(*pairs: tuple[int | None, str]) -> list[list[str | None]]:
    return [[None if upper is None else str(upper), rate] for upper, rate in pairs]


_OTHER_BRACKETS = _b((50 * M, "0.3"), (200 * M, "0.4"), (1000 * M, "0.5"), (5000 * M, "0.6"), (None, "0.7"))

#: The rules common to every year from 2020, before the per-year differences below.
DEFAULT_RULES: dict[str, Any] = {
    "reduction_percent": "0",
    "aggregate_by_category": True,
    "individual_agricultural_fully_exempt": False,
    "rounding": {"quantum": "0.01", "mode": "ROUND_HALF_UP"},
    "schedules": {
        "agricultural": {
            "individual_exemption": str(50 * M),
            "exemption_reference": "Sec. 40",
            "brackets": _b(
                (75 * M, "0.01"), (100 * M, "0.03"), (500 * M, "0.05"), (1000 * M, "0.07"), (None, "0.1")
            ),
        },
        "residential_home_land_and_building": {
            "individual_exemption": str(50 * M),
            "exemption_reference": "Sec. 41",
            # of the base after the 50 M exemption: value 50-75 M 0.03 %, 75-100 M 0.05 %, >100 M 0.1 %
            "brackets": _b((25 * M, "0.03"), (50 * M, "0.05"), (None, "0.1")),
        },
        "residential_home_building_only": {
            "individual_exemption": str(10 * M),
            "exemption_reference": "Sec. 42",
            # of the base after the 10 M exemption: value 10-50 M 0.02 %, 50-75 M 0.03 %, ...
            "brackets": _b((40 * M, "0.02"), (65 * M, "0.03"), (90 * M, "0.05"), (None, "0.1")),
        },
        "residential_other": {
            "individual_exemption": "0",
            "exemption_reference": "",
            "brackets": _b((50 * M, "0.02"), (75 * M, "0.03"), (100 * M, "0.05"), (None, "0.1")),
        },
        "other": {"individual_exemption": "0", "exemption_reference": "", "brackets": _OTHER_BRACKETS},
        "vacant": {"individual_exemption": "0", "exemption_reference": "", "brackets": _OTHER_BRACKETS},
    },
    "vacant": {"escalation_percent": "0.3", "escalation_every_years": 3, "rate_cap_percent": "3"},
    "installments": {"threshold": "3000", "count": 3, "due_dates": ["04-30", "05-31", "06-30"]},
    "surcharge": {"percent_per_month": "1", "cap_percent": "100"},
    "penalty": {"percent": "40", "after_reminder_percent": "20"},
}

#: Per-year differences (royal decrees, transitional provisions).
YEAR_OVERRIDES: dict[int, dict[str, Any]] = {
    2020: {"reduction_percent": "90", "individual_agricultural_fully_exempt": True},
    2021: {"reduction_percent": "90", "individual_agricultural_fully_exempt": True},
    2022: {"individual_agricultural_fully_exempt": True},
}

_TOP_KEYS = set(DEFAULT_RULES) | {"year"}


def default_rules_dict(year: int) -> dict[str, Any]:
    """The default rules for ``year`` as a plain dict (a fresh copy the caller may change)."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError(f"year must be an int, got {year!r}")
    if year < FIRST_TAX_YEAR:
        raise ValueError(f"the Land and Building Tax starts with tax year {FIRST_TAX_YEAR}, got {year}")
    data = copy.deepcopy(DEFAULT_RULES)
    data.update(copy.deepcopy(YEAR_OVERRIDES.get(year, {})))
    data["year"] = year
    return data


def default_rules(year: int) -> TaxYearRules:
    """The rules of DOMAIN.md for ``year`` (2020 and 2021 with the 90 % reduction)."""
    return rules_from_dict(default_rules_dict(year))


class RulesError(ValueError):
    """A rules dict that cannot be turned into rules; the message names the offending key."""


def _dec(value: Any, path: str) -> Decimal:
    if isinstance(value, bool | float):
        raise RulesError(f"{path}: write numbers as strings or integers (got {value!r})")
    try:
        result = Decimal(str(value)) if isinstance(value, str | int) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise RulesError(f"{path}: not a number: {value!r}") from exc
    if not result.is_finite():
        raise RulesError(f"{path}: not a finite number: {value!r}")
    return result


def _int(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RulesError(f"{path}: must be an integer, got {value!r}")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise RulesError(f"{path}: must be true or false, got {value!r}")
    return value


def _section(data: Mapping[str, Any], key: str, allowed: set[str]) -> Mapping[str, Any]:
    section = data.get(key, DEFAULT_RULES[key])
    if not isinstance(section, Mapping):
        raise RulesError(f"rules.{key}: must be an object")
    unknown = set(section) - allowed
    if unknown:
        raise RulesError(f"rules.{key}: unknown keys {sorted(unknown)}")
    merged = dict(DEFAULT_RULES[key])
    merged.update(section)
    return merged


def _due_date(text: Any, path: str) -> tuple[int, int]:
    if not isinstance(text, str) or len(text) != 5 or text[2] != "-":
        raise RulesError(f"{path}: due dates are 'MM-DD' text, got {text!r}")
    try:
        return int(text[:2]), int(text[3:])
    except ValueError as exc:
        raise RulesError(f"{path}: due dates are 'MM-DD' text, got {text!r}") from exc


def rules_from_dict(data: Mapping[str, Any]) -> TaxYearRules:
    """Build :class:`TaxYearRules` from its dict form; missing sections fall back to the defaults.

    Raises :class:`RulesError` (a ValueError) naming the key at fault.
    """
    if not isinstance(data, Mapping):
        raise RulesError("rules must be an object")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise RulesError(f"rules: unknown keys {sorted(unknown)}")
    if "year" not in data:
        raise RulesError("rules.year is required")
    year = _int(data["year"], "rules.year")

    schedules_data = data.get("schedules", DEFAULT_RULES["schedules"])
    if not isinstance(schedules_data, Mapping):
        raise RulesError("rules.schedules: must be an object")
    unknown = set(schedules_data) - {s.value for s in Schedule}
    if unknown:
        raise RulesError(f"rules.schedules: unknown schedules {sorted(unknown)}")
    schedules = []
    for schedule in Schedule:
        path = f"rules.schedules.{schedule.value}"
        entry = schedules_data.get(schedule.value)
        if entry is None:
            raise RulesError(f"{path}: missing")
        if not isinstance(entry, Mapping):
            raise RulesError(f"{path}: must be an object")
        unknown = set(entry) - {"individual_exemption", "exemption_reference", "brackets"}
        if unknown:
            raise RulesError(f"{path}: unknown keys {sorted(unknown)}")
        raw_brackets = entry.get("brackets")
        if not isinstance(raw_brackets, list) or not raw_brackets:
            raise RulesError(f"{path}.brackets: a non-empty list of [upper or null, rate_percent]")
        brackets = []
        for i, pair in enumerate(raw_brackets):
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise RulesError(f"{path}.brackets[{i}]: must be [upper or null, rate_percent]")
            upper = None if pair[0] is None else _dec(pair[0], f"{path}.brackets[{i}][0]")
            try:
                brackets.append(Bracket(upper, _dec(pair[1], f"{path}.brackets[{i}][1]")))
            except ValueError as exc:
                raise RulesError(f"{path}.brackets[{i}]: {exc}") from exc
        try:
            schedules.append(
                ScheduleRule(
                    schedule=schedule,
                    brackets=tuple(brackets),
                    individual_exemption=_dec(
                        entry.get("individual_exemption", "0"), f"{path}.individual_exemption"
                    ),
                    exemption_reference=str(entry.get("exemption_reference", "")),
                )
            )
        except ValueError as exc:
            raise RulesError(f"{path}: {exc}") from exc

    rounding = _section(data, "rounding", {"quantum", "mode"})
    vacant = _section(data, "vacant", {"escalation_percent", "escalation_every_years", "rate_cap_percent"})
    inst = _section(data, "installments", {"threshold", "count", "due_dates"})
    sur = _section(data, "surcharge", {"percent_per_month", "cap_percent"})
    pen = _section(data, "penalty", {"percent", "after_reminder_percent"})
    due = inst["due_dates"]
    if not isinstance(due, list) or not due:
        raise RulesError("rules.installments.due_dates: a non-empty list of 'MM-DD'")
    try:
        return TaxYearRules(
            year=year,
            schedules=tuple(schedules),
            reduction_percent=_dec(data.get("reduction_percent", "0"), "rules.reduction_percent"),
            aggregate_by_category=_bool(
                data.get("aggregate_by_category", True), "rules.aggregate_by_category"
            ),
            individual_agricultural_fully_exempt=_bool(
                data.get("individual_agricultural_fully_exempt", False),
                "rules.individual_agricultural_fully_exempt",
            ),
            vacant_escalation_percent=_dec(vacant["escalation_percent"], "rules.vacant.escalation_percent"),
            vacant_escalation_every_years=_int(
                vacant["escalation_every_years"], "rules.vacant.escalation_every_years"
            ),
            vacant_rate_cap_percent=_dec(vacant["rate_cap_percent"], "rules.vacant.rate_cap_percent"),
            rounding=Rounding(_dec(rounding["quantum"], "rules.rounding.quantum"), str(rounding["mode"])),
            installment_threshold=_dec(inst["threshold"], "rules.installments.threshold"),
            installment_count=_int(inst["count"], "rules.installments.count"),
            installment_due_dates=tuple(
                _due_date(d, f"rules.installments.due_dates[{i}]") for i, d in enumerate(due)
            ),
            surcharge_percent_per_month=_dec(sur["percent_per_month"], "rules.surcharge.percent_per_month"),
            surcharge_cap_percent=None
            if sur["cap_percent"] is None
            else _dec(sur["cap_percent"], "rules.surcharge.cap_percent"),
            penalty_percent=_dec(pen["percent"], "rules.penalty.percent"),
            penalty_after_reminder_percent=_dec(
                pen["after_reminder_percent"], "rules.penalty.after_reminder_percent"
            ),
        )
    except RulesError:
        raise
    except ValueError as exc:
        raise RulesError(f"rules: {exc}") from exc


def rules_to_dict(rules: TaxYearRules) -> dict[str, Any]:
    """The dict form of ``rules`` (the inverse of :func:`rules_from_dict`)."""
    return {
        "year": rules.year,
        "reduction_percent": str(rules.reduction_percent),
        "aggregate_by_category": rules.aggregate_by_category,
        "individual_agricultural_fully_exempt": rules.individual_agricultural_fully_exempt,
        "rounding": {"quantum": str(rules.rounding.quantum), "mode": rules.rounding.mode},
        "schedules": {
            rule.schedule.value: {
                "individual_exemption": str(rule.individual_exemption),
                "exemption_reference": rule.exemption_reference,
                "brackets": [
                    [None if b.upper is None else str(b.upper), str(b.rate_percent)] for b in rule.brackets
                ],
            }
            for rule in rules.schedules
        },
        "vacant": {
            "escalation_percent": str(rules.vacant_escalation_percent),
            "escalation_every_years": rules.vacant_escalation_every_years,
            "rate_cap_percent": str(rules.vacant_rate_cap_percent),
        },
        "installments": {
            "threshold": str(rules.installment_threshold),
            "count": rules.installment_count,
            "due_dates": [f"{m:02d}-{d:02d}" for m, d in rules.installment_due_dates],
        },
        "surcharge": {
            "percent_per_month": str(rules.surcharge_percent_per_month),
            "cap_percent": None if rules.surcharge_cap_percent is None else str(rules.surcharge_cap_percent),
        },
        "penalty": {
            "percent": str(rules.penalty_percent),
            "after_reminder_percent": str(rules.penalty_after_reminder_percent),
        },
    }
