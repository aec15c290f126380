"""The engine's input (a taxpayer's properties as on 1 January) and output (the itemised assessment).

Frozen dataclasses, checked when built; money is Decimal, shares are Fraction, never float. The rules
of the year are in :mod:`.rules_model`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .money import NIL, ZERO, _require_decimal, round_money, to_share
from .rules_model import Schedule, TaxpayerKind, Use

# ---------------------------------------------------------------------------------------------------
# Property and taxpayer (input)
# ---------------------------------------------------------------------------------------------------


def _check_item(obj: object, kind: str, amounts: dict[str, str]) -> None:
    """An item's use, its non-negative amounts (field -> what it is called) and its shares."""
    object.__setattr__(obj, "use", Use(obj.use))  # type: ignore[attr-defined]
    for name, label in amounts.items():
        if _require_decimal(getattr(obj, name), name) < 0:
            raise ValueError(f"{kind} {obj.ref!r}: {label} must not be negative")  # type: ignore[attr-defined]
    for name in ("use_share", "ownership_share"):
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
    special_reduction: str = ""  # code of a special reduction (Sec. 55 decree item), "" = none

    def __post_init__(self) -> None:
        _check_item(self, "land", {"area_sq_wah": "area", "price_per_sq_wah": "price"})


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
    special_reduction: str = ""

    def __post_init__(self) -> None:
        _check_item(self, "building", {"floor_area_m2": "floor area", "cost_per_m2": "cost"})
        dep = _require_decimal(self.depreciation_percent, "depreciation_percent")
        if not 0 <= dep <= 100:
            raise ValueError(f"building {self.ref!r}: depreciation must be 0-100 %, got {dep}")


@dataclass(frozen=True)
class CondoPortion:
    """A condominium unit (ห้องชุด) in one use: area x the Treasury's unit price per m2, no depreciation."""

    area_m2: Decimal
    price_per_m2: Decimal
    use: Use
    use_share: Fraction | Decimal | int = 1
    ownership_share: Fraction | Decimal | int = 1
    ref: str = ""
    special_reduction: str = ""

    def __post_init__(self) -> None:
        _check_item(self, "unit", {"area_m2": "area", "price_per_m2": "price"})


@dataclass(frozen=True)
class CoOwner:
    """One owner of a co-owned property (the taxpayer among them): a reference and his share."""

    ref: str
    share: Fraction | Decimal | int | str
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "share", to_share(self.share))


@dataclass(frozen=True)
class Property:
    """One holding of the taxpayer (a parcel and/or buildings) as it stood on 1 January.

    ``house_registration``: the taxpayer (an individual) has his name in the house registration
    (ทะเบียนบ้าน) of a house here on 1 January. ``years_vacant``: consecutive tax years the vacant
    portions have been unused, counting this one (0 or 1 = first year).

    ``share``: the taxpayer's share of a co-owned property (กรรมสิทธิ์รวม). Below 1 the property is
    assessed as a whole, on its own (its exemption judged on the whole property, ฎีกา 3227/2568; its
    own brackets) and the taxpayer owes his share of its tax; its portions are then given whole
    (ownership share 1). ``co_owners`` lists every owner with his share (the taxpayer among them, by
    the taxpayer's id) when they are known: the shares add up to 1 and the parts of the tax are split
    so that they add back to the whole exactly.
    """

    ref: str
    land: tuple[LandPortion, ...] = ()
    buildings: tuple[BuildingPortion, ...] = ()
    house_registration: bool = False
    years_vacant: int = 0
    condo_units: tuple[CondoPortion, ...] = ()
    share: Fraction | Decimal | int | str = 1
    co_owners: tuple[CoOwner, ...] = ()

    @property
    def items(self) -> tuple[LandPortion | BuildingPortion | CondoPortion, ...]:
        return (*self.land, *self.buildings, *self.condo_units)

    @property
    def co_owned(self) -> bool:
        return self.share != 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "land", tuple(self.land))
        object.__setattr__(self, "buildings", tuple(self.buildings))
        object.__setattr__(self, "condo_units", tuple(self.condo_units))
        object.__setattr__(self, "co_owners", tuple(self.co_owners))
        object.__setattr__(self, "share", to_share(self.share))
        if self.co_owned and any(Fraction(item.ownership_share) != 1 for item in self.items):
            raise ValueError(
                f"property {self.ref!r}: a co-owned property is given whole (ownership share 1 on every "
                "item) with the taxpayer's share on the property"
            )
        if self.co_owners:
            total = sum((Fraction(o.share) for o in self.co_owners), Fraction(0))
            if total != 1:
                raise ValueError(f"property {self.ref!r}: the co-owners' shares add up to {total}, not 1")
            refs = [o.ref for o in self.co_owners]
            if len(set(refs)) != len(refs):
                raise ValueError(f"property {self.ref!r}: a co-owner is listed twice")
        if isinstance(self.years_vacant, bool) or not isinstance(self.years_vacant, int):
            raise TypeError(f"property {self.ref!r}: years_vacant must be an int")
        if self.years_vacant < 0:
            raise ValueError(f"property {self.ref!r}: years_vacant must not be negative")
        for kind, items in (("land", self.land), ("building", self.buildings), ("unit", self.condo_units)):
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
        for prop in self.properties:
            if prop.co_owners:
                mine = [o for o in prop.co_owners if o.ref == self.id]
                if len(mine) != 1:
                    raise ValueError(
                        f"property {prop.ref!r}: the taxpayer {self.id!r} is not among its co-owners"
                    )
                if Fraction(mine[0].share) != prop.share:
                    raise ValueError(
                        f"property {prop.ref!r}: the taxpayer's share {prop.share} differs from his "
                        f"co-owner entry {mine[0].share}"
                    )


# ---------------------------------------------------------------------------------------------------
# Assessment (output)
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Valuation:
    """How one portion's value was found (informational: no tax amount)."""

    code: str  # value.land / value.building / value.condo
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
    # the taxpayer's share of a co-owned property assessed whole (1 otherwise): value, exemption and tax
    # above are the whole property's
    share: Fraction = Fraction(1)


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
        """The taxpayer's total appraised value (all portions, after shares; his share of co-owned ones)."""
        return sum((round_money(Fraction(g.value) * g.share) for g in self.groups), NIL)

    @property
    def exemption(self) -> Decimal:
        """The exemptions of the taxpayer (his share of a co-owned property's)."""
        return sum((round_money(Fraction(g.exemption) * g.share) for g in self.groups), NIL)
