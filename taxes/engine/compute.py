"""The computation: value each portion, pick its schedule, bracket, exempt, reduce. Pure, no I/O.

How a tax is computed
---------------------
1. Each land portion is valued as area (sq wah) x appraisal price per sq wah; each building as floor
   area (m2) x construction cost per m2 x (1 - depreciation %); each condominium unit as area x the
   Treasury's unit price per m2 (no depreciation, LAO manual p. 62); each x use share x ownership
   share (Sec. 35), rounded to the satang once.
2. Each portion goes to a *schedule*: ``agricultural``, ``residential_home_land_and_building`` (an
   individual with house registration there on 1 January who owns the land and the house, Sec. 41, or
   a condominium unit that is his registered home, LAO manual), ``residential_home_building_only``
   (the house without the land, Sec. 42), ``residential_other``, ``other`` or ``vacant``. Mixed use
   is apportioned by area share.
3. *Units* of assessment: the taxpayer's sole-owned properties together (aggregated per schedule when
   the rules flag ``aggregate_by_category`` is on, else each property alone), and every co-owned
   property (``Property.share`` below 1) on its own, whole.
4. For individuals the schedule's exemption (agricultural 50 M, Sec. 40; home 50 M, Sec. 41; home
   building only 10 M, Sec. 42) is taken from the group's value, once per unit: a co-owned home gets
   ONE exemption judged on the whole property (Supreme Court ฎีกา 3227/2568).
5. The brackets are applied progressively to the taxable base (value after the exemption): each slice
   at its own rate, rounded to the satang. Vacant land adds ``escalation_percent`` per full 3 unused
   years before this one, capped (Sec. 37).
6. Special reductions (Sec. 55 decree, 50 % or 90 % for listed property): the group's tax is
   attributed to the reduced portions by their share of the group's value, and that part reduced.
7. A co-owned property's tax is shared: the taxpayer owes his share of it (split so that the owners'
   parts add back to the whole, when all owners are listed).
8. The year's reduction (90 % in 2020 and 2021, 15 % in 2023) is one negative line on what is left,
   except the tax of property whose special reduction the year's decree leaves out (2023: the 90 %
   property). The total is the exact sum of the lines and is never negative.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .model import (
    Assessment,
    BuildingPortion,
    CondoPortion,
    GroupSummary,
    LandPortion,
    Line,
    Note,
    Property,
    Taxpayer,
    Valuation,
)
from .money import HUNDRED, NIL, SATANG, ZERO, round_money, split_by_shares
from .rules_model import SCHEDULE_ORDER, Bracket, Schedule, TaxpayerKind, TaxYearRules, Use
from .texts import (
    NOTE_TEXTS,
    bracket_text,
    building_text,
    co_owned_share_text,
    condo_text,
    exemption_text,
    land_text,
    reduction_text,
    special_reduction_text,
    transitional_text,
)


def vacant_escalation_steps(years_vacant: int, rules: TaxYearRules) -> int:
    """Full periods of ``vacant_escalation_every_years`` unused years before this one (year 4 -> 1).

    Unused years are counted from ``rules.vacant_counted_from`` (2020, the Act's first tax year):
    land unused since before then has at most ``year - 2019`` years in 2026's count.
    """
    counted = min(years_vacant, max(rules.year - rules.vacant_counted_from + 1, 0))
    return max(counted - 1, 0) // rules.vacant_escalation_every_years


def _vacant_rate(base_rate: Decimal, steps: int, rules: TaxYearRules) -> Decimal:
    if steps == 0:
        return base_rate
    raised = base_rate + rules.vacant_escalation_percent * steps
    return max(base_rate, min(raised, rules.vacant_rate_cap_percent))


def _home_schedule(taxpayer: Taxpayer, prop: Property) -> Schedule | None:
    if taxpayer.kind is not TaxpayerKind.INDIVIDUAL or not prop.house_registration:
        return None
    if any(u.use is Use.RESIDENTIAL for u in prop.condo_units):
        return Schedule.RESIDENTIAL_HOME_LAND_AND_BUILDING  # a unit is land and building (LAO manual)
    if not any(b.use is Use.RESIDENTIAL for b in prop.buildings):
        return None
    if prop.land:  # he owns (a share of) the land under it, whatever its use: Sec. 41, not Sec. 42
        return Schedule.RESIDENTIAL_HOME_LAND_AND_BUILDING
    return Schedule.RESIDENTIAL_HOME_BUILDING_ONLY


def _schedule_for(use: Use, home: Schedule | None) -> Schedule:
    if use is Use.RESIDENTIAL:
        return home or Schedule.RESIDENTIAL_OTHER
    return Schedule(use.value)


@dataclass(frozen=True)
class _Valued:
    prop: int  # index of the property
    valuation: Valuation
    steps: int  # vacant escalation steps
    special: str  # special reduction code, "" = none


def _value_item(
    item: LandPortion | BuildingPortion | CondoPortion,
    prop: Property,
    home: Schedule | None,
    rules: TaxYearRules,
) -> Valuation:
    use_share, own = Fraction(item.use_share), Fraction(item.ownership_share)
    args: tuple[Any, ...]
    if isinstance(item, LandPortion):
        exact = Fraction(item.area_sq_wah * item.price_per_sq_wah)
        code, text = "value.land", land_text
        args = (item.ref, item.use, item.area_sq_wah, item.price_per_sq_wah, use_share, own)
    elif isinstance(item, BuildingPortion):
        exact = (
            Fraction(item.floor_area_m2 * item.cost_per_m2)
            * Fraction(HUNDRED - item.depreciation_percent)
            / 100
        )
        code, text = "value.building", building_text
        args = (
            item.ref,
            item.use,
            item.floor_area_m2,
            item.cost_per_m2,
            item.depreciation_percent,
            use_share,
            own,
        )
    else:
        exact = Fraction(item.area_m2 * item.price_per_m2)
        code, text = "value.condo", condo_text
        args = (item.ref, item.use, item.area_m2, item.price_per_m2, use_share, own)
    value = round_money(exact * use_share * own, rules.rounding)
    args = (*args, value)
    th, en = text(*args)
    return Valuation(
        code=code,
        property_ref=prop.ref,
        item_ref=item.ref,
        use=item.use,
        schedule=_schedule_for(item.use, home),
        full_value=round_money(exact, rules.rounding),
        use_share=use_share,
        ownership_share=own,
        value=value,
        text_th=th,
        text_en=en,
        text_args=args,
    )


def _valuations(taxpayer: Taxpayer, rules: TaxYearRules) -> tuple[list[_Valued], list[Note]]:
    """Value every portion, plus notes."""
    out: list[_Valued] = []
    notes: list[Note] = []
    for index, prop in enumerate(taxpayer.properties):
        home = _home_schedule(taxpayer, prop)
        if prop.house_registration and home is None:
            code = "note.house_registration_without_owned_house"
            th, en = NOTE_TEXTS[code]
            notes.append(Note(code=code, property_ref=prop.ref, text_th=th, text_en=en))
        steps = vacant_escalation_steps(prop.years_vacant, rules)
        for item in prop.items:
            if item.special_reduction:
                rules.special_reduction(item.special_reduction)  # an unknown code fails here
            out.append(
                _Valued(
                    index,
                    _value_item(item, prop, home, rules),
                    steps if item.use is Use.VACANT else 0,
                    item.special_reduction,
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


def _line(
    code: str,
    schedule: Schedule | None,
    refs: tuple[str, ...],
    base: Decimal,
    rate: Decimal,
    amount: Decimal,
    text: Any,
    args: tuple[Any, ...],
) -> Line:
    th, en = text(*args)
    return Line(
        code=code,
        schedule=schedule,
        property_refs=refs,
        base=base,
        rate_percent=rate,
        amount=amount,
        text_th=th,
        text_en=en,
        text_args=args,
    )


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
        out.append(_line(code, schedule, refs, size, rate, amount, bracket_text, args))
    return out


def _reduced(amount: Decimal, percent: Decimal, rules: TaxYearRules) -> Decimal:
    """The (negative) reduction of ``percent`` of ``amount``: what is left is rounded, the rest taken off."""
    return round_money(amount * (HUNDRED - percent) / HUNDRED, rules.rounding) - amount


@dataclass
class _Unit:
    """What is assessed together: the sole-owned properties, or one co-owned property whole."""

    prop: Property | None  # the co-owned property, None for the sole-owned pool
    items: list[_Valued] = field(default_factory=list)


def _exemption_line(
    schedule: Schedule,
    value: Decimal,
    pool: dict[Schedule, Decimal],
    refs: tuple[str, ...],
    rules: TaxYearRules,
    individual: bool,
) -> tuple[Decimal, Line | None]:
    rule = rules.schedule(schedule)
    if individual and schedule is Schedule.AGRICULTURAL and rules.individual_agricultural_fully_exempt:
        if value <= 0:
            return NIL, None
        args: tuple[Any, ...] = (rules.year, value)
        return value, _line(
            "exemption.agricultural.transitional", schedule, refs, value, ZERO, NIL, transitional_text, args
        )
    if pool.get(schedule, ZERO) > 0 and value > 0:
        exempt = min(pool[schedule], value) + NIL
        pool[schedule] -= exempt
        args = (schedule, rule.individual_exemption, rule.exemption_reference, exempt)
        return exempt, _line(
            f"exemption.{schedule.value}", schedule, refs, exempt, ZERO, NIL, exemption_text, args
        )
    return NIL, None


def _assess_unit(
    unit: _Unit, taxpayer: Taxpayer, rules: TaxYearRules, pool: dict[Schedule, Decimal]
) -> tuple[list[Line], list[GroupSummary], Decimal]:
    """The unit's lines and groups, and the part of its tax the year's reduction applies to."""
    individual = taxpayer.kind is TaxpayerKind.INDIVIDUAL
    groups: dict[tuple[int, int, int], list[_Valued]] = {}
    for v in unit.items:
        prop_key = -1 if (unit.prop is not None or rules.aggregate_by_category) else v.prop
        groups.setdefault((prop_key, SCHEDULE_ORDER.index(v.valuation.schedule), v.steps), []).append(v)
    share = unit.prop.share if unit.prop is not None else Fraction(1)
    lines: list[Line] = []
    summaries: list[GroupSummary] = []
    eligible = ZERO  # the unit's tax the year's reduction applies to
    for key in sorted(groups, key=lambda k: (k[1], k[2], k[0])):
        _, order, steps = key
        items = groups[key]
        schedule = SCHEDULE_ORDER[order]
        refs = tuple(dict.fromkeys(v.valuation.property_ref for v in items))
        value = sum((v.valuation.value for v in items), NIL)
        group_lines: list[Line] = []
        exempt, exemption = _exemption_line(schedule, value, pool, refs, rules, individual)
        if exemption is not None:
            group_lines.append(exemption)
        taxable = value - exempt
        group_lines.extend(_bracket_lines(schedule, steps, refs, taxable, exempt, rules))
        gross = sum((line.amount for line in group_lines), NIL)
        eligible_group = gross
        # special reductions: the group's tax attributed to the reduced portions by value
        by_code: dict[str, list[_Valued]] = {}
        for v in items:
            if v.special:
                by_code.setdefault(v.special, []).append(v)
        for code in sorted(by_code):
            special = rules.special_reduction(code)
            part_value = sum((v.valuation.value for v in by_code[code]), NIL)
            if gross <= 0 or value <= 0:
                continue
            attributed = round_money(Fraction(gross) * Fraction(part_value) / Fraction(value), rules.rounding)
            cut = _reduced(attributed, special.percent, rules)
            special_refs = tuple(dict.fromkeys(v.valuation.property_ref for v in by_code[code]))
            args: tuple[Any, ...] = (
                code,
                special.name_th,
                special.name_en,
                special.reference,
                special.percent,
                attributed,
                cut,
            )
            group_lines.append(
                _line(
                    f"reduction.special.{code}",
                    schedule,
                    special_refs,
                    attributed,
                    special.percent,
                    cut,
                    special_reduction_text,
                    args,
                )
            )
            eligible_group += cut
            if special.percent in rules.reduction_skips_special_percents:
                eligible_group -= attributed + cut
        lines.extend(group_lines)
        eligible += eligible_group
        summaries.append(
            GroupSummary(
                schedule=schedule,
                vacant_escalation_steps=steps,
                property_refs=refs,
                value=value,
                exemption=exempt,
                taxable=taxable,
                tax=sum((line.amount for line in group_lines), NIL),
                share=share,
            )
        )
    if unit.prop is None:
        return lines, summaries, eligible
    # a co-owned property: the taxpayer owes his share of the whole property's tax
    whole = sum((line.amount for line in lines), NIL)
    prop = unit.prop
    if prop.co_owners:
        owners = sorted(prop.co_owners, key=lambda o: (len(o.ref), o.ref))  # numeric refs in their order
        parts = split_by_shares(whole, [o.share for o in owners])
        part = parts[[o.ref for o in owners].index(taxpayer.id)]
    else:
        part = round_money(Fraction(whole) * prop.share, rules.rounding)
    args = (prop.share, whole, part)
    lines.append(
        _line("share.co_owned", None, (prop.ref,), whole, ZERO, part - whole, co_owned_share_text, args)
    )
    # the year's reduction applies to the owner's part of the eligible tax: the part he pays when all
    # of it is eligible, else that part's eligible share, so that it never exceeds what he pays
    if eligible == whole or whole <= 0:
        return lines, summaries, part if eligible == whole else NIL
    eligible_part = round_money(Fraction(part) * Fraction(eligible) / Fraction(whole), rules.rounding)
    return lines, summaries, eligible_part


def assess(taxpayer: Taxpayer, rules: TaxYearRules) -> Assessment:
    """Assess one taxpayer's properties in one LAO for ``rules.year``."""
    valued, notes = _valuations(taxpayer, rules)
    sole = _Unit(prop=None)
    units: list[_Unit] = [sole]
    by_prop: dict[int, _Unit] = {}
    for index, prop in enumerate(taxpayer.properties):
        if prop.co_owned:
            by_prop[index] = _Unit(prop=prop)
            units.append(by_prop[index])
    for v in valued:
        by_prop.get(v.prop, sole).items.append(v)

    individual = taxpayer.kind is TaxpayerKind.INDIVIDUAL
    lines: list[Line] = []
    summaries: list[GroupSummary] = []
    eligible = ZERO
    for unit in units:
        # the exemption is the taxpayer's across his sole-owned property, and the whole property's
        # for a co-owned one (one exemption per property, ฎีกา 3227/2568)
        pool = {r.schedule: (r.individual_exemption if individual else ZERO) for r in rules.schedules}
        unit_lines, unit_groups, unit_eligible = _assess_unit(unit, taxpayer, rules, pool)
        lines.extend(unit_lines)
        summaries.extend(unit_groups)
        eligible += unit_eligible

    if rules.reduction_percent > 0 and eligible > 0:
        reduction = _reduced(eligible, rules.reduction_percent, rules)
        args = (rules.year, rules.reduction_percent, eligible, reduction, rules.reduction_reference)
        lines.append(
            _line(
                "reduction.year",
                None,
                tuple(p.ref for p in taxpayer.properties),
                eligible,
                rules.reduction_percent,
                reduction,
                reduction_text,
                args,
            )
        )

    return Assessment(
        year=rules.year,
        taxpayer_id=taxpayer.id,
        taxpayer_kind=taxpayer.kind,
        valuations=tuple(v.valuation for v in valued),
        groups=tuple(summaries),
        lines=tuple(lines),
        notes=tuple(notes),
        total=sum((line.amount for line in lines), NIL),
    )
