"""The assessment engine: DOMAIN.md's worked examples 1-9 exactly, edge cases, and invariants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from taxes.engine import (
    Assessment,
    BuildingPortion,
    LandPortion,
    PenaltyTier,
    Property,
    ReminderDates,
    Rounding,
    Schedule,
    Taxpayer,
    TaxpayerKind,
    Use,
    assess,
    installment_schedule,
    months_late,
    parse_rai_ngan_wah,
    penalty,
    penalty_tier,
    round_money,
    split_by_shares,
    surcharge,
    to_share,
    vacant_escalation_steps,
)
from taxes.rules import RulesError, default_rules, default_rules_dict, rules_from_dict, rules_to_dict

R2026 = default_rules(2026)
R2020 = default_rules(2020)
IND = TaxpayerKind.INDIVIDUAL
JUR = TaxpayerKind.JURISTIC


def land(area: str, price: str, use: Use, **kw: object) -> LandPortion:
    return LandPortion(D(area), D(price), use, **kw)  # type: ignore[arg-type]


def building(floor: str, cost: str, use: Use, dep: str = "0", **kw: object) -> BuildingPortion:
    return BuildingPortion(D(floor), D(cost), use, D(dep), **kw)  # type: ignore[arg-type]


def worth(value: D, use: Use, **kw: object) -> LandPortion:
    """A land portion of 1 sq wah priced at ``value``: a property 'worth' value."""
    return LandPortion(D(1), value, use, **kw)  # type: ignore[arg-type]


def one(kind: TaxpayerKind, *items: LandPortion | BuildingPortion, **prop_kw: object) -> Taxpayer:
    lands = tuple(i for i in items if isinstance(i, LandPortion))
    blds = tuple(i for i in items if isinstance(i, BuildingPortion))
    return Taxpayer(kind=kind, properties=(Property("P1", lands, blds, **prop_kw),))  # type: ignore[arg-type]


def amounts(a: Assessment) -> list[tuple[str, D]]:
    return [(line.code, line.amount) for line in a.lines]


# --- DOMAIN.md worked examples --------------------------------------------------------------------


def test_example_1_land_value_from_rai_ngan_wah() -> None:
    area = parse_rai_ngan_wah("1-2-50")
    assert area == D(650)
    a = assess(one(JUR, land(str(area), "1200", Use.AGRICULTURAL)), R2026)
    assert a.valuations[0].value == D("780000.00")
    assert a.value == D("780000")


def test_example_2_commercial_company() -> None:
    tp = one(
        JUR,
        land("2000", "20000", Use.OTHER),  # 40,000,000
        building("2000", "12500", Use.OTHER, dep="20"),  # 20,000,000
    )
    a = assess(tp, R2026)
    assert a.value == D("60000000")
    assert amounts(a) == [("rate.other.1", D("150000.00")), ("rate.other.2", D("40000.00"))]
    assert [line.base for line in a.lines] == [D("50000000"), D("10000000")]
    assert a.total == D("190000.00")


def test_example_3_home_land_and_building_60m() -> None:
    tp = one(
        IND,
        land("400", "100000", Use.RESIDENTIAL),
        building("500", "50000", Use.RESIDENTIAL, dep="20"),
        house_registration=True,
    )
    a = assess(tp, R2026)
    assert amounts(a) == [
        ("exemption.residential_home_land_and_building", D(0)),
        ("rate.residential_home_land_and_building.1", D("3000.00")),
    ]
    assert a.lines[0].base == D("50000000")
    assert a.lines[1].base == D("10000000") and a.lines[1].rate_percent == D("0.03")
    assert a.total == D("3000.00")


def test_example_4_second_home() -> None:
    a = assess(
        one(IND, land("100", "30000", Use.RESIDENTIAL), building("200", "12500", Use.RESIDENTIAL, "20")),
        R2026,
    )
    assert a.groups[0].schedule is Schedule.RESIDENTIAL_OTHER
    assert a.total == D("1000.00")


def test_example_5_home_below_exemption() -> None:
    tp = one(
        IND,
        land("100", "50000", Use.RESIDENTIAL),
        building("150", "20000", Use.RESIDENTIAL),
        house_registration=True,
    )
    a = assess(tp, R2026)
    assert a.value == D("8000000")
    assert a.exemption == D("8000000")  # never more than the value
    assert a.total == D("0")
    assert [line.code for line in a.lines] == ["exemption.residential_home_land_and_building"]


def test_example_6_agricultural_company() -> None:
    a = assess(one(JUR, land(str(parse_rai_ngan_wah("25-0-0")), "1000", Use.AGRICULTURAL)), R2026)
    assert a.total == D("1000.00")


@pytest.mark.parametrize(
    ("years_vacant", "expected"),
    [(0, "30000.00"), (1, "30000.00"), (3, "30000.00"), (4, "60000.00"), (6, "60000.00"), (7, "90000.00")],
)
def test_example_7_vacant_escalation(years_vacant: int, expected: str) -> None:
    a = assess(one(JUR, land("1000", "10000", Use.VACANT), years_vacant=years_vacant), R2026)
    assert a.total == D(expected)


def test_example_8_mixed_use_apportioned_by_area() -> None:
    tp = one(
        JUR,
        land("1000", "10000", Use.RESIDENTIAL, use_share=D("0.6"), ref="deed"),
        land("1000", "10000", Use.OTHER, use_share=D("0.4"), ref="deed"),
    )
    a = assess(tp, R2026)
    assert [v.value for v in a.valuations] == [D("6000000"), D("4000000")]
    assert amounts(a) == [("rate.residential_other.1", D("1200.00")), ("rate.other.1", D("12000.00"))]
    assert a.total == D("13200.00")


def test_example_9_reduction_2020() -> None:
    tp = one(JUR, land("2000", "20000", Use.OTHER), building("2000", "12500", Use.OTHER, dep="20"))
    a = assess(tp, R2020)
    assert a.lines[-1].code == "reduction.year"
    assert a.lines[-1].base == D("190000.00")
    assert a.lines[-1].amount == D("-171000.00")
    assert a.total == D("19000.00")
    assert assess(tp, default_rules(2021)).total == D("19000.00")
    assert assess(tp, default_rules(2022)).total == D("190000.00")


# --- other rules ------------------------------------------------------------------------------------


def test_home_building_only_gets_10m_exemption() -> None:
    a = assess(one(IND, building("500", "30000", Use.RESIDENTIAL), house_registration=True), R2026)  # 15 M
    assert a.groups[0].schedule is Schedule.RESIDENTIAL_HOME_BUILDING_ONLY
    assert a.groups[0].exemption == D("10000000")
    assert a.total == D("1000.00")  # 5 M x 0.02 %


def test_value_above_100m_uses_every_bracket() -> None:
    other = one(IND, worth(D("119999999"), Use.RESIDENTIAL), building("1", "1", Use.RESIDENTIAL))
    # residential other, 120 M: 50 M x 0.02 % + 25 M x 0.03 % + 25 M x 0.05 % + 20 M x 0.1 %
    assert assess(other, R2026).total == D("10000") + D("7500") + D("12500") + D("20000")
    home = one(
        IND,
        worth(D("119999999"), Use.RESIDENTIAL),
        building("1", "1", Use.RESIDENTIAL),
        house_registration=True,
    )
    # home, 120 M: 50 M exempt, then 25 M x 0.03 % + 25 M x 0.05 % + 20 M x 0.1 % of the taxable base
    a = assess(home, R2026)
    assert [line.amount for line in a.lines] == [D(0), D("7500"), D("12500"), D("20000")]
    assert a.total == D("40000.00")


def test_farmhouse_on_own_farm_land_is_land_and_building_home() -> None:
    """The land under the house is his even when the survey put all of it in agricultural use."""
    tp = one(
        IND,
        land("800", "1000", Use.AGRICULTURAL),
        building("100", "8000", Use.RESIDENTIAL),
        house_registration=True,
    )
    a = assess(tp, R2026)
    assert [g.schedule for g in a.groups] == [
        Schedule.AGRICULTURAL,
        Schedule.RESIDENTIAL_HOME_LAND_AND_BUILDING,
    ]
    home = a.groups[1]
    assert home.exemption == D("800000")
    assert a.total == 0


def test_house_registration_without_own_house_is_residential_other_with_note() -> None:
    a = assess(one(IND, land("100", "30000", Use.RESIDENTIAL), house_registration=True), R2026)
    assert a.groups[0].schedule is Schedule.RESIDENTIAL_OTHER
    assert a.notes[0].code == "note.house_registration_without_owned_house"
    assert a.total == D("600.00")


def test_agricultural_individual_exemption_then_brackets_on_taxable_base() -> None:
    a = assess(one(IND, worth(D("100000000"), Use.AGRICULTURAL)), R2026)
    assert a.groups[0].exemption == D("50000000")
    assert a.total == D("5000.00")  # 50 M taxable, all in the first (0-75 M) bracket


def test_agricultural_individual_fully_exempt_2020_to_2022_but_not_companies() -> None:
    for year in (2020, 2021, 2022):
        a = assess(one(IND, worth(D("100000000"), Use.AGRICULTURAL)), default_rules(year))
        assert a.total == 0
        assert a.lines[0].code == "exemption.agricultural.transitional"
    assert assess(one(JUR, worth(D("10000000"), Use.AGRICULTURAL)), R2020).total == D("100.00")


def test_juristic_gets_no_exemption() -> None:
    a = assess(one(JUR, worth(D("60000000"), Use.AGRICULTURAL)), R2026)
    assert a.exemption == 0
    assert a.total == D("6000.00")


def test_aggregation_flag_changes_bracketing() -> None:
    tp = Taxpayer(
        kind=JUR,
        properties=(
            Property("A", (worth(D("30000000"), Use.OTHER),)),
            Property("B", (worth(D("30000000"), Use.OTHER),)),
        ),
    )
    assert assess(tp, R2026).total == D("190000.00")
    per_property = rules_from_dict({**default_rules_dict(2026), "aggregate_by_category": False})
    a = assess(tp, per_property)
    assert a.total == D("180000.00")
    assert [g.property_refs for g in a.groups] == [("A",), ("B",)]


def test_exemption_pool_shared_between_properties_without_aggregation() -> None:
    tp = Taxpayer(
        kind=IND,
        properties=(
            Property("A", (worth(D("30000000"), Use.AGRICULTURAL),)),
            Property("B", (worth(D("30000000"), Use.AGRICULTURAL),)),
        ),
    )
    per_property = rules_from_dict({**default_rules_dict(2026), "aggregate_by_category": False})
    a = assess(tp, per_property)
    assert [g.exemption for g in a.groups] == [D("30000000"), D("20000000")]
    assert a.total == D("1000.00")
    assert assess(tp, R2026).total == D("1000.00")


def test_vacant_rate_capped_at_3_percent() -> None:
    # unused years count from 2020 (Sec. 37 applies from the Act's first tax year): in 2026 at most 7
    assert vacant_escalation_steps(31, R2026) == 2
    r2050 = default_rules(2050)
    assert vacant_escalation_steps(31, r2050) == 10
    a = assess(one(JUR, worth(D("1000000"), Use.VACANT), years_vacant=40), r2050)
    assert a.lines[0].rate_percent == D("3")
    assert a.total == D("30000.00")


def test_vacant_properties_with_different_escalation_are_bracketed_apart() -> None:
    tp = Taxpayer(
        kind=JUR,
        properties=(
            Property("A", (worth(D("1000000"), Use.VACANT),), years_vacant=1),
            Property("B", (worth(D("1000000"), Use.VACANT),), years_vacant=5),
        ),
    )
    a = assess(tp, R2026)
    assert [(g.vacant_escalation_steps, g.tax) for g in a.groups] == [(0, D("3000.00")), (1, D("6000.00"))]


def test_co_owned_share_and_depreciation() -> None:
    tp = one(IND, building("100", "10000", Use.RESIDENTIAL, dep="15", ownership_share=Fraction(1, 3)))
    v = assess(tp, R2026).valuations[0]
    assert v.full_value == D("850000.00")
    assert v.value == D("283333.33")


def test_rounding_per_line_half_up() -> None:
    a = assess(one(JUR, worth(D("1250.00"), Use.RESIDENTIAL)), R2026)  # 1,250 x 0.02 % = 0.25
    assert a.total == D("0.25")
    a = assess(one(JUR, worth(D("1225.00"), Use.RESIDENTIAL)), R2026)  # 0.245 -> 0.25
    assert a.total == D("0.25")
    down = rules_from_dict(
        {**default_rules_dict(2026), "rounding": {"quantum": "0.01", "mode": "ROUND_DOWN"}}
    )
    assert assess(one(JUR, worth(D("1225.00"), Use.RESIDENTIAL)), down).total == D("0.24")


def test_invalid_inputs_are_refused() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        LandPortion(650.0, D(1200), Use.OTHER)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="share"):
        LandPortion(D(1), D(1), Use.OTHER, ownership_share=D("1.5"))
    with pytest.raises(TypeError):
        to_share(0.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="add up"):
        Property(
            "P",
            (
                worth(D(1), Use.OTHER, ref="x", use_share=D("0.7")),
                worth(D(1), Use.AGRICULTURAL, ref="x", use_share=D("0.4")),
            ),
        )
    with pytest.raises(ValueError, match="individuals only"):
        one(JUR, worth(D(1), Use.RESIDENTIAL), house_registration=True)
    with pytest.raises(ValueError, match="one place"):
        Taxpayer(IND, (Property("A", house_registration=True), Property("B", house_registration=True)))
    with pytest.raises(ValueError, match="depreciation"):
        building("1", "1", Use.OTHER, dep="101")
    with pytest.raises(ValueError):
        Use("commercial")


def test_parse_rai_ngan_wah() -> None:
    assert parse_rai_ngan_wah("2-1-35") == D(935)
    assert parse_rai_ngan_wah(" 0-0-12.5 ") == D("12.5")
    for bad in ("1-4-0", "1-0-100", "abc", "1-2"):
        with pytest.raises(ValueError):
            parse_rai_ngan_wah(bad)


# --- money helpers ----------------------------------------------------------------------------------


def test_round_money_exact_for_fractions_and_ties() -> None:
    assert round_money(Fraction(100, 3)) == D("33.33")
    assert round_money(Fraction(200, 3)) == D("66.67")
    assert round_money(D("0.005")) == D("0.01")
    assert round_money(D("-0.005")) == D("-0.01")
    assert round_money(D("0.005"), Rounding(D("0.01"), "ROUND_HALF_EVEN")) == D("0.00")
    assert round_money(D("12.5"), Rounding(D("1"), "ROUND_HALF_UP")) == D("13")
    with pytest.raises(TypeError):
        round_money(0.1)  # type: ignore[arg-type]


def test_split_by_shares() -> None:
    assert split_by_shares(D("100.00"), ["1/3", "1/3", "1/3"]) == (D("33.34"), D("33.33"), D("33.33"))
    assert split_by_shares(D("0.01"), ["1/2", "1/2"]) == (D("0.01"), D("0.00"))
    with pytest.raises(ValueError, match="add up"):
        split_by_shares(D("1.00"), ["1/2", "1/3"])


def test_installments() -> None:
    due = R2026.default_due_dates()
    # 2026: moved two months by the Interior Ministry (notice of 28 Nov 2025): June, July, August
    assert due == (date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31))
    assert default_rules(2027).default_due_dates() == (
        date(2027, 4, 30),
        date(2027, 5, 31),
        date(2027, 6, 30),
    )
    assert [i.amount for i in installment_schedule(D("3000.00"), R2026)] == [D("1000.00")] * 3
    assert [i.amount for i in installment_schedule(D("3000.02"), R2026)] == [
        D("1000.02"),
        D("1000.00"),
        D("1000.00"),
    ]
    assert [i.amount for i in installment_schedule(D("10000.00"), R2026)] == [
        D("3333.34"),
        D("3333.33"),
        D("3333.33"),
    ]
    single = installment_schedule(D("2999.99"), R2026)
    assert [(i.number, i.due_date, i.amount) for i in single] == [(1, date(2026, 6, 30), D("2999.99"))]
    assert installment_schedule(D("0.00"), R2026) == ()
    custom = installment_schedule(
        D("9000.00"), R2026, [date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31)]
    )
    assert custom[2].due_date == date(2026, 10, 31)
    with pytest.raises(ValueError):
        installment_schedule(D("9000.00"), R2026, [date(2026, 8, 31)])
    with pytest.raises(ValueError):
        installment_schedule(D("-1.00"), R2026)


def test_surcharge_and_months_late() -> None:
    assert surcharge(D("10000.00"), 3, R2026) == D("300.00")
    assert surcharge(D("10000.00"), 0, R2026) == D("0.00")
    assert surcharge(D("10000.00"), 150, R2026) == D("15000.00")  # Sec. 70 sets no cap
    capped = rules_from_dict({**default_rules_dict(2026), "surcharge": {"cap_percent": "100"}})
    assert surcharge(D("10000.00"), 150, capped) == D("10000.00")  # an office rule may cap it
    assert months_late(date(2026, 4, 30), date(2026, 4, 30)) == 0
    assert months_late(date(2026, 4, 30), date(2026, 5, 1)) == 1
    assert months_late(date(2026, 4, 30), date(2026, 5, 30)) == 1
    assert months_late(date(2026, 4, 30), date(2026, 5, 31)) == 2
    assert months_late(date(2026, 4, 30), date(2027, 4, 30)) == 12
    with pytest.raises(ValueError):
        surcharge(D("1.00"), -1, R2026)


def test_penalty_tiers_sec_68_69() -> None:
    """Sec. 68: 40 %, 10 % if paid before the reminder (Sec. 61) is received; Sec. 69: 20 % in its time."""
    due = date(2026, 6, 30)
    reminder = ReminderDates(
        issued_on=date(2026, 7, 10), pay_by=date(2026, 8, 10), received_on=date(2026, 7, 15)
    )
    tier = lambda paid, r=reminder: penalty_tier(due, paid, r)  # noqa: E731
    assert tier(date(2026, 6, 30)) is PenaltyTier.NONE
    assert tier(date(2026, 7, 14)) is PenaltyTier.BEFORE_REMINDER
    assert tier(date(2026, 7, 15)) is PenaltyTier.WITHIN_REMINDER  # the day it is received: after receipt
    assert tier(date(2026, 8, 10)) is PenaltyTier.WITHIN_REMINDER
    assert tier(date(2026, 8, 11)) is PenaltyTier.AFTER_REMINDER
    assert tier(date(2026, 9, 1), None) is PenaltyTier.BEFORE_REMINDER  # never reminded: 10 %
    unreceived = ReminderDates(issued_on=date(2026, 7, 10), pay_by=date(2026, 8, 10))
    assert tier(date(2026, 9, 1), unreceived) is PenaltyTier.BEFORE_REMINDER
    later = ReminderDates(issued_on=date(2026, 6, 1), pay_by=date(2026, 7, 1), received_on=date(2026, 6, 5))
    assert tier(date(2026, 9, 1), later) is PenaltyTier.BEFORE_REMINDER  # it reminded of earlier tax only
    assert penalty(D("1000.00"), PenaltyTier.BEFORE_REMINDER, R2026) == D("100.00")
    assert penalty(D("1000.00"), PenaltyTier.WITHIN_REMINDER, R2026) == D("200.00")
    assert penalty(D("1000.00"), PenaltyTier.AFTER_REMINDER, R2026) == D("400.00")
    assert penalty(D("1000.00"), PenaltyTier.NONE, R2026) == D("0.00")


# --- rules as data ----------------------------------------------------------------------------------


def test_rules_round_trip_and_defaults() -> None:
    for year in (2020, 2021, 2022, 2026):
        rules = default_rules(year)
        assert rules_from_dict(rules_to_dict(rules)) == rules
    assert R2020.reduction_percent == D(90) and R2026.reduction_percent == 0
    assert R2026.schedule(Schedule.VACANT).brackets == R2026.schedule(Schedule.OTHER).brackets
    with pytest.raises(ValueError, match="2020"):
        default_rules(2019)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reduction_percent": 0.9}, "strings"),
        ({"reduction_percent": "120"}, "0-100"),
        ({"bogus": 1}, "unknown"),
        ({"schedules": {"other": {"brackets": [[None, "0.3"]]}}}, "missing"),
        ({"installments": {"due_dates": ["4/30"]}}, "MM-DD"),
        ({"rounding": {"mode": "ROUND_SOMETIMES"}}, "rounding mode"),
    ],
)
def test_rules_from_dict_errors(change: dict[str, object], message: str) -> None:
    with pytest.raises(RulesError, match=message):
        rules_from_dict({**default_rules_dict(2026), **change})


def test_rules_bracket_order_checked() -> None:
    data = default_rules_dict(2026)
    data["schedules"]["other"]["brackets"] = [["200000000", "0.4"], ["50000000", "0.3"], [None, "0.7"]]
    with pytest.raises(RulesError, match="increase"):
        rules_from_dict(data)


# --- invariants (hypothesis) ------------------------------------------------------------------------

money = st.integers(min_value=0, max_value=2 * 10**12).map(lambda n: D(n).scaleb(-2))  # up to 20 billion baht
shares = st.fractions(min_value=Fraction(1, 1000), max_value=1, max_denominator=1000)
uses = st.sampled_from(list(Use))
years = st.sampled_from([2020, 2021, 2022, 2025, 2026])
ALL_RULES = {y: default_rules(y) for y in (2020, 2021, 2022, 2025, 2026)}
PER_PROPERTY = {
    y: rules_from_dict({**default_rules_dict(y), "aggregate_by_category": False})
    for y in (2020, 2021, 2022, 2025, 2026)
}


@st.composite
def land_portions(draw: st.DrawFn) -> LandPortion:
    area = D(draw(st.integers(0, 40_000))) + D(draw(st.integers(0, 9))) / 10
    price = D(draw(st.integers(0, 500_000)))
    return LandPortion(
        area, price, draw(uses), draw(st.just(Fraction(1)) | shares), draw(st.just(Fraction(1)) | shares)
    )


@st.composite
def building_portions(draw: st.DrawFn, use: Use | None = None) -> BuildingPortion:
    return BuildingPortion(
        D(draw(st.integers(0, 20_000))),
        D(draw(st.integers(0, 40_000))),
        use or draw(uses),
        D(draw(st.integers(0, 100))),
        draw(st.just(Fraction(1)) | shares),
        draw(st.just(Fraction(1)) | shares),
    )


@st.composite
def taxpayers(draw: st.DrawFn) -> Taxpayer:
    kind = draw(st.sampled_from(list(TaxpayerKind)))
    n = draw(st.integers(1, 4))
    home = draw(st.integers(-1, n - 1)) if kind is IND else -1
    props = []
    for i in range(n):
        buildings = draw(st.lists(building_portions(), max_size=2))
        if i == home:  # a home mostly has a house: draw one so the home schedules are exercised often
            buildings += draw(st.lists(building_portions(Use.RESIDENTIAL), max_size=1))
        props.append(
            Property(
                f"P{i}",
                tuple(draw(st.lists(land_portions(), max_size=3))),
                tuple(buildings),
                house_registration=i == home,
                years_vacant=draw(st.integers(0, 40)),
            )
        )
    return Taxpayer(kind, tuple(props))


def _rules(year: int, aggregate: bool):  # noqa: ANN202
    return ALL_RULES[year] if aggregate else PER_PROPERTY[year]


@settings(max_examples=75, deadline=None)
@given(taxpayers(), years, st.booleans())
def test_tax_never_negative_and_lines_sum_to_total(tp: Taxpayer, year: int, aggregate: bool) -> None:
    rules = _rules(year, aggregate)
    a = assess(tp, rules)
    assert a.total >= 0
    assert a.total == sum((line.amount for line in a.lines), D(0))
    assert a.total == a.total.quantize(D("0.01"))
    slices = [line for line in a.lines if line.code != "reduction.year"]
    assert all(line.amount >= 0 and line.base >= 0 for line in slices)
    gross = sum((line.amount for line in slices), D(0))
    assert sum((g.tax for g in a.groups), D(0)) == gross
    reductions = [line for line in a.lines if line.code == "reduction.year"]
    if reductions:
        assert -gross <= reductions[0].amount <= 0
        assert a.total <= gross
    else:
        assert a.total == gross
    assert sum((g.value for g in a.groups), D(0)) == a.value
    # each slice lies below its bracket's rate ceiling of the Act (3 % for escalated vacant land)
    assert all(line.rate_percent <= 3 for line in slices)


@settings(max_examples=75, deadline=None)
@given(taxpayers(), years, st.booleans())
def test_exemptions_never_exceed_value(tp: Taxpayer, year: int, aggregate: bool) -> None:
    a = assess(tp, _rules(year, aggregate))
    for g in a.groups:
        assert 0 <= g.exemption <= g.value
        assert g.taxable == g.value - g.exemption
    assert a.exemption <= a.value
    exempt_lines = [line for line in a.lines if line.code.startswith("exemption.")]
    assert all(line.amount == 0 for line in exempt_lines)
    assert sum((line.base for line in exempt_lines), D(0)) == a.exemption
    if tp.kind is JUR:
        assert a.exemption == 0


CASES = [
    (IND, Use.RESIDENTIAL, True, True),  # home, land and building
    (IND, Use.RESIDENTIAL, False, True),  # home, building only
    (IND, Use.RESIDENTIAL, True, False),  # residential other
    (JUR, Use.RESIDENTIAL, True, False),
    (IND, Use.AGRICULTURAL, True, False),
    (JUR, Use.AGRICULTURAL, True, False),
    (JUR, Use.OTHER, True, False),
    (IND, Use.VACANT, True, False),
]


def _single(
    kind: TaxpayerKind, use: Use, with_land: bool, home: bool, value: D, years_vacant: int
) -> Taxpayer:
    half = (value / 2).quantize(D("0.01"))
    lands = (worth(half, use),) if with_land else ()
    blds = (BuildingPortion(D(1), value - half if with_land else value, use),)
    return Taxpayer(kind, (Property("P", lands, blds, house_registration=home, years_vacant=years_vacant),))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(CASES), money, money, years, st.integers(0, 30))
def test_tax_monotone_in_value_within_a_category(
    case: tuple[TaxpayerKind, Use, bool, bool], v1: D, v2: D, year: int, years_vacant: int
) -> None:
    kind, use, with_land, home = case
    lo, hi = sorted((v1, v2))
    rules = ALL_RULES[year]
    a_lo = assess(_single(kind, use, with_land, home, lo, years_vacant), rules)
    a_hi = assess(_single(kind, use, with_land, home, hi, years_vacant), rules)
    assert a_lo.value == lo and a_hi.value == hi
    assert a_lo.total <= a_hi.total
    assert 0 <= a_lo.exemption <= lo and 0 <= a_hi.exemption <= hi
    assert a_lo.exemption <= a_hi.exemption


@settings(max_examples=75, deadline=None)
@given(st.integers(0, 200_000_000_00).map(lambda n: D(n).scaleb(-2)))
def test_other_schedule_matches_closed_form(value: D) -> None:
    """An independent oracle for the first two 'other' brackets of a company."""
    a = assess(one(JUR, worth(value, Use.OTHER)), R2026)
    if value <= 50_000_000:
        expected = round_money(value * D("0.003"))
    else:
        expected = D("150000.00") + round_money((value - 50_000_000) * D("0.004"))
    assert a.total == expected


@st.composite
def partitions(draw: st.DrawFn) -> list[Fraction]:
    """2-5 positive shares adding up to exactly 1."""
    n = draw(st.integers(2, 5))
    weights = draw(st.lists(st.integers(1, 1000), min_size=n, max_size=n))
    total = sum(weights)
    return [Fraction(w, total) for w in weights]


@settings(max_examples=75, deadline=None)
@given(st.integers(0, 10**11).map(lambda n: D(n).scaleb(-2)), partitions())
def test_co_owned_property_split_by_share_sums_back(value: D, parts: list[Fraction]) -> None:
    split = split_by_shares(value, parts)
    assert sum(split, D(0)) == value
    assert all(
        abs(Fraction(s) - Fraction(value) * p) < Fraction(1, 100) for s, p in zip(split, parts, strict=True)
    )
    # Each co-owner is assessed on his own share: values round to within half a satang each.
    owners = [assess(one(JUR, worth(value, Use.OTHER, ownership_share=p)), R2026) for p in parts]
    owner_values = [a.value for a in owners]
    assert all(
        abs(Fraction(v) - Fraction(value) * p) <= Fraction(1, 200)
        for v, p in zip(owner_values, parts, strict=True)
    )
    assert abs(sum(owner_values, D(0)) - value) <= D("0.005") * len(parts)
    # Progressive rates: the co-owners together never pay more than one owner of the whole (but rounding).
    whole = assess(one(JUR, worth(value, Use.OTHER)), R2026).total
    owners_tax = sum((a.total for a in owners), D(0))
    assert owners_tax <= whole + D("0.01") * len(parts)
    if value <= 50_000_000:  # one flat bracket: the shares' taxes add back up to the whole's
        assert abs(owners_tax - whole) <= D("0.01") * len(parts)


@settings(max_examples=60, deadline=None)
@given(money)
def test_installments_add_up(total: D) -> None:
    plan = installment_schedule(total, R2026)
    assert sum((i.amount for i in plan), D(0)) == total
    if total >= 3000:
        assert len(plan) == 3
        assert plan[1].amount == plan[2].amount
        assert 0 <= plan[0].amount - plan[1].amount < D("0.03")
    else:
        assert len(plan) == (1 if total > 0 else 0)


@settings(max_examples=60, deadline=None)
@given(money, st.integers(0, 200))
def test_surcharge_bounded_and_monotone(amount: D, months: int) -> None:
    s = surcharge(amount, months, R2026)
    assert 0 <= s <= round_money(amount * months / 100) + D("0.01")
    assert s <= surcharge(amount, months + 1, R2026)


def test_random_taxpayers_reach_every_schedule() -> None:
    """Guard: the random taxpayers above reach each schedule, so the invariants are tested on all of them.

    (Values far above the exemptions are the monotonicity test's job: its cases cover every schedule.)
    """
    for schedule in Schedule:
        found = find(
            taxpayers(),
            lambda tp, schedule=schedule: any(
                g.schedule is schedule and g.value > 0 for g in assess(tp, R2026).groups
            ),
            settings=settings(max_examples=5000, database=None, phases=[Phase.generate]),
        )
        assert found.properties
