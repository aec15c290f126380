"""Every worked example of DOMAIN.md and every case with a source, exact to the satang, twice: through
``tax_quote`` (the request JSON) and through the yearly run over a register holding the same facts.

Each case names its source. A case is one property (a parcel, its uses, perhaps a house on it) with
its owners (kind, share, house registration there); the expected figure is each owner's tax.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal as D
from typing import Any

import pytest

from parcels import services as reg
from parcels.services import LandUseShare
from taxes import services
from taxes.models import Assessment, BuildingCost, LandPrice, SpecialReductionRecord
from taxes.quote import quote
from tests.conftest import utm_point, utm_rect


@dataclass
class Owner:
    kind: str  # individual | juristic
    share: str = "1"
    registered: bool = False  # house registration in the house on the property, on 1 January
    tax: str = "0.00"  # expected


@dataclass
class House:
    floor_m2: str
    cost_per_m2: str
    material: str = "concrete"
    age: int = 0
    use: str = "residential"
    uses: list[tuple[str, str]] = field(default_factory=list)  # (use, percent of the floor area)
    special: str = ""  # a special reduction recorded on the building itself


@dataclass
class Case:
    name: str
    source: str
    year: int
    sq_wah: str
    price: str
    uses: list[tuple[str, str]]  # (use, percent of the area)
    owners: list[Owner]
    house: House | None = None
    years_vacant: int = 0
    special: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


PERSON, COMPANY = "individual", "juristic"
M = "000000"

CASES = [
    Case("ex1", "DOMAIN.md example 1: 1-2-50 = 650 sq wah x 1,200 = 780,000 (farm land of a person: exempt)",
         2026, "650", "1200", [("agricultural", "100")], [Owner(PERSON, tax="0.00")]),
    Case("ex2", "DOMAIN.md example 2: company, other, 60 M: 50 M x 0.3 % + 10 M x 0.4 %",
         2026, "400", "150000", [("other", "100")], [Owner(COMPANY, tax="190000.00")]),
    Case("ex3", "DOMAIN.md example 3: a person's home (land 50 M + house 10 M), registered: 10 M x 0.03 %",
         2026, "400", "125000", [("residential", "100")], [Owner(PERSON, registered=True, tax="3000.00")],
         house=House("200", "50000")),
    Case("ex4", "DOMAIN.md example 4: a second home worth 5 M: x 0.02 %",
         2026, "100", "50000", [("residential", "100")], [Owner(PERSON, tax="1000.00")]),
    Case("ex5", "DOMAIN.md example 5: a registered home worth 8 M: below the 50 M exemption",
         2026, "100", "60000", [("residential", "100")], [Owner(PERSON, registered=True, tax="0.00")],
         house=House("100", "20000")),
    Case("ex6", "DOMAIN.md example 6: a company's farm land worth 10 M: x 0.01 %",
         2026, "10000", "1000", [("agricultural", "100")], [Owner(COMPANY, tax="1000.00")]),
    Case("ex7a", "DOMAIN.md example 7: vacant 10 M, 1st-3rd year unused: x 0.3 %",
         2026, "1000", "10000", [("vacant", "100")], [Owner(COMPANY, tax="30000.00")], years_vacant=1),
    Case("ex7b", "DOMAIN.md example 7: vacant 10 M, 4th year unused: x 0.6 %",
         2026, "1000", "10000", [("vacant", "100")], [Owner(COMPANY, tax="60000.00")], years_vacant=4),
    Case("vacant-2020", "Sec. 37, counted from 2020: unused 10 years by 2026 counts 7: 2 steps, 0.3 + 0.6 %",
         2026, "1000", "10000", [("vacant", "100")], [Owner(COMPANY, tax="90000.00")], years_vacant=10),
    Case("ex8", "DOMAIN.md example 8: 1,000 sq wah x 10,000, 60 % second home + 40 % shop, a company",
         2026, "1000", "10000", [("residential", "60"), ("other", "40")], [Owner(COMPANY, tax="13200.00")]),
    Case("ex9", "DOMAIN.md example 9 and RD B.E. 2563 (Gazette 10 Jun 2020): 2020, 90 % off 190,000",
         2020, "400", "150000", [("other", "100")], [Owner(COMPANY, tax="19000.00")]),
    Case("rd2564", "RD (No. 2) B.E. 2564 (Gazette 31 Jan 2021): 90 % off in 2021",
         2021, "400", "150000", [("other", "100")], [Owner(COMPANY, tax="19000.00")]),
    Case("y2022", "No reduction in 2022 (no decree found): example 2 in full",
         2022, "400", "150000", [("other", "100")], [Owner(COMPANY, tax="190000.00")]),
    Case("rd2566", "RD (No. 3) B.E. 2566 (Gazette 19 Mar 2023): 15 % off in 2023: 190,000 x 0.85",
         2023, "400", "150000", [("other", "100")], [Owner(COMPANY, tax="161500.00")]),
    Case("rd2566-50", "RD B.E. 2563 s.3 (power plant land, 50 %) with 2023's 15 %: pays 42.5 % of 30,000",
         2023, "1000", "10000", [("other", "100")], [Owner(COMPANY, tax="12750.00")], special="rd2563.s3.2"),
    Case("rd2566-90", "RD B.E. 2563 s.4 (held for sale by a bank, 90 %): no 15 % on top in 2023",
         2023, "1000", "10000", [("other", "100")], [Owner(COMPANY, tax="3000.00")], special="rd2563.s4.2"),
    Case("rd2563-50", "RD B.E. 2563 s.3 in 2026 (no general reduction): 50 % of 30,000",
         2026, "1000", "10000", [("other", "100")], [Owner(COMPANY, tax="15000.00")], special="rd2563.s3.2"),
    Case("sec96-2022", "Sec. 96: a person's farm land fully exempt in 2020-2022, even 100 M",
         2022, "100000", "1000", [("agricultural", "100")], [Owner(PERSON, tax="0.00")]),
    Case("sec96-2023", "Sec. 40 from 2023: a person's 100 M farm: 50 M exempt, 50 M x 0.01 %, less 15 %",
         2023, "100000", "1000", [("agricultural", "100")], [Owner(PERSON, tax="4250.00")]),
    Case("sec40-2026", "Sec. 40: 100 M farm of a person in 2026: 5,000",
         2026, "100000", "1000", [("agricultural", "100")], [Owner(PERSON, tax="5000.00")]),
    Case("dika3227", "Supreme Court 3227/2568: a home of two co-owners, both registered, 97,615,089 "
         "baht: ONE 50 M exemption; 25 M x 0.03 % + 22,615,089 x 0.05 % = 18,807.54, shared",
         2025, "1", "97615089", [("residential", "100")],
         [Owner(PERSON, "1/2", True, "9403.77"), Owner(PERSON, "1/2", True, "9403.77")],
         house=House("1", "0")),
    Case("co-other", "Co-owned shop land 60 M, a third each: the whole property's 190,000 shared",
         2026, "400", "150000", [("other", "100")],
         [Owner(COMPANY, "1/3", tax="63333.34"), Owner(COMPANY, "1/3", tax="63333.33"),
          Owner(COMPANY, "1/3", tax="63333.33")]),
    Case("wood10", "LAO manual: a wooden house of 10 years, 40 % depreciated (Treasury table); 2nd home",
         2026, "100", "1000", [("residential", "100")], [Owner(PERSON, tax="140.00")],
         house=House("100", "10000", "wood", 10)),
    # Hand computations from the rules of DOMAIN.md (rate table, exemptions, depreciation table), each
    # slice at its own rate; none of these figures came from the engine.
    Case("agri-co-100M", "Rate table, agricultural: a company's 100 M farm: 75 M x 0.01 % + 25 M x 0.03 %",
         2026, "100000", "1000", [("agricultural", "100")], [Owner(COMPANY, tax="15000.00")]),
    Case("res-other-80M", "Rate table, residential other: 80 M: 50 M x 0.02 % + 25 M x 0.03 % + 5 M x 0.05 %",
         2026, "8000", "10000", [("residential", "100")], [Owner(PERSON, tax="20000.00")]),
    Case("other-300M", "Rate table, other: 300 M: 50 M x 0.3 % + 150 M x 0.4 % + 100 M x 0.5 %",
         2026, "30000", "10000", [("other", "100")], [Owner(COMPANY, tax="1250000.00")]),
    Case("vacant-60M", "Rate table, vacant = other's brackets: 60 M unused the 1st year: as example 2",
         2026, "6000", "10000", [("vacant", "100")], [Owner(COMPANY, tax="190000.00")], years_vacant=1),
    Case("vacant-2023", "Sec. 37 from 2020 + RD No. 3 B.E. 2566: 10 M unused 2020-2023 (4th year): "
         "x 0.6 % = 60,000, less 15 %", 2023, "1000", "10000", [("vacant", "100")],
         [Owner(PERSON, tax="51000.00")], years_vacant=4),
    Case("home-2020", "Example 3 in 2020: 3,000 less the 90 % of RD B.E. 2563",
         2020, "400", "125000", [("residential", "100")], [Owner(PERSON, registered=True, tax="300.00")],
         house=House("200", "50000")),
    Case("home-shop", "Sec. 41 + apportionment by area (Sec. 37): a registered home 60 % dwelling, "
         "40 % shop; land 30 M + building 9 M: dwelling 23.4 M exempt, shop 15.6 M x 0.3 %",
         2026, "100", "300000",
         [("residential", "60"), ("other", "40")], [Owner(PERSON, registered=True, tax="46800.00")],
         house=House("300", "30000", uses=[("residential", "60"), ("other", "40")])),
    Case("dika-one-registered", "3227/2568 with one owner not registered there: each owner with his own "
         "status on the whole unit; 18,807.54 / 2 and (10,000 + 7,500 + 11,307.54) / 2",
         2025, "1", "97615089", [("residential", "100")],
         [Owner(PERSON, "1/2", True, "9403.77"), Owner(PERSON, "1/2", False, "14403.77")],
         house=House("1", "0")),
    Case("co-company-person", "Co-owned 60 M home, half a company's, half a registered person's: "
         "(10,000 + 3,000) / 2 and 3,000 / 2", 2026, "400", "125000", [("residential", "100")],
         [Owner(COMPANY, "1/2", tax="6500.00"), Owner(PERSON, "1/2", True, "1500.00")],
         house=House("200", "50000")),
    Case("concrete50", "Treasury table: concrete, 50 years: 76 % (cap from 43 years); 2nd home: "
         "(100,000 + 240,000) x 0.02 %", 2026, "100", "1000", [("residential", "100")],
         [Owner(PERSON, tax="68.00")], house=House("100", "10000", "concrete", 50)),
    Case("concrete25", "Treasury table: concrete, 25 years: 36 % at 23 + 2 a year = 40 %; "
         "(100,000 + 600,000) x 0.02 %", 2026, "100", "1000", [("residential", "100")],
         [Owner(PERSON, tax="140.00")], house=House("100", "10000", "concrete", 25)),
    Case("mixed18", "Treasury table: half concrete, 18 years: 65 %; (100,000 + 350,000) x 0.02 %",
         2026, "100", "1000", [("residential", "100")], [Owner(PERSON, tax="90.00")],
         house=House("100", "10000", "mixed", 18)),
    Case("rd2563-building", "RD B.E. 2563 s.3 (2) (power plant buildings, 50 %) recorded on the building "
         "alone: land 30 M + building 30 M of a company, 190,000, the building's half (95,000) halved",
         2026, "300", "100000", [("other", "100")], [Owner(COMPANY, tax="142500.00")],
         house=House("1500", "20000", use="other", special="rd2563.s3.2")),
]  # fmt: skip


def _request(case: Case, owner_index: int) -> dict[str, Any]:
    me = case.owners[owner_index]
    prop: dict[str, Any] = {
        "ref": "P1",
        "years_vacant": case.years_vacant,
        "land": [
            {
                "area_sq_wah": case.sq_wah,
                "price_per_sq_wah": case.price,
                "uses": [{"use": u, "share": str(D(p) / 100)} for u, p in case.uses],
                **({"special_reduction": case.special} if case.special else {}),
            }
        ],
    }
    if case.house:
        prop["buildings"] = [
            {
                "floor_area_m2": case.house.floor_m2,
                "cost_per_m2": case.house.cost_per_m2,
                "material": case.house.material,
                "age_years": case.house.age,
                **({"special_reduction": case.house.special} if case.house.special else {}),
                **(
                    {"uses": [{"use": u, "share": str(D(p) / 100)} for u, p in case.house.uses]}
                    if case.house.uses
                    else {"use": case.house.use}
                ),
            }
        ]
    if len(case.owners) > 1:
        prop["owners"] = [
            {"ref": f"o{i}", "share": o.share, "kind": o.kind, "house_registration": o.registered}
            for i, o in enumerate(case.owners)
        ]
    else:
        prop["house_registration"] = me.registered
    return {"year": case.year, "taxpayer": {"kind": me.kind, "id": f"o{owner_index}"}, "properties": [prop]}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_quote(case: Case) -> None:
    for i, owner in enumerate(case.owners):
        result = quote(_request(case, i))
        assert result["total"] == owner.tax, (case.source, i, result["lines"])
        if len(case.owners) > 1:
            [co] = result["co_owned"]
            assert [o["tax"] for o in co["owners"]] == [o.tax for o in case.owners], case.source


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_yearly_run(case: Case, pangmu, village) -> None:
    ty = services.tax_year_create(organisation=pangmu, year=case.year)
    sq = D(case.sq_wah)
    parcel = reg.parcel_create(
        organisation=pangmu,
        village=village,
        code="01A001",
        geom=utm_rect(0, 0, 60, 60),
        declared_rai=int(sq // 400),
        declared_ngan=int(sq % 400 // 100),
        declared_wah=sq % 100,
        land_uses=[LandUseShare(u, D(p), case.years_vacant) for u, p in case.uses],
    )
    LandPrice.objects.create(tax_year=ty, parcel=parcel, price_per_sq_wah=D(case.price))
    if case.special:
        SpecialReductionRecord.objects.create(organisation=pangmu, parcel=parcel, code=case.special)
    house = None
    if case.house:
        house = reg.building_create(
            parcel=parcel,
            footprint=utm_rect(10, 10, 10, 10),
            building_type="house",
            material=case.house.material,
            floor_area_m2=D(case.house.floor_m2),
            year_built=case.year - case.house.age,
            uses=[LandUseShare(u, D(p)) for u, p in (case.house.uses or [(case.house.use, "100")])],
        )
        BuildingCost.objects.create(tax_year=ty, building_type="house", cost_per_m2=D(case.house.cost_per_m2))
        if case.house.special:
            SpecialReductionRecord.objects.create(
                organisation=pangmu, building=house, code=case.house.special
            )
        household = reg.household_create(
            organisation=pangmu, house_number="1", location=utm_point(15, 15), building=house
        )
    parties = []
    for i, owner in enumerate(case.owners):
        if owner.kind == PERSON:
            party = reg.party_create(
                organisation=pangmu, kind="person", first_name=f"เจ้าของ{i}", last_name="ทดสอบ"
            )
        else:
            party = reg.party_create(organisation=pangmu, kind="juristic", juristic_name=f"บริษัท {i} จำกัด")
        if owner.registered:
            party.household = household
            party.save(update_fields=["household"])
        num, _, den = owner.share.partition("/")
        reg.parcel_right_add(
            parcel=parcel, party=party, share_numerator=int(num), share_denominator=int(den or 1)
        )
        if house is not None:
            reg.building_right_add(
                building=house, party=party, share_numerator=int(num), share_denominator=int(den or 1)
            )
        parties.append(party)
    services.assess_year(organisation=pangmu, year=case.year)
    totals = [str(Assessment.objects.get(tax_year=ty, party=p).total) for p in parties]
    assert totals == [o.tax for o in case.owners], case.source


@pytest.mark.parametrize(
    ("registered", "tax"),
    [(True, "0.00"), (False, "1200.00")],
)
def test_quote_condominium_unit(registered: bool, tax: str) -> None:
    """LAO manual p.62: a unit is its area x the Treasury's unit price, no depreciation; the owner's
    registered home gets the 50 M exemption of Sec. 41; otherwise a second home at 0.02 %."""
    result = quote(
        {
            "year": 2026,
            "taxpayer": {"kind": "individual"},
            "properties": [
                {
                    "ref": "C-1201",
                    "house_registration": registered,
                    "condo_units": [{"area_m2": "60", "price_per_m2": "100000", "use": "residential"}],
                }
            ],
        }
    )
    assert result["value"] == "6000000.00" and result["total"] == tax
    assert result["valuations"][0]["code"] == "value.condo"
    assert result["valuations"][0]["schedule"] == (
        "residential_home_land_and_building" if registered else "residential_other"
    )


@pytest.mark.parametrize(
    ("reminder", "paid_on", "penalty", "surcharge"),
    [
        (None, "2026-06-30", "0.00", "0.00"),  # on time
        # late, no reminder: 10 % (Sec. 68) of what is in arrears (the 1st installment only), 1 month
        (None, "2026-07-01", "6333.33", "633.33"),
        (
            {"issued_on": "2026-09-10", "pay_by": "2026-10-10"},
            "2026-10-01",
            "19000.00",
            "5700.00",
        ),  # not received
        (
            {"issued_on": "2026-09-10", "pay_by": "2026-10-10", "received_on": "2026-09-15"},
            "2026-10-01",
            "38000.00",  # within the reminder's time: 20 % (Sec. 69)
            "5700.00",  # 4 + 3 + 2 months of the three installments at 1 % (Sec. 70), never on the penalty
        ),
        (
            {"issued_on": "2026-09-10", "pay_by": "2026-10-10", "received_on": "2026-09-15"},
            "2026-10-11",
            "76000.00",  # after its time: 40 % (Sec. 68)
            "5700.00",  # still 4 + 3 + 2 months (a part of a month counts as one: 31 Oct would be 5)
        ),
    ],
)
def test_quote_late_payment_sec_68_70(reminder, paid_on, penalty, surcharge) -> None:
    """Example 2 (190,000 in three installments due 30 Jun, 31 Jul, 31 Aug 2026) paid late."""
    request = _request(CASES[1], 0)
    request["late_payment"] = {"paid_on": paid_on, "reminder": reminder}
    late = quote(request)["late_payment"]
    assert (late["tax"], late["penalty"], late["surcharge"]) == ("190000.00", penalty, surcharge)
    assert D(late["total"]) == D("190000.00") + D(penalty) + D(surcharge)


@pytest.mark.parametrize(
    ("floor_m2", "tax"),
    [
        ("300", "1000.00"),  # 15 M: 10 M exempt (Sec. 42), 5 M x 0.02 %
        ("1200", "11000.00"),  # 60 M: 10 M exempt, 40 M x 0.02 % + 10 M x 0.03 % (the 50-75 M bracket)
        ("100", "0.00"),  # 5 M: under the 10 M exemption
    ],
)
def test_quote_house_only_with_registration_sec_42(floor_m2: str, tax: str) -> None:
    """Sec. 42 and the rate table (house only, registered: 10-50 M 0.02 %, 50-75 M 0.03 %, ...): a
    person owns the house, not the land under it, and lives there; the house at 50,000 baht/m²."""
    result = quote(
        {
            "year": 2026,
            "taxpayer": {"kind": "individual"},
            "properties": [
                {
                    "ref": "H",
                    "house_registration": True,
                    "buildings": [{"floor_area_m2": floor_m2, "cost_per_m2": "50000", "use": "residential"}],
                }
            ],
        }
    )
    assert result["total"] == tax, result["lines"]
    assert {g["schedule"] for g in result["groups"]} == {"residential_home_building_only"}


def test_quote_registered_condominium_unit_above_the_exemption() -> None:
    """LAO manual p. 62 with the home rates: a registered unit of 60 M: 50 M exempt, 10 M x 0.03 %."""
    unit = {"area_m2": "600", "price_per_m2": "100000", "use": "residential"}
    result = quote(
        {
            "year": 2026,
            "taxpayer": {"kind": "individual"},
            "properties": [{"ref": "C", "house_registration": True, "condo_units": [unit]}],
        }
    )
    assert (result["value"], result["exemption"]) == ("60000000.00", "50000000.00")
    assert result["total"] == "3000.00"
