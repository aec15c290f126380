"""Land and Building Tax (ภาษีที่ดินและสิ่งปลูกสร้าง, Act B.E. 2562) assessment engine.

Pure, deterministic and database-free: frozen dataclasses in, an itemised :class:`Assessment` out.
Money and values are :class:`decimal.Decimal` exact to the satang; ownership and use shares are
exact rationals (:class:`fractions.Fraction`, so a 1/3 share is exact); a ``float`` is refused
everywhere. Rates, brackets, exemptions, reductions and deadlines are data (:class:`TaxYearRules`,
built from a plain dict by :mod:`taxes.rules`) so they can later live in database tables.

How a tax is computed
---------------------
1. Each land portion is valued as area (sq wah) x appraisal price per sq wah x use share x ownership
   share; each building as floor area (m2) x construction cost per m2 x (1 - depreciation %) x use
   share x ownership share (Sec. 35). Each portion's value is rounded to the satang once.
2. Each portion goes to a *schedule*: ``agricultural``, ``residential_home_land_and_building``
   (an individual with house registration on the property on 1 January who owns the land and the
   house, Sec. 41: the property has a residential building and any land of his),
   ``residential_home_building_only`` (the same but owning only the house, Sec. 42),
   ``residential_other``, ``other`` or ``vacant``. Mixed use is apportioned by area share.
3. Values are aggregated per taxpayer and schedule (rules flag ``aggregate_by_category``, default on;
   off = each property is bracketed on its own). Vacant land is grouped by its escalation step too.
4. For individuals the schedule's exemption (agricultural 50 M, Sec. 40; home 50 M, Sec. 41; home
   building only 10 M, Sec. 42) is taken from the group's value, never more than the value.
5. The brackets are applied progressively to the *taxable base* (value after the exemption): each
   slice at its own rate, each slice's tax rounded to the satang. The home schedules' brackets are
   therefore stored as 0-25 M, 25-50 M, >50 M of the base, which is DOMAIN.md's 50-75 M, 75-100 M,
   >100 M of the value. Vacant land adds ``escalation_percent`` (0.3) percentage points to every
   bracket rate per full 3 consecutive unused years before this one, capped at 3 %.
6. The year's reduction (90 % in 2020 and 2021) is one negative line on the sum of the slices.
   The total is the exact sum of the lines and is never negative.

Unverified (DOMAIN.md marks these "(verify)"; implemented as stated there, as data where possible)
--------------------------------------------------------------------------------------------------
- Whether brackets apply to the taxpayer's total per category within the LAO or per property:
  implemented as the rules flag ``aggregate_by_category`` (default True = per taxpayer total).
- Brackets measured on the base *after* the exemption. DOMAIN.md's home tables read the same either
  way; for an individual's agricultural land above 75 M the two readings differ. Secondary sources
  (the Sec. 94 rate tables and published examples: 100 M of an individual's farm land -> 5,000 baht)
  support "after the exemption"; not confirmed from the Act's text.
- Where an individual's agricultural exemption or the vacant grouping spans several properties
  without aggregation, the exemption is used up in the order the properties are given; which parcel
  gets the exemption when land lies in several LAOs (Sec. 40) is outside this engine.
- Full exemption of individuals' agricultural land in 2020-2022 (transitional Sec. 96): the rules
  flag ``individual_agricultural_fully_exempt``, set for those years in :mod:`taxes.rules`.
- The building depreciation table (by age and material) is not encoded: the caller passes the
  depreciation percent.
- Co-owners: each is assessed on his share of each portion, and the home exemption applies to the
  taxpayer's share value; how the law splits the exemption among co-owners is unverified.
- An individual with house registration on a property that has no residential building he owns is
  taxed as ``residential_other`` (Sec. 41 needs land and house; Sec. 42 the house); a note says so.
- Vacant escalation counts ``years_vacant`` as the consecutive unused years including the tax year
  (1 = first year): years 1-3 no escalation, 4-6 +0.3, 7-9 +0.6, ... (worked example 7).
- Installments (Sec. 52: three equal, tax >= 3,000), surcharge 1 % per month or part of a month
  (Sec. 70; capped at the tax itself in the default data), penalty 40 % of the unpaid tax, 20 % when
  paid within the time set by a reminder (Sec. 68-69), and the due dates 30 April, 31 May, 30 June:
  all data in :class:`TaxYearRules`, none confirmed from the Act's text.
- Not implemented: condominium units (Treasury unit price per m2), the phase-in for taxpayers whose
  new tax exceeded the old house and land tax (Sec. 97, verify), and Sec. 8 property outside the tax
  (the caller leaves it out).
"""

from __future__ import annotations

import calendar
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import (
    ROUND_05UP,
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    localcontext,
)
from fractions import Fraction
from typing import Any

__all__ = [
    "Assessment",
    "Bracket",
    "BuildingPortion",
    "GroupSummary",
    "Installment",
    "LandPortion",
    "Line",
    "Note",
    "Property",
    "Rounding",
    "Schedule",
    "ScheduleRule",
    "TaxYearRules",
    "Taxpayer",
    "TaxpayerKind",
    "Use",
    "Valuation",
    "assess",
    "installment_schedule",
    "months_late",
    "parse_rai_ngan_wah",
    "penalty",
    "round_money",
    "split_by_shares",
    "surcharge",
    "to_share",
    "vacant_escalation_steps",
]

ZERO = Decimal("0")
NIL = Decimal("0.00")  # zero money, printed as 0.00
HUNDRED = Decimal("100")
SATANG = Decimal("0.01")

ROUNDING_MODES = frozenset(
    {
        ROUND_05UP,
        ROUND_CEILING,
        ROUND_DOWN,
        ROUND_FLOOR,
        ROUND_HALF_DOWN,
        ROUND_HALF_EVEN,
        ROUND_HALF_UP,
        ROUND_UP,
    }
)


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
# Money, shares and units
# ---------------------------------------------------------------------------------------------------


def _require_decimal(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal (or int), not {type(value).__name__}: {value!r}")
    dec = Decimal(value)
    if not dec.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return dec


def to_share(value: Fraction | Decimal | int | str) -> Fraction:
    """A share in (0, 1] as an exact Fraction; accepts '1/3', '0.6', Decimal, int, Fraction."""
    if isinstance(value, bool | float):
        raise TypeError(f"a share must be exact (Fraction, Decimal, int or text like '1/3'), not {value!r}")
    try:
        share = Fraction(value.strip()) if isinstance(value, str) else Fraction(value)
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"not a share: {value!r} (write it like '1/3' or '0.5')") from exc
    if not 0 < share <= 1:
        raise ValueError(f"a share must be more than 0 and at most 1, got {value!r}")
    return share


@dataclass(frozen=True)
class Rounding:
    """How amounts are rounded: to ``quantum`` (0.01 = satang) with a :mod:`decimal` rounding mode."""

    quantum: Decimal = SATANG
    mode: str = ROUND_HALF_UP

    def __post_init__(self) -> None:
        quantum = _require_decimal(self.quantum, "rounding quantum")
        if quantum <= 0 or quantum != quantum.quantize(SATANG):
            raise ValueError(f"rounding quantum must be a whole number of satang, got {self.quantum}")
        if self.mode not in ROUNDING_MODES:
            raise ValueError(f"unknown rounding mode {self.mode!r}; use one of {sorted(ROUNDING_MODES)}")


DEFAULT_ROUNDING = Rounding()


def round_money(value: Decimal | Fraction | int, rounding: Rounding = DEFAULT_ROUNDING) -> Decimal:
    """Round an exact amount (Decimal or Fraction) to the rounding quantum, exactly.

    A Fraction such as 100/3 is never expanded to a truncated decimal first: the integer quotient and
    remainder decide the rounding, so ties are recognised exactly.
    """
    if isinstance(value, float):
        raise TypeError("money is never a float")
    exact = Fraction(value) / Fraction(rounding.quantum)
    whole, rem = divmod(abs(exact.numerator), exact.denominator)
    if rem == 0:
        tail = ZERO
    elif 2 * rem == exact.denominator:
        tail = Decimal("0.5")
    elif 2 * rem < exact.denominator:
        tail = Decimal("0.4")
    else:
        tail = Decimal("0.6")
    with localcontext() as ctx:
        ctx.prec = 80
        proxy = Decimal(whole) + tail
        if exact < 0:
            proxy = -proxy
        units = proxy.quantize(Decimal(1), rounding=rounding.mode)
        result = (units * rounding.quantum).quantize(rounding.quantum)
    return result + ZERO  # normalises -0.00 to 0.00


def split_by_shares(amount: Decimal, shares: Sequence[Fraction | Decimal | int | str]) -> tuple[Decimal, ...]:
    """Split ``amount`` by ``shares`` (summing to 1) into satang that add back to ``amount`` exactly.

    Largest-remainder method: everyone gets his share rounded down to the satang, and the satang left
    over go one each to the largest remainders (ties to the earlier share). Use it where the parts must
    add up (co-owners of one appraisal, a bill split between payers).
    """
    amount = _require_decimal(amount, "amount")
    if amount != amount.quantize(SATANG):
        raise ValueError(f"amount must be whole satang, got {amount}")
    fracs = [to_share(s) for s in shares]
    if sum(fracs, Fraction(0)) != 1:
        raise ValueError(f"shares must add up to exactly 1, they add up to {sum(fracs, Fraction(0))}")
    total_satang = int(amount * 100)
    exact = [total_satang * f for f in fracs]
    floors = [e.numerator // e.denominator for e in exact]
    left = total_satang - sum(floors)
    order = sorted(range(len(fracs)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return tuple((Decimal(n) / 100).quantize(SATANG) for n in floors)


_RNW = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*-\s*(\d+(?:\.\d+)?)\s*$")


def parse_rai_ngan_wah(text: str) -> Decimal:
    """'1-2-50' (ไร่-งาน-ตร.ว.) to square wah: 1 rai = 4 ngan = 400 sq wah. '1-2-50' -> 650."""
    match = _RNW.match(text)
    if not match:
        raise ValueError(f"area {text!r} is not rai-ngan-wah like '1-2-50'")
    rai, ngan, wah = int(match[1]), int(match[2]), Decimal(match[3])
    if ngan > 3:
        raise ValueError(f"area {text!r}: ngan must be 0-3 (4 ngan = 1 rai)")
    if wah >= 100:
        raise ValueError(f"area {text!r}: square wah must be below 100 (100 sq wah = 1 ngan)")
    return Decimal(rai * 400 + ngan * 100) + wah


def _fmt_money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _fmt_num(value: Decimal | Fraction | int) -> str:
    """A quantity or rate for people: '2,000', '0.3', '3/5' only when no finite decimal exists."""
    if isinstance(value, Fraction):
        den = value.denominator
        for prime in (2, 5):
            while den % prime == 0:
                den //= prime
        if den != 1:
            return f"{value.numerator}/{value.denominator}"
        value = Decimal(value.numerator) / Decimal(value.denominator)
    text = format(Decimal(value), ",f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


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


# ---------------------------------------------------------------------------------------------------
# The computation
# ---------------------------------------------------------------------------------------------------


def vacant_escalation_steps(years_vacant: int, rules: TaxYearRules) -> int:
    """Full periods of ``vacant_escalation_every_years`` unused years before this one (year 4 -> 1)."""
    return max(years_vacant - 1, 0) // rules.vacant_escalation_every_years


def _vacant_rate(base_rate: Decimal, steps: int, rules: TaxYearRules) -> Decimal:
    if steps == 0:
        return base_rate
    raised = base_rate + rules.vacant_escalation_percent * steps
    return max(base_rate, min(raised, rules.vacant_rate_cap_percent))


def _home_schedule(taxpayer: Taxpayer, prop: Property) -> Schedule | None:
    if taxpayer.kind is not TaxpayerKind.INDIVIDUAL or not prop.house_registration:
        return None
    if not any(b.use is Use.RESIDENTIAL for b in prop.buildings):
        return None
    if prop.land:  # he owns (a share of) the land under it, whatever its use: Sec. 41, not Sec. 42
        return Schedule.RESIDENTIAL_HOME_LAND_AND_BUILDING
    return Schedule.RESIDENTIAL_HOME_BUILDING_ONLY


def _schedule_for(use: Use, home: Schedule | None) -> Schedule:
    if use is Use.RESIDENTIAL:
        return home or Schedule.RESIDENTIAL_OTHER
    return Schedule(use.value)


def _share_text(use_share: Fraction, ownership_share: Fraction) -> tuple[str, str]:
    th, en = "", ""
    if use_share != 1:
        th += f" × สัดส่วนการใช้ {_fmt_num(use_share)}"
        en += f" × use share {_fmt_num(use_share)}"
    if ownership_share != 1:
        th += f" × ส่วนกรรมสิทธิ์ {_fmt_num(ownership_share)}"
        en += f" × ownership share {_fmt_num(ownership_share)}"
    return th, en


# ---------------------------------------------------------------------------------------------------
# The texts of the itemised lines (pure functions of their arguments, so a stored line can be shown
# again from its code and arguments: see :func:`render_text` and taxes.itemised)
# ---------------------------------------------------------------------------------------------------

USE_NAMES_TH: Mapping[Use, str] = {
    Use.AGRICULTURAL: "เกษตรกรรม",
    Use.RESIDENTIAL: "ที่อยู่อาศัย",
    Use.OTHER: "อื่น ๆ",
    Use.VACANT: "ว่างเปล่า",
}

#: Notes whose text depends on nothing but their code.
NOTE_TEXTS: Mapping[str, tuple[str, str]] = {
    "note.house_registration_without_owned_house": (
        (
            "มีชื่อในทะเบียนบ้าน แต่ไม่มีสิ่งปลูกสร้างที่อยู่อาศัยของผู้เสียภาษีในทรัพย์สินนี้ "
            "จึงไม่ได้รับยกเว้นตามมาตรา 41/42 และคิดเป็นที่อยู่อาศัยอื่น"
        ),
        (
            "House registration is set but the taxpayer owns no residential building here, "
            "so no Sec. 41/42 exemption: taxed as residential, other."
        ),
    ),
}


def land_text(
    item_ref: str,
    use: Use,
    area_sq_wah: Decimal,
    price_per_sq_wah: Decimal,
    use_share: Fraction,
    ownership_share: Fraction,
    value: Decimal,
) -> tuple[str, str]:
    """(Thai, English) text of a land valuation (code ``value.land``)."""
    sh_th, sh_en = _share_text(use_share, ownership_share)
    ref = (" " + item_ref) if item_ref else ""
    return (
        f"ที่ดิน{ref} ({USE_NAMES_TH[use]}) {_fmt_num(area_sq_wah)} ตร.ว. × "
        f"{_fmt_money(price_per_sq_wah)} บาท/ตร.ว.{sh_th} = {_fmt_money(value)} บาท",
        f"Land{ref} ({use.value}) {_fmt_num(area_sq_wah)} sq wah × "
        f"{_fmt_money(price_per_sq_wah)} baht/sq wah{sh_en} = {_fmt_money(value)} baht",
    )


def building_text(
    item_ref: str,
    use: Use,
    floor_area_m2: Decimal,
    cost_per_m2: Decimal,
    depreciation_percent: Decimal,
    use_share: Fraction,
    ownership_share: Fraction,
    value: Decimal,
) -> tuple[str, str]:
    """(Thai, English) text of a building valuation (code ``value.building``)."""
    sh_th, sh_en = _share_text(use_share, ownership_share)
    ref = (" " + item_ref) if item_ref else ""
    dep = _fmt_num(depreciation_percent)
    return (
        f"สิ่งปลูกสร้าง{ref} ({USE_NAMES_TH[use]}) "
        f"{_fmt_num(floor_area_m2)} ตร.ม. × {_fmt_money(cost_per_m2)} บาท/ตร.ม. "
        f"หักค่าเสื่อมร้อยละ {dep}{sh_th} = {_fmt_money(value)} บาท",
        f"Building{ref} ({use.value}) "
        f"{_fmt_num(floor_area_m2)} m² × {_fmt_money(cost_per_m2)} baht/m² "
        f"less {dep} % depreciation{sh_en} = {_fmt_money(value)} baht",
    )


def bracket_text(
    schedule: Schedule,
    lower: Decimal,
    size: Decimal,
    rate: Decimal,
    amount: Decimal,
    exempt: Decimal,
    steps: int = 0,
    base_rate: Decimal = ZERO,
    escalation_percent: Decimal = ZERO,
    cap_percent: Decimal = ZERO,
) -> tuple[str, str]:
    """(Thai, English) text of a bracket slice (code ``rate.<schedule>.<n>[.escalated.<steps>]``).

    ``base_rate``, ``escalation_percent`` and ``cap_percent`` are shown only for escalated vacant land.
    """
    name_th, name_en = SCHEDULE_NAMES[schedule]
    upper = lower + size
    value_range_th = value_range_en = ""
    if exempt > 0:
        value_range_th = f" (มูลค่า {_fmt_money(lower + exempt)}–{_fmt_money(upper + exempt)})"
        value_range_en = f" (value {_fmt_money(lower + exempt)}–{_fmt_money(upper + exempt)})"
    esc_th = esc_en = ""
    if schedule is Schedule.VACANT and steps > 0:
        esc_th = (
            f" (ร้อยละ {_fmt_num(base_rate)} บวกเพิ่ม {steps} ช่วง ช่วงละ "
            f"{_fmt_num(escalation_percent)} "
            f"ไม่เกิน {_fmt_num(cap_percent)})"
        )
        esc_en = (
            f" ({_fmt_num(base_rate)} % plus {steps} × "
            f"{_fmt_num(escalation_percent)} for unused years, capped at "
            f"{_fmt_num(cap_percent)} %)"
        )
    return (
        f"{name_th}: ฐานภาษีส่วน {_fmt_money(lower)}–{_fmt_money(upper)}{value_range_th} "
        f"= {_fmt_money(size)} บาท × ร้อยละ {_fmt_num(rate)}{esc_th} "
        f"= {_fmt_money(amount)} บาท",
        f"{name_en}: taxable slice {_fmt_money(lower)}–{_fmt_money(upper)}{value_range_en} "
        f"= {_fmt_money(size)} baht × {_fmt_num(rate)} %{esc_en} = {_fmt_money(amount)} baht",
    )


def exemption_text(schedule: Schedule, ceiling: Decimal, reference: str, exempt: Decimal) -> tuple[str, str]:
    """(Thai, English) text of an individual's exemption (code ``exemption.<schedule>``)."""
    name_th, name_en = SCHEDULE_NAMES[schedule]
    ref_en = ref_th = ""
    if reference:
        ref_en = f" ({reference})"
        ref_th = f" ({reference.replace('Sec.', 'มาตรา')})"
    return (
        f"ยกเว้นมูลค่าฐานภาษี {name_th} ไม่เกิน {_fmt_money(ceiling)} บาท{ref_th}: ยกเว้น {_fmt_money(exempt)} บาท",
        f"Exemption for an individual, {name_en}, up to {_fmt_money(ceiling)} baht{ref_en}: "
        f"{_fmt_money(exempt)} baht exempt",
    )


def transitional_text(year: int, exempt: Decimal) -> tuple[str, str]:
    """(Thai, English) text of code ``exemption.agricultural.transitional``."""
    return (
        f"ยกเว้นที่ดินเกษตรกรรมของบุคคลธรรมดาทั้งจำนวนในปี พ.ศ. {year + 543} (บทเฉพาะกาล) {_fmt_money(exempt)} บาท",
        f"Individual's agricultural property fully exempt in {year} "
        f"(transitional provision): {_fmt_money(exempt)} baht",
    )


def reduction_text(
    year: int, reduction_percent: Decimal, gross: Decimal, reduction: Decimal
) -> tuple[str, str]:
    """(Thai, English) text of code ``reduction.year`` (``reduction`` is the negative amount)."""
    pct = _fmt_num(reduction_percent)
    return (
        f"ลดภาษีปี พ.ศ. {year + 543} ร้อยละ {pct} ของ {_fmt_money(gross)} บาท (พระราชกฤษฎีกา) "
        f"= {_fmt_money(-reduction)} บาท",
        f"Tax reduction for {year}: {pct} % of {_fmt_money(gross)} baht (royal decree) "
        f"= {_fmt_money(-reduction)} baht",
    )


def render_text(code: str, args: Sequence[Any]) -> tuple[str, str]:
    """The (Thai, English) text of a valuation, line or note from its code and ``text_args``."""
    if code in NOTE_TEXTS:
        return NOTE_TEXTS[code]
    if code == "value.land":
        return land_text(*args)
    if code == "value.building":
        return building_text(*args)
    if code.startswith("rate."):
        return bracket_text(*args)
    if code == "exemption.agricultural.transitional":
        return transitional_text(*args)
    if code.startswith("exemption."):
        return exemption_text(*args)
    if code == "reduction.year":
        return reduction_text(*args)
    raise KeyError(f"no text for code {code!r}")


def _valuations(
    taxpayer: Taxpayer, rules: TaxYearRules
) -> tuple[list[tuple[int, Valuation, int]], list[Note]]:
    """Value every portion: (property index, valuation, vacant escalation steps), plus notes."""
    out: list[tuple[int, Valuation, int]] = []
    notes: list[Note] = []
    for index, prop in enumerate(taxpayer.properties):
        home = _home_schedule(taxpayer, prop)
        if prop.house_registration and home is None:
            code = "note.house_registration_without_owned_house"
            th, en = NOTE_TEXTS[code]
            notes.append(Note(code=code, property_ref=prop.ref, text_th=th, text_en=en))
        steps = vacant_escalation_steps(prop.years_vacant, rules)
        for land in prop.land:
            use_share, own = Fraction(land.use_share), Fraction(land.ownership_share)
            full = land.area_sq_wah * land.price_per_sq_wah
            value = round_money(Fraction(full) * use_share * own, rules.rounding)
            args = (land.ref, land.use, land.area_sq_wah, land.price_per_sq_wah, use_share, own, value)
            th, en = land_text(*args)
            out.append(
                (
                    index,
                    Valuation(
                        code="value.land",
                        property_ref=prop.ref,
                        item_ref=land.ref,
                        use=land.use,
                        schedule=_schedule_for(land.use, home),
                        full_value=round_money(full, rules.rounding),
                        use_share=use_share,
                        ownership_share=own,
                        value=value,
                        text_th=th,
                        text_en=en,
                        text_args=args,
                    ),
                    steps if land.use is Use.VACANT else 0,
                )
            )
        for bld in prop.buildings:
            use_share, own = Fraction(bld.use_share), Fraction(bld.ownership_share)
            depreciated = (
                Fraction(bld.floor_area_m2 * bld.cost_per_m2)
                * Fraction(HUNDRED - bld.depreciation_percent)
                / 100
            )
            full = round_money(depreciated, rules.rounding)
            value = round_money(depreciated * use_share * own, rules.rounding)
            args = (
                bld.ref,
                bld.use,
                bld.floor_area_m2,
                bld.cost_per_m2,
                bld.depreciation_percent,
                use_share,
                own,
                value,
            )
            th, en = building_text(*args)
            out.append(
                (
                    index,
                    Valuation(
                        code="value.building",
                        property_ref=prop.ref,
                        item_ref=bld.ref,
                        use=bld.use,
                        schedule=_schedule_for(bld.use, home),
                        full_value=full,
                        use_share=use_share,
                        ownership_share=own,
                        value=value,
                        text_th=th,
                        text_en=en,
                        text_args=args,
                    ),
                    steps if bld.use is Use.VACANT else 0,
                )
            )
    return out, notes


def _slices(taxable: Decimal, brackets: Sequence[Bracket]) -> Iterable[tuple[int, Decimal, Decimal, Bracket]]:
    """(1-based index, lower bound, slice size, bracket) for each bracket the taxable base reaches."""
    lower = ZERO
    for number, bracket in enumerate(brackets, start=1):
        if taxable <= lower:
            return
        top = taxable if bracket.upper is None else min(taxable, bracket.upper)
        yield number, lower.quantize(SATANG), (top - lower).quantize(SATANG), bracket
        if bracket.upper is None:
            return
        lower = bracket.upper


def _bracket_lines(
    schedule: Schedule,
    steps: int,
    refs: tuple[str, ...],
    taxable: Decimal,
    exempt: Decimal,
    rules: TaxYearRules,
) -> list[Line]:
    """One line per bracket slice of the taxable base, each at its own (vacant: escalated) rate."""
    out: list[Line] = []
    for number, lower, size, bracket in _slices(taxable, rules.schedule(schedule).brackets):
        rate = bracket.rate_percent
        if schedule is Schedule.VACANT:
            rate = _vacant_rate(rate, steps, rules)
        amount = round_money(size * rate / HUNDRED, rules.rounding)
        code = f"rate.{schedule.value}.{number}"
        args: tuple[Any, ...] = (schedule, lower, size, rate, amount, exempt)
        if schedule is Schedule.VACANT and steps > 0:
            code += f".escalated.{steps}"
            args += (
                steps,
                bracket.rate_percent,
                rules.vacant_escalation_percent,
                rules.vacant_rate_cap_percent,
            )
        th, en = bracket_text(*args)
        out.append(
            Line(
                code=code,
                schedule=schedule,
                property_refs=refs,
                base=size,
                rate_percent=rate,
                amount=amount,
                text_th=th,
                text_en=en,
                text_args=args,
            )
        )
    return out


def assess(taxpayer: Taxpayer, rules: TaxYearRules) -> Assessment:
    """Assess one taxpayer's properties in one LAO for ``rules.year``."""
    valued, notes = _valuations(taxpayer, rules)

    # Group: per schedule (and vacant step) for the taxpayer, or per property as well.
    groups: dict[tuple[int, int, int], list[Valuation]] = {}
    for index, valuation, steps in valued:
        prop_key = -1 if rules.aggregate_by_category else index
        key = (prop_key, SCHEDULE_ORDER.index(valuation.schedule), steps)
        groups.setdefault(key, []).append(valuation)

    individual = taxpayer.kind is TaxpayerKind.INDIVIDUAL
    pool = {rule.schedule: (rule.individual_exemption if individual else ZERO) for rule in rules.schedules}
    lines: list[Line] = []
    summaries: list[GroupSummary] = []
    for key in sorted(groups, key=lambda k: (k[1], k[2], k[0])):
        _, order, steps = key
        items = groups[key]
        schedule = SCHEDULE_ORDER[order]
        rule = rules.schedule(schedule)
        refs = tuple(dict.fromkeys(v.property_ref for v in items))
        value = sum((v.value for v in items), NIL)
        group_lines: list[Line] = []

        exempt = NIL
        if individual and schedule is Schedule.AGRICULTURAL and rules.individual_agricultural_fully_exempt:
            exempt = value
            if exempt > 0:
                args: tuple[Any, ...] = (rules.year, exempt)
                th, en = transitional_text(*args)
                group_lines.append(
                    Line(
                        code="exemption.agricultural.transitional",
                        schedule=schedule,
                        property_refs=refs,
                        base=exempt,
                        rate_percent=ZERO,
                        amount=NIL,
                        text_th=th,
                        text_en=en,
                        text_args=args,
                    )
                )
        elif pool[schedule] > 0 and value > 0:
            exempt = min(pool[schedule], value) + NIL
            pool[schedule] -= exempt
            args = (schedule, rule.individual_exemption, rule.exemption_reference, exempt)
            th, en = exemption_text(*args)
            group_lines.append(
                Line(
                    code=f"exemption.{schedule.value}",
                    schedule=schedule,
                    property_refs=refs,
                    base=exempt,
                    rate_percent=ZERO,
                    amount=NIL,
                    text_th=th,
                    text_en=en,
                    text_args=args,
                )
            )

        taxable = value - exempt
        group_lines.extend(_bracket_lines(schedule, steps, refs, taxable, exempt, rules))
        lines.extend(group_lines)
        summaries.append(
            GroupSummary(
                schedule=schedule,
                vacant_escalation_steps=steps,
                property_refs=refs,
                value=value,
                exemption=exempt,
                taxable=taxable,
                tax=sum((line.amount for line in group_lines), NIL),
            )
        )

    gross = sum((line.amount for line in lines), NIL)
    if rules.reduction_percent > 0 and gross > 0:
        payable = round_money(gross * (HUNDRED - rules.reduction_percent) / HUNDRED, rules.rounding)
        reduction = payable - gross
        args = (rules.year, rules.reduction_percent, gross, reduction)
        th, en = reduction_text(*args)
        lines.append(
            Line(
                code="reduction.year",
                schedule=None,
                property_refs=tuple(p.ref for p in taxpayer.properties),
                base=gross,
                rate_percent=rules.reduction_percent,
                amount=reduction,
                text_th=th,
                text_en=en,
                text_args=args,
            )
        )

    return Assessment(
        year=rules.year,
        taxpayer_id=taxpayer.id,
        taxpayer_kind=taxpayer.kind,
        valuations=tuple(v for _, v, _ in valued),
        groups=tuple(summaries),
        lines=tuple(lines),
        notes=tuple(notes),
        total=sum((line.amount for line in lines), NIL),
    )


# ---------------------------------------------------------------------------------------------------
# Payment: installments, surcharge, penalty
# ---------------------------------------------------------------------------------------------------


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
