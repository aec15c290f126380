"""The computation: value each portion, pick its schedule, bracket, exempt, reduce. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .model import (
    SCHEDULE_ORDER,
    Assessment,
    Bracket,
    GroupSummary,
    Line,
    Note,
    Property,
    Schedule,
    Taxpayer,
    TaxpayerKind,
    TaxYearRules,
    Use,
    Valuation,
)
from .money import HUNDRED, NIL, SATANG, ZERO, round_money
from .texts import (
    NOTE_TEXTS,
    bracket_text,
    building_text,
    exemption_text,
    land_text,
    reduction_text,
    transitional_text,
)


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
