"""The engine's data: the rules of a tax year, the taxpayer's properties (input) and the assessment (output).

All frozen dataclasses, checked when built; money is Decimal, shares are Fraction, never float.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .money import DEFAULT_ROUNDING, HUNDRED, NIL, SATANG, ZERO, Rounding, _require_decimal, to_share


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
    rounding: Rounding = DEFAULT_ROUNDING
    installment_threshold: Decimal = Decimal("3000")
    installment_count: int = 3
    installment_due_dates: tuple[tuple[int, int], ...] = ((4, 30), (5, 31), (6, 30))  # (month, day)
    surcharge_percent_per_month: Decimal = Decimal("1")
    surcharge_cap_percent: Decimal | None = HUNDRED
    penalty_percent: Decimal = Decimal("40")
    penalty_after_reminder_percent: Decimal = Decimal("20")

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
            "penalty_after_reminder_percent",
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

    def schedule(self, key: Schedule) -> ScheduleRule:
        for rule in self.schedules:
            if rule.schedule == key:
                return rule
        raise KeyError(key)  # pragma: no cover - __post_init__ guarantees every schedule

    def default_due_dates(self) -> tuple[date, ...]:
        return tuple(date(self.year, m, d) for m, d in self.installment_due_dates)


# ---------------------------------------------------------------------------------------------------
# Property and taxpayer (input)
# ---------------------------------------------------------------------------------------------------


def _check_shares(obj: object, *names: str) -> None:
    for name in names:
        object.__setattr__(obj, name, to_share(getattr(obj, name)))


@dataclass(frozen=True)
class LandPortion:
    """The part of a parcel in one use. A parcel in two uses is two portions with the same ``ref``."""

    area_sq_wah: Decimal
    price_per_sq_wah: Decimal
    use: Use
    use_share: Fraction | Decimal | int = 1
    ownership_share: Fraction | Decimal | int = 1
    ref: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "use", Use(self.use))
        if _require_decimal(self.area_sq_wah, "area_sq_wah") < 0:
            raise ValueError(f"land {self.ref!r}: area must not be negative")
        if _require_decimal(self.price_per_sq_wah, "price_per_sq_wah") < 0:
            raise ValueError(f"land {self.ref!r}: price must not be negative")
        _check_shares(self, "use_share", "ownership_share")


@dataclass(frozen=True)
class BuildingPortion:
    """The part of a building in one use (by floor area)."""

    floor_area_m2: Decimal
    cost_per_m2: Decimal
    use: Use
    depreciation_percent: Decimal = ZERO
    use_share: Fraction | Decimal | int = 1
    ownership_share: Fraction | Decimal | int = 1
    ref: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "use", Use(self.use))
        if _require_decimal(self.floor_area_m2, "floor_area_m2") < 0:
            raise ValueError(f"building {self.ref!r}: floor area must not be negative")
        if _require_decimal(self.cost_per_m2, "cost_per_m2") < 0:
            raise ValueError(f"building {self.ref!r}: cost must not be negative")
        dep = _require_decimal(self.depreciation_percent, "depreciation_percent")
        if not 0 <= dep <= 100:
            raise ValueError(f"building {self.ref!r}: depreciation must be 0-100 %, got {dep}")
        _check_shares(self, "use_share", "ownership_share")


@dataclass(frozen=True)
class Property:
    """One holding of the taxpayer (a parcel and/or buildings) as it stood on 1 January.

    ``house_registration``: the taxpayer (an individual) has his name in the house registration
    (ทะเบียนบ้าน) of a house here on 1 January. ``years_vacant``: consecutive tax years the vacant
    portions have been unused, counting this one (0 or 1 = first year).
    """

    ref: str
    land: tuple[LandPortion, ...] = ()
    buildings: tuple[BuildingPortion, ...] = ()
    house_registration: bool = False
    years_vacant: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "land", tuple(self.land))
        object.__setattr__(self, "buildings", tuple(self.buildings))
        if isinstance(self.years_vacant, bool) or not isinstance(self.years_vacant, int):
            raise TypeError(f"property {self.ref!r}: years_vacant must be an int")
        if self.years_vacant < 0:
            raise ValueError(f"property {self.ref!r}: years_vacant must not be negative")
        for kind, items in (("land", self.land), ("building", self.buildings)):
            used: dict[str, Fraction] = {}
            for item in items:
                if item.ref:
                    used[item.ref] = used.get(item.ref, Fraction(0)) + Fraction(item.use_share)
            for ref, total in used.items():
                if total > 1:
                    raise ValueError(
                        f"property {self.ref!r}: the use shares of {kind} {ref!r} add up to {total}, "
                        "more than 1"
                    )


@dataclass(frozen=True)
class Taxpayer:
    kind: TaxpayerKind
    properties: tuple[Property, ...] = ()
    id: str = ""
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", TaxpayerKind(self.kind))
        object.__setattr__(self, "properties", tuple(self.properties))
        refs = [p.ref for p in self.properties]
        if len(set(refs)) != len(refs):
            raise ValueError("property refs must be unique within a taxpayer")
        homes = [p.ref for p in self.properties if p.house_registration]
        if homes and self.kind is not TaxpayerKind.INDIVIDUAL:
            raise ValueError(f"house registration applies to individuals only (property {homes[0]!r})")
        if len(homes) > 1:
            raise ValueError(
                f"a person has house registration in one place only, but it is set on {', '.join(homes)}"
            )


# ---------------------------------------------------------------------------------------------------
# Assessment (output)
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Valuation:
    """How one portion's value was found (informational: no tax amount)."""

    code: str  # value.land / value.building
    property_ref: str
    item_ref: str
    use: Use
    schedule: Schedule
    full_value: Decimal  # before use and ownership shares
    use_share: Fraction
    ownership_share: Fraction
    value: Decimal  # the taxpayer's value in this use, rounded to the satang
    text_th: str
    text_en: str
    # the arguments of the text (``render_text(code, text_args)`` gives text_th and text_en back)
    text_args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Line:
    """One step of the tax: an exemption, a bracket slice or a reduction."""

    code: str
    schedule: Schedule | None
    property_refs: tuple[str, ...]
    base: Decimal
    rate_percent: Decimal
    amount: Decimal
    text_th: str
    text_en: str
    text_args: tuple[Any, ...] = ()  # render_text(code, text_args) == (text_th, text_en)


@dataclass(frozen=True)
class Note:
    code: str
    property_ref: str
    text_th: str
    text_en: str
    text_args: tuple[Any, ...] = ()  # render_text(code, text_args) == (text_th, text_en)


@dataclass(frozen=True)
class GroupSummary:
    """The value bracketed together: one schedule (and vacant step) of the taxpayer or of one property."""

    schedule: Schedule
    vacant_escalation_steps: int
    property_refs: tuple[str, ...]
    value: Decimal
    exemption: Decimal
    taxable: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Assessment:
    year: int
    taxpayer_id: str
    taxpayer_kind: TaxpayerKind
    valuations: tuple[Valuation, ...]
    groups: tuple[GroupSummary, ...]
    lines: tuple[Line, ...]
    notes: tuple[Note, ...]
    total: Decimal

    def __post_init__(self) -> None:
        if sum((line.amount for line in self.lines), ZERO) != self.total:
            raise AssertionError("assessment total differs from the sum of its lines")  # engine bug
        if self.total < 0:
            raise AssertionError("assessment total is negative")  # engine bug

    @property
    def value(self) -> Decimal:
        """The taxpayer's total appraised value (all portions, after shares)."""
        return sum((v.value for v in self.valuations), NIL)

    @property
    def exemption(self) -> Decimal:
        return sum((g.exemption for g in self.groups), NIL)
