"""The rules of a tax year as the engine reads them: use categories, schedules and brackets,
exemptions, reductions, installments, surcharge and penalty. Frozen and checked when built; build them
from their dict form with :func:`taxes.rules.rules_from_dict` (each rule's legal source: :mod:`taxes.law`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .money import DEFAULT_ROUNDING, SATANG, ZERO, Rounding, _require_decimal


class TaxpayerKind(enum.StrEnum):
    INDIVIDUAL = "individual"  # บุคคลธรรมดา
    JURISTIC = "juristic"  # นิติบุคคล


class Use(enum.StrEnum):
    """Use categories of Sec. 37, as recorded for a land portion or a building."""

    AGRICULTURAL = "agricultural"
    RESIDENTIAL = "residential"
    OTHER = "other"
    VACANT = "vacant"


class Schedule(enum.StrEnum):
    """Rate schedules: the use categories with residential split by the Sec. 41/42 sub-cases."""

    AGRICULTURAL = "agricultural"
    RESIDENTIAL_HOME_LAND_AND_BUILDING = "residential_home_land_and_building"
    RESIDENTIAL_HOME_BUILDING_ONLY = "residential_home_building_only"
    RESIDENTIAL_OTHER = "residential_other"
    OTHER = "other"
    VACANT = "vacant"


SCHEDULE_ORDER: tuple[Schedule, ...] = tuple(Schedule)

SCHEDULE_NAMES: Mapping[Schedule, tuple[str, str]] = {
    Schedule.AGRICULTURAL: ("เกษตรกรรม", "agricultural"),
    Schedule.RESIDENTIAL_HOME_LAND_AND_BUILDING: (
        "ที่อยู่อาศัย บ้านหลังหลัก (เจ้าของที่ดินและสิ่งปลูกสร้าง มีชื่อในทะเบียนบ้าน)",
        "residential, main home (owner of land and house, with house registration)",
    ),
    Schedule.RESIDENTIAL_HOME_BUILDING_ONLY: (
        "ที่อยู่อาศัย บ้านหลังหลัก (เจ้าของเฉพาะสิ่งปลูกสร้าง มีชื่อในทะเบียนบ้าน)",
        "residential, main home (owner of the house only, with house registration)",
    ),
    Schedule.RESIDENTIAL_OTHER: ("ที่อยู่อาศัย (อื่น)", "residential, other"),
    Schedule.OTHER: ("อื่น ๆ (นอกจากเกษตรกรรมและที่อยู่อาศัย)", "other (commerce, industry, ...)"),
    Schedule.VACANT: ("ทิ้งไว้ว่างเปล่าหรือไม่ได้ทำประโยชน์ตามควรแก่สภาพ", "vacant or unused"),
}


# ---------------------------------------------------------------------------------------------------
# Rules (data)
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bracket:
    """One bracket: the slice of the taxable base up to ``upper`` (None = no bound) at ``rate_percent``."""

    upper: Decimal | None
    rate_percent: Decimal

    def __post_init__(self) -> None:
        if self.upper is not None:
            upper = _require_decimal(self.upper, "bracket upper bound")
            if upper <= 0 or upper != upper.quantize(SATANG):
                raise ValueError(f"bracket upper bound must be a positive amount in satang, got {self.upper}")
        if _require_decimal(self.rate_percent, "bracket rate") < 0:
            raise ValueError(f"bracket rate must not be negative, got {self.rate_percent}")


@dataclass(frozen=True)
class ScheduleRule:
    """A schedule's brackets and the exemption an individual gets on it (0 = none)."""

    schedule: Schedule
    brackets: tuple[Bracket, ...]
    individual_exemption: Decimal = ZERO
    exemption_reference: str = ""  # the legal basis, e.g. "Sec. 40"

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedule", Schedule(self.schedule))
        object.__setattr__(self, "brackets", tuple(self.brackets))
        if not self.brackets:
            raise ValueError(f"schedule {self.schedule}: at least one bracket is needed")
        if self.brackets[-1].upper is not None:
            raise ValueError(f"schedule {self.schedule}: the last bracket must be open-ended (upper None)")
        uppers = [b.upper for b in self.brackets[:-1]]
        if any(u is None for u in uppers):
            raise ValueError(f"schedule {self.schedule}: only the last bracket may be open-ended")
        if any(b <= a for a, b in zip(uppers, uppers[1:], strict=False)):  # type: ignore[operator]
            raise ValueError(f"schedule {self.schedule}: bracket upper bounds must increase")
        exemption = _require_decimal(self.individual_exemption, "exemption")
        if exemption < 0 or exemption != exemption.quantize(SATANG):
            raise ValueError(f"schedule {self.schedule}: exemption must be a non-negative amount in satang")


@dataclass(frozen=True)
class SpecialReductionRule:
    """A reduction for a listed type of property (Sec. 55 royal decree), e.g. 50 % for power plant land.

    ``code`` is the decree's item as recorded on the property (``rd2563.s3.2``); ``percent`` of the tax
    attributable to that property is taken off; ``reference`` names the decree, section and item.
    """

    code: str
    percent: Decimal
    name_th: str = ""
    name_en: str = ""
    reference: str = ""

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("a special reduction needs a code")
        pct = _require_decimal(self.percent, f"special reduction {self.code} percent")
        if not 0 < pct <= 100:
            raise ValueError(f"special reduction {self.code}: percent must be more than 0 and at most 100")


@dataclass(frozen=True)
class TaxYearRules:
    """Everything that changes by year or by ordinance. Build it with :func:`taxes.rules.rules_from_dict`."""

    year: int
    schedules: tuple[ScheduleRule, ...]
    reduction_percent: Decimal = ZERO
    aggregate_by_category: bool = True
    individual_agricultural_fully_exempt: bool = False
    vacant_escalation_percent: Decimal = Decimal("0.3")
    vacant_escalation_every_years: int = 3
    vacant_rate_cap_percent: Decimal = Decimal("3")
    vacant_counted_from: int = 2020  # unused years count from the Act's first tax year
    rounding: Rounding = DEFAULT_ROUNDING
    installment_threshold: Decimal = Decimal("3000")
    installment_count: int = 3
    installment_due_dates: tuple[tuple[int, int], ...] = ((4, 30), (5, 31), (6, 30))  # (month, day)
    surcharge_percent_per_month: Decimal = Decimal("1")
    surcharge_cap_percent: Decimal | None = None  # Sec. 70 sets no cap; an office rule may
    penalty_percent: Decimal = Decimal("40")  # Sec. 68: not paid in time
    penalty_before_reminder_percent: Decimal = Decimal("10")  # Sec. 68: paid before the reminder is received
    penalty_within_reminder_percent: Decimal = Decimal("20")  # Sec. 69: paid within the reminder's time
    reduction_reference: str = ""  # the royal decree of the year's reduction
    special_reductions: tuple[SpecialReductionRule, ...] = ()
    # the year's reduction does not apply to property with a special reduction of these percents
    # (RD No. 3 B.E. 2566: property with the 90 % reduction gets no 15 %)
    reduction_skips_special_percents: tuple[Decimal, ...] = ()
    reminder_by: tuple[int, int] = (5, 31)  # (month, day) the year's reminder letters are sent by
    notice_min_days_to_pay: int = 30  # the office's check: days between a notice and its first due date

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedules", tuple(self.schedules))
        object.__setattr__(self, "installment_due_dates", tuple(tuple(d) for d in self.installment_due_dates))
        keys = [s.schedule for s in self.schedules]
        missing = [s.value for s in Schedule if s not in keys]
        if missing:
            raise ValueError(f"rules {self.year}: schedules missing: {', '.join(missing)}")
        if len(set(keys)) != len(keys):
            raise ValueError(f"rules {self.year}: a schedule is given twice")
        reduction = _require_decimal(self.reduction_percent, "reduction_percent")
        if not 0 <= reduction <= 100:
            raise ValueError(f"rules {self.year}: reduction_percent must be 0-100, got {reduction}")
        for name in (
            "vacant_escalation_percent",
            "vacant_rate_cap_percent",
            "installment_threshold",
            "surcharge_percent_per_month",
            "penalty_percent",
            "penalty_before_reminder_percent",
            "penalty_within_reminder_percent",
        ):
            if _require_decimal(getattr(self, name), name) < 0:
                raise ValueError(f"rules {self.year}: {name} must not be negative")
        if (
            self.surcharge_cap_percent is not None
            and _require_decimal(self.surcharge_cap_percent, "surcharge_cap_percent") < 0
        ):
            raise ValueError(f"rules {self.year}: surcharge_cap_percent must not be negative")
        if self.vacant_escalation_every_years < 1:
            raise ValueError(f"rules {self.year}: vacant_escalation_every_years must be at least 1")
        if self.installment_count < 1:
            raise ValueError(f"rules {self.year}: installment_count must be at least 1")
        for month, day in self.installment_due_dates:
            date(self.year, month, day)  # raises ValueError on an impossible date
        object.__setattr__(self, "reminder_by", tuple(self.reminder_by))
        date(self.year, *self.reminder_by)

        object.__setattr__(self, "special_reductions", tuple(self.special_reductions))
        object.__setattr__(
            self, "reduction_skips_special_percents", tuple(self.reduction_skips_special_percents)
        )
        codes = [s.code for s in self.special_reductions]
        if len(set(codes)) != len(codes):
            raise ValueError(f"rules {self.year}: a special reduction code is given twice")

    def schedule(self, key: Schedule) -> ScheduleRule:
        for rule in self.schedules:
            if rule.schedule == key:
                return rule
        raise KeyError(key)  # pragma: no cover - __post_init__ guarantees every schedule

    def special_reduction(self, code: str) -> SpecialReductionRule:
        for rule in self.special_reductions:
            if rule.code == code:
                return rule
        raise KeyError(f"no special reduction {code!r} in the rules of {self.year}")

    def reminder_date(self) -> date:
        return date(self.year, *self.reminder_by)

    def default_due_dates(self) -> tuple[date, ...]:
        return tuple(date(self.year, m, d) for m, d in self.installment_due_dates)
