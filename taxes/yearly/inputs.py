"""Build the engine's input for every taxpayer from a :class:`~.register.RegisterSnapshot`.

Pure Python over the snapshot (no queries): one engine :class:`~taxes.engine.Property` per parcel a
party holds (its land portions and his buildings on it). A parcel or building held by several owners
is a co-owned property: assessed whole, its exemption judged on the whole (ฎีกา 3227/2568) and each
owner owes his share; the owners' shares of each parcel and building must add up to one, or the run
stops with every such problem listed. Stated defaults become register notes on the draft (a building's
use from its type, no price, no land use, unknown age).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from parcels.models import BuildingType, LandUse, PartyKind, RegisterStatus

from ..engine import (
    BuildingPortion,
    CoOwner,
    LandPortion,
    Property,
    Taxpayer,
    TaxpayerKind,
    TaxYearRules,
    Use,
)
from ..itemised import register_note
from ..law import depreciation_percent
from .register import ParcelRow, RegisterSnapshot, RightRow

# When a building has no use recorded, its type decides (a stated default, shown as a note on the
# assessment; staff correct the register's building uses where it is wrong).
USE_OF_BUILDING_TYPE = {
    BuildingType.DETACHED_HOUSE: LandUse.RESIDENTIAL,
    BuildingType.ROW_HOUSE: LandUse.RESIDENTIAL,
    BuildingType.HUT: LandUse.RESIDENTIAL,
    BuildingType.SHOPHOUSE: LandUse.OTHER,
    BuildingType.WAREHOUSE: LandUse.OTHER,
    BuildingType.OFFICE: LandUse.OTHER,
    BuildingType.RESORT: LandUse.OTHER,
    BuildingType.OTHER: LandUse.OTHER,
    BuildingType.BARN: LandUse.AGRICULTURAL,
    BuildingType.RELIGIOUS: LandUse.EXEMPT,
    BuildingType.SCHOOL: LandUse.EXEMPT,
}


@dataclass
class TaxpayerInput:
    """One taxpayer ready for the engine, with what the draft records beside the engine's result."""

    party_id: int
    taxpayer: Taxpayer
    register_notes: list[list[str]] = field(default_factory=list)
    parcel_ids: list[int] = field(default_factory=list)
    village_id: int | None = None


def sq_wah(parcel: ParcelRow) -> Decimal:
    """The declared ไร่-งาน-ตร.ว. when recorded, else the surveyed (geodesic) area / 4 (1 sq wah = 4 m²)."""
    if parcel.declared_rai is not None or parcel.declared_ngan is not None or parcel.declared_wah is not None:
        rai, ngan = parcel.declared_rai or 0, parcel.declared_ngan or 0
        return Decimal(rai * 400 + ngan * 100) + (parcel.declared_wah or Decimal(0))
    return (Decimal(str(parcel.area_m2 or 0)) / 4).quantize(Decimal("0.01"))


def _pct_share(pct: Decimal) -> Fraction:
    return Fraction(pct) / 100


@dataclass
class _Holding:
    """What one party holds on one parcel: land portions, building portions, his shares, notes."""

    land: list[LandPortion] = field(default_factory=list)
    buildings: list[BuildingPortion] = field(default_factory=list)
    land_share: Fraction | None = None
    building_shares: dict[int, Fraction] = field(default_factory=dict)
    notes: list[list[str]] = field(default_factory=list)


def _shares_add_up(
    rights: list[RightRow],
    things: Mapping[int, object],
    kind: str,
    code_of: Callable[[int], str],
    problems: list[str],
) -> dict[int, dict[int, Fraction]]:
    """thing id -> party id -> share; a thing whose owners' shares do not add up to 1 is a problem."""
    owners: dict[int, dict[int, Fraction]] = defaultdict(dict)
    for right in rights:
        if right.thing_id in things:
            share = Fraction(right.share_numerator, right.share_denominator)
            owners[right.thing_id][right.party_id] = (
                owners[right.thing_id].get(right.party_id, Fraction(0)) + share
            )
    for thing_id, by_party in owners.items():
        total = sum(by_party.values(), Fraction(0))
        if total != 1:
            problems.append(
                f"{kind} {code_of(thing_id)}: the owners' shares add up to {total}, not 1 "
                f"({', '.join(f'party {p} {s}' for p, s in sorted(by_party.items()))})"
            )
    return owners


def build_inputs(
    snap: RegisterSnapshot, year: int, rules: TaxYearRules
) -> tuple[list[TaxpayerInput], list[str], int]:
    """(taxpayers, problems, taxpayers skipped because their notice is issued).

    A problem (shares not adding up to one, an unknown special reduction) stops the run: nothing is
    written and every problem is listed.
    """
    problems: list[str] = []
    special_codes = {s.code for s in rules.special_reductions}

    def parcel_code(pid: int) -> str:
        return snap.parcels[pid].code if pid in snap.parcels else str(pid)

    def building_ref(bid: int) -> str:
        b = snap.buildings[bid]
        return f"{parcel_code(b.parcel_id)}/{b.number}"

    land_owners = _shares_add_up(snap.parcel_rights, snap.parcels, "parcel", parcel_code, problems)
    building_owners = _shares_add_up(snap.building_rights, snap.buildings, "building", building_ref, problems)
    for where, codes in (("parcel", snap.special_parcel), ("building", snap.special_building)):
        for thing, code in codes.items():
            if code not in special_codes:
                problems.append(f"{where} {thing}: special reduction {code!r} is not among the year's rules")
    if problems:  # the register contradicts itself: nothing is assessed until it is corrected
        return [], problems, 0

    holdings: dict[int, dict[int, _Holding]] = defaultdict(lambda: defaultdict(_Holding))
    for pid, by_party in land_owners.items():
        p = snap.parcels[pid]
        price = snap.land_price(p)
        uses = snap.land_uses.get(pid)
        area = sq_wah(p)
        special = snap.special_parcel.get(pid, "")
        for party_id, share in by_party.items():
            slot = holdings[party_id][pid]
            slot.land_share = share
            if price is None:
                slot.notes.append(register_note("note.no_land_price", p.code, p.zone, p.block))
                continue
            if not uses:
                slot.notes.append(register_note("note.no_land_use", p.code))
                continue
            for u in uses:
                if u.category == LandUse.EXEMPT:
                    continue
                slot.land.append(
                    LandPortion(
                        area, price, Use(u.category), _pct_share(u.share_percent), share, p.code, special
                    )
                )
    for bid, by_party in building_owners.items():
        b = snap.buildings[bid]
        code = parcel_code(b.parcel_id)
        number = str(b.number)
        cost = snap.costs.get(b.building_type)
        uses_b = [(u.category, u.share_percent) for u in snap.building_uses.get(bid, ())]
        notes: list[list[str]] = []
        if not uses_b and b.building_type in USE_OF_BUILDING_TYPE:
            uses_b = [(USE_OF_BUILDING_TYPE[b.building_type], Decimal(100))]
            notes.append(register_note("note.building_use_from_type", code, number, str(uses_b[0][0])))
        valued = cost is not None and bool(uses_b)
        if not valued:
            notes.append(
                register_note("note.building_not_valued", code, number, "cost" if cost is None else "use")
            )
        dep = Decimal(0)
        if valued and b.year_built is None:
            notes.append(register_note("note.building_age_unknown", code, number))
        elif valued:
            dep = depreciation_percent(b.material, max(year - b.year_built, 0), snap.depreciation) or Decimal(
                0
            )
        for party_id, share in by_party.items():
            slot = holdings[party_id][b.parcel_id]
            slot.building_shares[bid] = share
            slot.notes.extend(notes)
            if not valued:
                continue
            for cat, pct in uses_b:
                if cat == LandUse.EXEMPT:
                    continue
                slot.buildings.append(
                    BuildingPortion(
                        b.floor_area_m2,
                        cost,  # type: ignore[arg-type]
                        Use(cat),
                        dep,
                        _pct_share(pct),
                        share,
                        f"{code}/{b.number}",
                        snap.special_building.get(bid, ""),
                    )
                )

    out: list[TaxpayerInput] = []
    skipped = 0
    for party_id, by_parcel in holdings.items():
        if party_id in snap.issued_parties:
            skipped += 1
            continue
        party = snap.parties[party_id]
        individual = party.kind == PartyKind.PERSON
        home_parcel = (
            party.home_parcel_id if individual and party.household_status == RegisterStatus.ACTIVE else None
        )
        item = TaxpayerInput(
            party_id=party_id, taxpayer=Taxpayer(TaxpayerKind.JURISTIC), village_id=party.village_id
        )
        props = []
        for pid, slot in by_parcel.items():
            item.register_notes.extend(slot.notes)
            item.parcel_ids.append(pid)
            if item.village_id is None and pid in snap.parcels:
                item.village_id = snap.parcels[pid].village_id
            if not slot.land and not slot.buildings:
                continue
            props.append(
                _property(
                    pid,
                    slot,
                    parcel_code(pid),
                    pid == home_parcel,
                    land_owners.get(pid, {}),
                    building_owners,
                    snap,
                )
            )
        item.parcel_ids.sort()
        try:
            item.taxpayer = Taxpayer(
                kind=TaxpayerKind.INDIVIDUAL if individual else TaxpayerKind.JURISTIC,
                properties=tuple(props),
                id=str(party_id),
            )
        except (TypeError, ValueError) as exc:
            problems.append(f"party {party_id}: {exc}")
            continue
        out.append(item)
    return out, problems, skipped


def _property(
    pid: int,
    slot: _Holding,
    code: str,
    home: bool,
    land_owners: dict[int, Fraction],
    building_owners: dict[int, dict[int, Fraction]],
    snap: RegisterSnapshot,
) -> Property:
    """The party's property on one parcel: whole and shared when co-owned alike, else his shares per item."""
    vacant_years = max(
        (u.years_unused for u in snap.land_uses.get(pid, ()) if u.category == LandUse.VACANT), default=0
    )
    shares = set(slot.building_shares.values())
    if slot.land_share is not None:
        shares.add(slot.land_share)
    owner_sets = [land_owners] if slot.land_share is not None else []
    owner_sets += [building_owners[bid] for bid in slot.building_shares]
    alike = len(shares) == 1 and all(o == owner_sets[0] for o in owner_sets)
    if alike and shares != {Fraction(1)}:
        (share,) = shares
        whole_land = tuple(
            LandPortion(x.area_sq_wah, x.price_per_sq_wah, x.use, x.use_share, 1, x.ref, x.special_reduction)
            for x in slot.land
        )
        whole_buildings = tuple(
            BuildingPortion(
                x.floor_area_m2,
                x.cost_per_m2,
                x.use,
                x.depreciation_percent,
                x.use_share,
                1,
                x.ref,
                x.special_reduction,
            )
            for x in slot.buildings
        )
        return Property(
            ref=code,
            land=whole_land,
            buildings=whole_buildings,
            house_registration=home,
            years_vacant=vacant_years,
            share=share,
            co_owners=tuple(CoOwner(str(p), s) for p, s in sorted(owner_sets[0].items())),
        )
    # sole owner, or owning the land and the buildings in different shares: each item at his share
    return Property(
        ref=code,
        land=tuple(slot.land),
        buildings=tuple(slot.buildings),
        house_registration=home,
        years_vacant=vacant_years,
    )
