"""The stored (compact) itemised assessment shows exactly what the engine wrote, texts included."""

from __future__ import annotations

import json
import random
from decimal import Decimal as D
from fractions import Fraction

import pytest

from taxes import itemised
from taxes.engine import (
    BuildingPortion,
    LandPortion,
    Property,
    Taxpayer,
    TaxpayerKind,
    Use,
    assess,
    render_text,
)
from taxes.quote import assessment_to_dict
from taxes.rules import default_rules_dict, rules_from_dict

USES = list(Use)
SHARES = [Fraction(1), Fraction(1, 2), Fraction(1, 3), Fraction(2, 5), Fraction(3, 4)]


def _taxpayer(rng: random.Random, n: int) -> Taxpayer:
    kind = rng.choice([TaxpayerKind.INDIVIDUAL, TaxpayerKind.JURISTIC])
    props = []
    home = rng.randrange(4) if kind is TaxpayerKind.INDIVIDUAL else -1
    for i in range(rng.randint(1, 4)):
        ref = f"{rng.randint(1, 9):02d}{'ABC'[i % 3]}{n:03d}{i}"
        own = rng.choice(SHARES)
        land = []
        split = rng.random() < 0.3
        uses = rng.sample(USES, 2) if split else [rng.choice(USES)]
        for j, use in enumerate(uses):
            land.append(
                LandPortion(
                    area_sq_wah=D(rng.randint(0, 4000)) + D(rng.randint(0, 99)) / 100,
                    price_per_sq_wah=D(rng.choice([150, 800, 1900, 25000, 60000])),
                    use=use,
                    use_share=(Fraction(3, 5) if j == 0 else Fraction(2, 5)) if split else 1,
                    ownership_share=own,
                    ref=ref if rng.random() < 0.8 else "",
                )
            )
        blds = []
        for b in range(rng.choice([0, 0, 1, 2])):
            blds.append(
                BuildingPortion(
                    floor_area_m2=D(rng.randint(20, 3000)),
                    cost_per_m2=D(rng.choice([2500, 7800, 9400])),
                    use=rng.choice([Use.RESIDENTIAL, Use.RESIDENTIAL, Use.OTHER, Use.AGRICULTURAL]),
                    depreciation_percent=D(rng.choice([0, 3, 17.5, 76])) if b else D("10"),
                    ownership_share=own,
                    ref=f"{ref}/{b + 1}",
                )
            )
        props.append(
            Property(
                ref=ref,
                land=tuple(land) if rng.random() < 0.9 else (),
                buildings=tuple(blds),
                house_registration=i == home,
                years_vacant=rng.choice([0, 1, 4, 7, 13, 40]),
            )
        )
    return Taxpayer(kind=kind, properties=tuple(props), id=str(n))


def _rules(year: int, aggregate: bool = True, reference: bool = True):
    data = default_rules_dict(year)
    data["aggregate_by_category"] = aggregate
    if not reference:
        for entry in data["schedules"].values():
            entry["exemption_reference"] = ""
    return rules_from_dict(data)


@pytest.mark.parametrize(
    "rules",
    [_rules(2020), _rules(2022), _rules(2026), _rules(2026, aggregate=False), _rules(2021, reference=False)],
    ids=["2020-reduction", "2022-transitional", "2026", "per-property", "no-reference"],
)
def test_stored_form_shows_exactly_what_the_engine_wrote(rules):
    rng = random.Random(rules.year * 7 + rules.aggregate_by_category)
    kinds: set[str] = set()
    for n in range(400):
        a = assess(_taxpayer(rng, n), rules)
        notes = [itemised.register_note("note.no_land_use", "01A001")] if n % 5 == 0 else []
        stored = json.loads(json.dumps(itemised.pack(a, notes)))  # as it comes back from the database
        expected = assessment_to_dict(a)
        expected["register_notes"] = [itemised.render_register_note(x) for x in notes]
        assert itemised.unpack(stored) == expected
        kinds.update(line[0] for line in stored["l"])
        assert len(json.dumps(stored, ensure_ascii=False).encode()) < len(
            json.dumps(expected, ensure_ascii=False).encode()
        )
    # every kind of line was stored compactly (none fell back to the whole-dict form)
    assert "x" not in kinds
    assert "r" in kinds


def test_texts_are_functions_of_code_and_arguments():
    a = assess(_taxpayer(random.Random(5), 1), _rules(2020))
    for item in (*a.valuations, *a.lines, *a.notes):
        assert render_text(item.code, item.text_args) == (item.text_th, item.text_en)


def test_register_notes_keep_their_texts():
    rendered = itemised.render_register_note(
        itemised.register_note("note.building_not_valued", "01A001", "1", "cost")
    )
    assert rendered == {
        "code": "note.building_not_valued",
        "property_ref": "01A001",
        "text_th": "อาคาร 01A001/1 ยังไม่ได้คิดภาษี: ไม่มีราคาค่าก่อสร้างของประเภทอาคารนี้",
        "text_en": "Building 01A001/1 is not taxed: no construction cost for its type",
    }
    with pytest.raises(KeyError):
        itemised.register_note("note.made_up", "01A001")


def test_rows_stored_before_the_compact_form_are_shown_as_they_are():
    old = {"schema": "pangmu.tax_quote.result/1", "lines": [{"code": "rate.other.1", "text_th": "x"}]}
    assert itemised.unpack(old) == old
    assert itemised.unpack(None) == {}
