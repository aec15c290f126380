"""Tax quote requests: the documented examples reproduce DOMAIN.md, and bad requests say what is wrong."""

from __future__ import annotations

import copy
import json
from decimal import Decimal as D
from fractions import Fraction
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taxes.engine import Schedule, TaxpayerKind, Use
from taxes.quote import (
    QuoteError,
    assessment_to_dict,
    load_request,
    loads_request,
    parse_quote_request,
    quote,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"

# file -> (total value of the taxpayer's share, tax, number of installments); from DOMAIN.md's worked examples
EXPECTED = {
    "tax_quote_ex1_land_value.json": ("780000.00", "0.00", 0),
    "tax_quote_ex2_commercial_company.json": ("60000000.00", "190000.00", 3),
    "tax_quote_ex3_home_60m.json": ("60000000.00", "3000.00", 3),
    "tax_quote_ex4_second_home.json": ("5000000.00", "1000.00", 1),
    "tax_quote_ex5_home_8m.json": ("8000000.00", "0.00", 0),
    "tax_quote_ex6_agricultural_company.json": ("10000000.00", "1000.00", 1),
    "tax_quote_ex7a_vacant_year1.json": ("10000000.00", "30000.00", 3),
    "tax_quote_ex7b_vacant_year4.json": ("10000000.00", "60000.00", 3),
    "tax_quote_ex8_mixed_use.json": ("10000000.00", "13200.00", 3),
    "tax_quote_ex9_commercial_2020.json": ("60000000.00", "19000.00", 3),
    "tax_quote_co_owned_half.json": ("5000000.00", "1000.00", 1),
    # Supreme Court 3227/2568: the taxpayer's half of the unit's value, half of its one-exemption tax
    "tax_quote_co_owned_home_dika_3227_2568.json": ("48807544.50", "9403.77", 3),
    "tax_quote_2023_special_reductions.json": ("20000000.00", "15750.00", 3),
    "tax_quote_wooden_house_treasury_table.json": ("700000.00", "140.00", 1),
}


def test_every_example_file_is_checked() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("tax_quote_*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_examples_reproduce_domain_worked_examples(name: str) -> None:
    value, total, n_installments = EXPECTED[name]
    result = quote(load_request(EXAMPLES / name))
    assert result["value"] == value
    assert result["total"] == total
    assert len(result["installments"]) == n_installments
    assert sum(D(i["amount"]) for i in result["installments"]) == (D(total) if n_installments else 0)
    assert sum(D(line["amount"]) for line in result["lines"]) == D(total)
    json.dumps(result)  # plain JSON: no Decimal, no Fraction left


def test_example_details() -> None:
    ex3 = quote(load_request(EXAMPLES / "tax_quote_ex3_home_60m.json"))
    assert [(line["code"], line["base"], line["amount"]) for line in ex3["lines"]] == [
        ("exemption.residential_home_land_and_building", "50000000.00", "0.00"),
        ("rate.residential_home_land_and_building.1", "10000000.00", "3000.00"),
    ]
    # 2026's dates as moved by the Interior Ministry (two months): June, July, August
    assert [i["due_date"] for i in ex3["installments"]] == ["2026-06-30", "2026-07-31", "2026-08-31"]
    ex8 = quote(load_request(EXAMPLES / "tax_quote_ex8_mixed_use.json"))
    assert [(v["use"], v["use_share"], v["value"]) for v in ex8["valuations"]] == [
        ("residential", "0.6", "6000000.00"),
        ("other", "0.4", "4000000.00"),
    ]
    ex9 = quote(load_request(EXAMPLES / "tax_quote_ex9_commercial_2020.json"))
    assert ex9["lines"][-1]["code"] == "reduction.year"
    assert ex9["lines"][-1]["amount"] == "-171000.00"
    assert ex9["year_be"] == 2563
    ex1 = quote(load_request(EXAMPLES / "tax_quote_ex1_land_value.json"))
    assert ex1["valuations"][0]["text_th"].endswith("= 780,000.00 บาท")


def base_request() -> dict[str, Any]:
    return {
        "schema": "pangmu.tax_quote/1",
        "year": 2026,
        "taxpayer": {"kind": "individual", "id": "X", "name": "นาย ทดสอบ"},
        "properties": [
            {
                "ref": "01A001",
                "house_registration": True,
                "land": [{"area": "0-2-0", "price_per_sq_wah": "5000", "use": "residential"}],
                "buildings": [
                    {
                        "floor_area_m2": "120",
                        "cost_per_m2": "8000",
                        "depreciation_percent": "10",
                        "use": "residential",
                    }
                ],
            }
        ],
    }


def test_parse_builds_engine_inputs() -> None:
    taxpayer, rules = parse_quote_request(base_request())
    assert taxpayer.kind is TaxpayerKind.INDIVIDUAL
    assert rules.year == 2026
    prop = taxpayer.properties[0]
    assert prop.land[0].area_sq_wah == D(200)
    assert prop.buildings[0].depreciation_percent == D(10)
    assert prop.house_registration is True


def test_uses_and_co_ownership_split() -> None:
    req = base_request()
    req["properties"][0]["ownership_share"] = "1/3"
    req["properties"][0]["land"][0] = {
        "area_sq_wah": "300",
        "price_per_sq_wah": "1000",
        "uses": [{"use": "agricultural", "share": "2/3"}, {"use": "residential", "share": "1/3"}],
    }
    taxpayer, rules = parse_quote_request(req)
    prop = taxpayer.properties[0]
    assert prop.share == Fraction(1, 3) and prop.co_owned  # the taxpayer's third of the whole property
    lands = prop.land
    assert [(p.use, str(p.use_share), str(p.ownership_share)) for p in lands] == [
        (Use.AGRICULTURAL, "2/3", "1"),
        (Use.RESIDENTIAL, "1/3", "1"),
    ]
    assert lands[0].ref == lands[1].ref  # one parcel, two uses
    result = quote(req)
    land_values = [v["value"] for v in result["valuations"] if v["code"] == "value.land"]
    assert land_values == ["200000.00", "100000.00"]  # the whole property, judged as a whole
    assert result["co_owned"][0]["share"] == "1/3"
    # an item of a co-owned property cannot carry a share of its own
    req["properties"][0]["buildings"][0]["ownership_share"] = "1"
    with pytest.raises(QuoteError, match="give the items whole"):
        parse_quote_request(req)


def test_rule_overrides() -> None:
    req = base_request()
    req["taxpayer"]["kind"] = "juristic"
    req["properties"] = [
        {"ref": "A", "land": [{"area_sq_wah": "1", "price_per_sq_wah": "30000000", "use": "other"}]},
        {"ref": "B", "land": [{"area_sq_wah": "1", "price_per_sq_wah": "30000000", "use": "other"}]},
    ]
    assert quote(req)["total"] == "190000.00"
    req["rules"] = {"aggregate_by_category": False}
    assert quote(req)["total"] == "180000.00"
    req["rules"] = {"reduction_percent": "50", "installments": {"count": 2}}
    result = quote(req)
    assert result["total"] == "95000.00"
    assert [i["amount"] for i in result["installments"]] == ["47500.00", "47500.00"]


def test_json_numbers_read_as_decimal() -> None:
    text = json.dumps(base_request()).replace('"5000"', "5000.10")
    data = loads_request(text)
    taxpayer, _ = parse_quote_request(data)
    assert taxpayer.properties[0].land[0].price_per_sq_wah == D("5000.10")


def mutate(path: str, value: Any) -> dict[str, Any]:
    """The base request with one field set (None deletes it); path like 'properties.0.land.0.use'."""
    req = copy.deepcopy(base_request())
    *parents, last = path.split(".")
    node: Any = req
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is None:
        node.pop(last, None)
    else:
        node[last] = value
    return req


@pytest.mark.parametrize(
    ("path", "value", "where", "message"),
    [
        ("year", None, "year", "required"),
        ("year", 2569, "year", "not BE"),
        ("year", 2019, "year", "starts with tax year 2020"),
        ("schema", "other/9", "schema", "unsupported schema"),
        ("extra", 1, "extra", "unknown field"),
        ("taxpayer.kind", "company", "taxpayer.kind", "individual"),
        ("properties", [], "properties", "non-empty"),
        ("properties.0.ref", None, "properties[0].ref", "required"),
        ("properties.0.house_registration", "yes", "properties[0].house_registration", "true or false"),
        ("properties.0.years_vacant", -1, "properties[0].years_vacant", ">= 0"),
        ("properties.0.land.0.use", "commercial", "properties[0].land[0].use", "unknown use"),
        ("properties.0.land.0.price_per_sq_wah", 5000.5, "properties[0].land[0].price_per_sq_wah", "strings"),
        ("properties.0.land.0.price_per_sq_wah", "-1", "properties[0].land[0].price_per_sq_wah", "negative"),
        (
            "properties.0.land.0.price_per_sq_wah",
            "abc",
            "properties[0].land[0].price_per_sq_wah",
            "not a number",
        ),
        ("properties.0.land.0.price_per_sq_wah", None, "properties[0].land[0].price_per_sq_wah", "required"),
        ("properties.0.land.0.area", "1-5-0", "properties[0].land[0].area", "ngan"),
        ("properties.0.land.0.area_sq_wah", "200", "properties[0].land[0]", "either"),
        ("properties.0.land.0.ownership_share", "3/2", "properties[0].land[0].ownership_share", "at most 1"),
        ("properties.0.land.0.ownership_share", "0", "properties[0].land[0].ownership_share", "more than 0"),
        (
            "properties.0.buildings.0.depreciation_percent",
            "120",
            "properties[0].buildings[0].depreciation",
            "0-100",
        ),
        (
            "properties.0.buildings.0.floor_area",
            "1",
            "properties[0].buildings[0].floor_area",
            "unknown field",
        ),
        ("rules", {"reduction_percent": "150"}, "rules", "0-100"),
        ("rules", {"year": 2025}, "rules.year", "top level"),
    ],
)
def test_validation_errors_name_the_field(path: str, value: Any, where: str, message: str) -> None:
    with pytest.raises(QuoteError) as info:
        parse_quote_request(mutate(path, value))
    assert any(p.startswith(where) and message in m for p, m in info.value.problems), info.value.problems
    assert where in str(info.value)


def test_uses_must_add_up_to_one() -> None:
    req = mutate("properties.0.land.0.use", None)
    req["properties"][0]["land"][0]["uses"] = [
        {"use": "residential", "share": "0.6"},
        {"use": "other", "share": "0.3"},
    ]
    with pytest.raises(QuoteError, match=r"add up to 1, they add up to 9/10"):
        parse_quote_request(req)
    req["properties"][0]["land"][0]["use"] = "other"
    with pytest.raises(QuoteError, match="either"):
        parse_quote_request(req)


def test_domain_rules_checked_by_the_engine_are_reported() -> None:
    req = base_request()
    req["taxpayer"]["kind"] = "juristic"
    with pytest.raises(QuoteError, match="individuals only"):
        parse_quote_request(req)
    req = base_request()
    req["properties"].append(copy.deepcopy(req["properties"][0]))
    with pytest.raises(QuoteError, match="used more than once"):
        parse_quote_request(req)
    req["properties"][1]["ref"] = "01A002"
    with pytest.raises(QuoteError, match="one place"):
        parse_quote_request(req)


def test_all_problems_reported_together() -> None:
    req = base_request()
    req["year"] = "2026"
    req["properties"][0]["land"][0]["use"] = "shop"
    req["properties"][0]["buildings"][0]["cost_per_m2"] = "x"
    with pytest.raises(QuoteError) as info:
        parse_quote_request(req)
    assert [p for p, _ in info.value.problems] == [
        "year",
        "properties[0].land[0].use",
        "properties[0].buildings[0].cost_per_m2",
    ]
    assert "3 problem(s)" in str(info.value)


def test_not_an_object() -> None:
    with pytest.raises(QuoteError, match="JSON object"):
        parse_quote_request([])  # type: ignore[arg-type]
    with pytest.raises(QuoteError, match="not valid JSON"):
        loads_request("{")
    with pytest.raises(QuoteError, match="cannot read"):
        load_request("/nonexistent/request.json")


def test_assessment_to_dict_types() -> None:
    from taxes.engine import assess

    taxpayer, rules = parse_quote_request(base_request())
    out = assessment_to_dict(assess(taxpayer, rules))
    assert "installments" not in out
    assert out["groups"][0]["schedule"] == Schedule.RESIDENTIAL_HOME_LAND_AND_BUILDING.value
    for line in out["lines"]:
        assert all(isinstance(line[k], str) for k in ("base", "rate_percent", "amount", "text_th", "text_en"))
    assert json.loads(json.dumps(out, ensure_ascii=False)) == out


def test_management_command_prints_json_and_fails_cleanly(tmp_path: Path) -> None:
    pytest.importorskip("django")
    from django.core.management.base import CommandError

    from taxes.management.commands.tax_quote import Command

    out = StringIO()
    Command(stdout=out).handle(file=str(EXAMPLES / "tax_quote_ex2_commercial_company.json"), indent=2)
    assert json.loads(out.getvalue())["total"] == "190000.00"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(mutate("properties.0.land.0.use", "shop")), encoding="utf-8")
    with pytest.raises(CommandError, match=r"properties\[0\]\.land\[0\]\.use"):
        Command(stdout=StringIO()).handle(file=str(bad), indent=2)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 10**9)
    | st.text(max_size=8)
    | st.sampled_from(["1/2", "0-1-0", "other"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=75, deadline=None)
@given(st.data())
def test_any_malformed_request_gives_quote_error_only(data: st.DataObject) -> None:
    """Fuzz: swap one field of a valid request for arbitrary JSON; the result is a quote or a QuoteError."""
    req = base_request()
    paths = [
        "year",
        "taxpayer",
        "taxpayer.kind",
        "properties",
        "properties.0",
        "properties.0.ref",
        "properties.0.land",
        "properties.0.land.0",
        "properties.0.land.0.use",
        "properties.0.land.0.area",
        "properties.0.buildings.0.cost_per_m2",
        "properties.0.ownership_share",
        "rules",
    ]
    req = mutate(data.draw(st.sampled_from(paths)), data.draw(json_values))
    try:
        result = quote(req)
    except QuoteError as exc:
        assert exc.problems
    else:
        assert D(result["total"]) >= 0
