"""Tax-year rules as plain data (JSON-compatible dicts) and their conversion to :class:`TaxYearRules`.

Rules are data, not code: :func:`rules_from_dict` builds the engine's frozen rules from a dict (the
``rules`` of a :class:`~taxes.models.TaxYear`, or a quote's overrides) and :func:`rules_to_dict`
writes it back. Amounts and rates are strings (``"0.3"``) so no float creeps in. A dict that
contradicts itself is refused with every problem listed (:class:`RulesError` ``.problems``).

:func:`default_rules_dict` gives a year's rules from :mod:`taxes.law`: the rates (Sec. 94 for
2020-2021, the royal decree of B.E. 2564 from 2022, the same figures), the year's reduction, the
transitional farm exemption (Sec. 96, 2020-2022), the dates as the Interior Ministry moved them, the
special reductions of the B.E. 2563 decree, the penalty tiers (Sec. 68-69) and the surcharge
(Sec. 70), with ``sources``: each rule's decree, section and Gazette date (shown in the admin and on
the notice). Brackets are measured on the taxable base after the individual's exemption: the home
schedules' 0-25 M / 25-50 M / >50 M of the base are the value's 50-75 M / 75-100 M / >100 M.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from taxes.engine import (
    Bracket,
    Rounding,
    Schedule,
    ScheduleRule,
    SpecialReductionRule,
    TaxYearRules,
)
from taxes.law import SPECIAL_REDUCTIONS, sources_for_year, year_law

__all__ = [
    "DEFAULT_RULES",
    "FIRST_TAX_YEAR",
    "RulesError",
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

#: The rules common to every year from 2020, before the per-year law of :mod:`taxes.law`.
DEFAULT_RULES: dict[str, Any] = {
    "reduction_percent": "0",
    "reduction_reference": "",
    "reduction_skips_special_percents": [],
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
    "vacant": {
        "escalation_percent": "0.3",
        "escalation_every_years": 3,
        "rate_cap_percent": "3",
        "counted_from": FIRST_TAX_YEAR,
    },
    "installments": {"threshold": "3000", "count": 3, "due_dates": ["04-30", "05-31", "06-30"]},
    "reminder": {"by": "05-31"},
    # the office's own check when notices are issued: the first due date at least this many days away
    "notice": {"min_days_to_pay": 30},
    "surcharge": {"percent_per_month": "1", "cap_percent": None},
    "penalty": {"percent": "40", "before_reminder_percent": "10", "within_reminder_percent": "20"},
    "special_reductions": {
        code: {"percent": pct, "name_th": th, "name_en": en, "reference": ref}
        for code, (pct, th, en, ref) in SPECIAL_REDUCTIONS.items()
    },
    "sources": [],
}

_SECTION_KEYS = {
    "rounding": {"quantum", "mode"},
    "vacant": {"escalation_percent", "escalation_every_years", "rate_cap_percent", "counted_from"},
    "installments": {"threshold", "count", "due_dates"},
    "reminder": {"by"},
    "notice": {"min_days_to_pay"},
    "surcharge": {"percent_per_month", "cap_percent"},
    # after_reminder_percent: the name of the 20 % tier in rules written before the three tiers
    "penalty": {"percent", "before_reminder_percent", "within_reminder_percent", "after_reminder_percent"},
}
_TOP_KEYS = set(DEFAULT_RULES) | {"year"}


def default_rules_dict(year: int) -> dict[str, Any]:
    """The rules of ``year`` as a plain dict (a fresh copy the caller may change), with their sources."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError(f"year must be an int, got {year!r}")
    if year < FIRST_TAX_YEAR:
        raise ValueError(f"the Land and Building Tax starts with tax year {FIRST_TAX_YEAR}, got {year}")
    law = year_law(year)
    data = copy.deepcopy(DEFAULT_RULES)
    data["year"] = year
    data["reduction_percent"] = law.reduction_percent
    data["reduction_reference"] = law.reduction_reference
    data["reduction_skips_special_percents"] = list(law.reduction_skips_special_percents)
    data["individual_agricultural_fully_exempt"] = law.individual_agricultural_fully_exempt
    data["installments"]["due_dates"] = list(law.due_dates)
    data["reminder"]["by"] = law.reminder_by
    data["sources"] = copy.deepcopy(sources_for_year(year))
    return data


def default_rules(year: int) -> TaxYearRules:
    """The rules of ``year`` from :mod:`taxes.law`."""
    return rules_from_dict(default_rules_dict(year))


class RulesError(ValueError):
    """A rules dict that cannot be turned into rules; ``problems`` lists every one, each naming its key."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


class _Reader:
    """Reads values out of a rules dict, collecting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def dec(
        self, value: Any, path: str, *, low: Decimal | None = None, high: Decimal | None = None
    ) -> Decimal:
        if isinstance(value, bool | float):
            self.problems.append(f"{path}: write numbers as strings or integers (got {value!r})")
            return Decimal(0)
        try:
            result = Decimal(str(value)) if isinstance(value, str | int) else Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            self.problems.append(f"{path}: not a number: {value!r}")
            return Decimal(0)
        if not result.is_finite():
            self.problems.append(f"{path}: not a finite number: {value!r}")
            return Decimal(0)
        if low is not None and high is not None and not low <= result <= high:
            self.problems.append(f"{path}: must be {low}-{high}, got {result}")
        elif low is not None and result < low:
            self.problems.append(f"{path}: must be at least {low}, got {result}")
        return result

    def int(self, value: Any, path: str, *, low: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.append(f"{path}: must be an integer, got {value!r}")
            return low
        if value < low:
            self.problems.append(f"{path}: must be at least {low}, got {value}")
            return low
        return value

    def bool(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            self.problems.append(f"{path}: must be true or false, got {value!r}")
            return False
        return value

    def section(self, data: Mapping[str, Any], key: str) -> dict[str, Any]:
        section = data.get(key, DEFAULT_RULES[key])
        if not isinstance(section, Mapping):
            self.problems.append(f"rules.{key}: must be an object")
            return dict(DEFAULT_RULES[key])
        unknown = set(section) - _SECTION_KEYS[key]
        if unknown:
            self.problems.append(f"rules.{key}: unknown keys {sorted(unknown)}")
        merged = dict(DEFAULT_RULES[key])
        merged.update({k: v for k, v in section.items() if k in _SECTION_KEYS[key]})
        return merged

    def month_day(self, text: Any, path: str, year: int) -> tuple[int, int] | None:
        if (
            not isinstance(text, str)
            or len(text) != 5
            or text[2] != "-"
            or not (text[:2] + text[3:]).isdigit()
        ):
            self.problems.append(f"{path}: dates are 'MM-DD' text, got {text!r}")
            return None
        month, day = int(text[:2]), int(text[3:])
        try:
            date(year, month, day)
        except ValueError:
            self.problems.append(f"{path}: {text} is not a date in {year}")
            return None
        return month, day


def _schedules(data: Mapping[str, Any], r: _Reader) -> list[ScheduleRule]:
    schedules_data = data.get("schedules", DEFAULT_RULES["schedules"])
    if not isinstance(schedules_data, Mapping):
        r.problems.append("rules.schedules: must be an object")
        return []
    unknown = set(schedules_data) - {s.value for s in Schedule}
    if unknown:
        r.problems.append(f"rules.schedules: unknown schedules {sorted(unknown)}")
    out = []
    for schedule in Schedule:
        path = f"rules.schedules.{schedule.value}"
        entry = schedules_data.get(schedule.value)
        if not isinstance(entry, Mapping):
            r.problems.append(
                f"{path}: missing (an object with brackets)"
                if entry is None
                else f"{path}: must be an object"
            )
            continue
        unknown = set(entry) - {"individual_exemption", "exemption_reference", "brackets"}
        if unknown:
            r.problems.append(f"{path}: unknown keys {sorted(unknown)}")
        raw = entry.get("brackets")
        if not isinstance(raw, list) or not raw:
            r.problems.append(f"{path}.brackets: a non-empty list of [upper or null, rate_percent]")
            continue
        brackets: list[Bracket] = []
        ok = True
        for i, pair in enumerate(raw):
            where = f"{path}.brackets[{i}]"
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                r.problems.append(f"{where}: must be [upper or null, rate_percent]")
                ok = False
                continue
            before = len(r.problems)
            upper = None if pair[0] is None else r.dec(pair[0], f"{where}[0]", low=Decimal("0.01"))
            rate = r.dec(pair[1], f"{where}[1]", low=Decimal(0), high=Decimal(100))
            if len(r.problems) > before:
                ok = False
                continue
            brackets.append(Bracket(upper, rate))
        if not ok:
            continue
        uppers = [b.upper for b in brackets]
        if uppers[-1] is not None:
            r.problems.append(f"{path}.brackets: the last bracket must be open-ended (upper null)")
            ok = False
        if any(u is None for u in uppers[:-1]):
            r.problems.append(f"{path}.brackets: only the last bracket may be open-ended")
            ok = False
        bounded = [u for u in uppers if u is not None]
        if any(b <= a for a, b in zip(bounded, bounded[1:], strict=False)):
            r.problems.append(
                f"{path}.brackets: the brackets overlap "
                f"(upper bounds {', '.join(map(str, bounded))} must increase)"
            )
            ok = False
        exemption = r.dec(
            entry.get("individual_exemption", "0"), f"{path}.individual_exemption", low=Decimal(0)
        )
        if not ok:
            continue
        try:
            out.append(
                ScheduleRule(
                    schedule=schedule,
                    brackets=tuple(brackets),
                    individual_exemption=exemption,
                    exemption_reference=str(entry.get("exemption_reference", "")),
                )
            )
        except ValueError as exc:
            r.problems.append(f"{path}: {exc}")
    return out


def _special_reductions(data: Mapping[str, Any], r: _Reader) -> list[SpecialReductionRule]:
    raw = data.get("special_reductions", DEFAULT_RULES["special_reductions"])
    if not isinstance(raw, Mapping):
        r.problems.append("rules.special_reductions: must be an object of code -> {percent, name_th, ...}")
        return []
    out = []
    for code, entry in raw.items():
        path = f"rules.special_reductions.{code}"
        if not isinstance(entry, Mapping) or "percent" not in entry:
            r.problems.append(f"{path}: must be an object with a percent")
            continue
        pct = r.dec(entry["percent"], f"{path}.percent", low=Decimal("0.01"), high=Decimal(100))
        out.append(
            SpecialReductionRule(
                code=str(code),
                percent=pct if 0 < pct <= 100 else Decimal(100),
                name_th=str(entry.get("name_th", "")),
                name_en=str(entry.get("name_en", "")),
                reference=str(entry.get("reference", "")),
            )
        )
    return out


def rules_from_dict(data: Mapping[str, Any]) -> TaxYearRules:
    """Build :class:`TaxYearRules` from its dict form; missing sections fall back to the defaults.

    Raises :class:`RulesError` (a ValueError) listing every problem, each naming the key at fault.
    """
    if not isinstance(data, Mapping):
        raise RulesError("rules must be an object")
    r = _Reader()
    unknown = set(data) - _TOP_KEYS
    if unknown:
        r.problems.append(f"rules: unknown keys {sorted(unknown)}")
    if "year" not in data:
        raise RulesError(["rules.year is required", *r.problems])
    year = r.int(data["year"], "rules.year", low=FIRST_TAX_YEAR)

    schedules = _schedules(data, r)
    rounding = r.section(data, "rounding")
    vacant = r.section(data, "vacant")
    inst = r.section(data, "installments")
    reminder = r.section(data, "reminder")
    notice = r.section(data, "notice")
    sur = r.section(data, "surcharge")
    pen = r.section(data, "penalty")
    pct = {"low": Decimal(0), "high": Decimal(100)}
    reduction = r.dec(data.get("reduction_percent", "0"), "rules.reduction_percent", **pct)
    skips = data.get("reduction_skips_special_percents", [])
    if not isinstance(skips, list):
        r.problems.append("rules.reduction_skips_special_percents: a list of percents")
        skips = []
    due = inst["due_dates"]
    dates: list[tuple[int, int]] = []
    if not isinstance(due, list) or not due:
        r.problems.append("rules.installments.due_dates: a non-empty list of 'MM-DD'")
    else:
        for i, d in enumerate(due):
            found = r.month_day(d, f"rules.installments.due_dates[{i}]", year)
            if found is not None:
                dates.append(found)
        if len(dates) == len(due) and any(b <= a for a, b in zip(dates, dates[1:], strict=False)):
            r.problems.append(
                f"rules.installments.due_dates: out of order ({', '.join(due)}); each must be later"
            )
    count = r.int(inst["count"], "rules.installments.count", low=1)
    if isinstance(due, list) and count > 1 and len(due) < count:
        r.problems.append(f"rules.installments: {count} installments need {count} due dates, got {len(due)}")
    reminder_by = r.month_day(reminder["by"], "rules.reminder.by", year)
    if reminder_by is not None and dates and reminder_by < dates[0]:
        r.problems.append("rules.reminder.by: reminders are sent after the payment date (the first due date)")
    min_days = r.int(notice["min_days_to_pay"], "rules.notice.min_days_to_pay", low=0)
    within = pen.get("within_reminder_percent", pen.get("after_reminder_percent", "20"))
    before_pct = r.dec(pen["before_reminder_percent"], "rules.penalty.before_reminder_percent", **pct)
    within_pct = r.dec(within, "rules.penalty.within_reminder_percent", **pct)
    full_pct = r.dec(pen["percent"], "rules.penalty.percent", **pct)
    if not before_pct <= within_pct <= full_pct:
        r.problems.append(
            "rules.penalty: the tiers must not fall as payment comes later (10 % <= 20 % <= 40 %)"
        )
    cap = (
        None
        if sur["cap_percent"] is None
        else r.dec(sur["cap_percent"], "rules.surcharge.cap_percent", low=Decimal(0))
    )
    sources = data.get("sources", [])
    if not isinstance(sources, list) or any(not isinstance(s, Mapping) for s in sources):
        r.problems.append(
            "rules.sources: a list of objects (rule, title_th, title_en, section, gazette, ...)"
        )
    rules_kwargs = {
        "year": year,
        "schedules": tuple(schedules),
        "reduction_percent": reduction,
        "reduction_reference": str(data.get("reduction_reference", "")),
        "reduction_skips_special_percents": tuple(
            r.dec(p, f"rules.reduction_skips_special_percents[{i}]", **pct) for i, p in enumerate(skips)
        ),
        "aggregate_by_category": r.bool(
            data.get("aggregate_by_category", True), "rules.aggregate_by_category"
        ),
        "individual_agricultural_fully_exempt": r.bool(
            data.get("individual_agricultural_fully_exempt", False),
            "rules.individual_agricultural_fully_exempt",
        ),
        "vacant_escalation_percent": r.dec(
            vacant["escalation_percent"], "rules.vacant.escalation_percent", **pct
        ),
        "vacant_escalation_every_years": r.int(
            vacant["escalation_every_years"], "rules.vacant.escalation_every_years", low=1
        ),
        "vacant_rate_cap_percent": r.dec(vacant["rate_cap_percent"], "rules.vacant.rate_cap_percent", **pct),
        "vacant_counted_from": r.int(vacant["counted_from"], "rules.vacant.counted_from", low=FIRST_TAX_YEAR),
        "installment_threshold": r.dec(inst["threshold"], "rules.installments.threshold", low=Decimal(0)),
        "installment_count": count,
        "installment_due_dates": tuple(dates),
        "surcharge_percent_per_month": r.dec(
            sur["percent_per_month"], "rules.surcharge.percent_per_month", **pct
        ),
        "surcharge_cap_percent": cap,
        "penalty_percent": full_pct,
        "penalty_before_reminder_percent": before_pct,
        "penalty_within_reminder_percent": within_pct,
        "special_reductions": tuple(_special_reductions(data, r)),
        "reminder_by": reminder_by or (5, 31),
        "notice_min_days_to_pay": min_days,
    }
    quantum = r.dec(rounding["quantum"], "rules.rounding.quantum", low=Decimal("0.01"))
    if r.problems:
        raise RulesError(r.problems)
    try:
        return TaxYearRules(rounding=Rounding(quantum, str(rounding["mode"])), **rules_kwargs)
    except ValueError as exc:
        raise RulesError([f"rules: {exc}"]) from exc


def rules_to_dict(rules: TaxYearRules) -> dict[str, Any]:
    """The dict form of ``rules`` (the inverse of :func:`rules_from_dict`; sources are not part of it)."""
    return {
        "year": rules.year,
        "reduction_percent": str(rules.reduction_percent),
        "reduction_reference": rules.reduction_reference,
        "reduction_skips_special_percents": [str(p) for p in rules.reduction_skips_special_percents],
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
            "counted_from": rules.vacant_counted_from,
        },
        "installments": {
            "threshold": str(rules.installment_threshold),
            "count": rules.installment_count,
            "due_dates": [f"{m:02d}-{d:02d}" for m, d in rules.installment_due_dates],
        },
        "reminder": {"by": f"{rules.reminder_by[0]:02d}-{rules.reminder_by[1]:02d}"},
        "notice": {"min_days_to_pay": rules.notice_min_days_to_pay},
        "surcharge": {
            "percent_per_month": str(rules.surcharge_percent_per_month),
            "cap_percent": None if rules.surcharge_cap_percent is None else str(rules.surcharge_cap_percent),
        },
        "penalty": {
            "percent": str(rules.penalty_percent),
            "before_reminder_percent": str(rules.penalty_before_reminder_percent),
            "within_reminder_percent": str(rules.penalty_within_reminder_percent),
        },
        "special_reductions": {
            s.code: {
                "percent": str(s.percent),
                "name_th": s.name_th,
                "name_en": s.name_en,
                "reference": s.reference,
            }
            for s in rules.special_reductions
        },
    }
