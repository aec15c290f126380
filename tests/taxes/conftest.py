"""A tiny real register for the tax tests: five taxpayers whose taxes are known by hand.

- A (person): parcel 01A001, 1-0-0 (400 sq wah) residential at 1,000/sq wah, and his house on it
  (100 m² at 8,000/m², concrete built 2016: 10 years old, 10 % in the Treasury's table), house
  registration there: value 400,000 + 720,000 = 1,120,000, under the 50 M home exemption -> 0.
- B (company): 01A002, 1-0-0 "other" at 1,000 -> 400,000 x 0.3 % = 1,200 (one payment).
- C (company): 01B001, 10-0-0 vacant (first year) at 2,500 -> 10,000,000 x 0.3 % = 30,000 (3 x 10,000).
- D and E (persons): half each of 01A003, 2-0-0 agricultural at 1,000: the whole 800,000 is judged
  once (co-owned), under the 50 M exemption -> 0 each; each is shown a value of 400,000.

Notices of 2026 are issued in these tests on ISSUED_ON (1 March 2026), before the year's dates.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from parcels import services as reg
from parcels.services import LandUseShare
from taxes import services
from taxes.models import BuildingCost, LandPrice
from tests.conftest import utm_point, utm_rect

YEAR = 2026
ISSUED_ON = date(2026, 3, 1)


def _parcel(org, village, code, x, y, rai, use, years_unused=0):
    return reg.parcel_create(
        organisation=org,
        village=village,
        code=code,
        geom=utm_rect(x, y, 40, 40),
        declared_rai=rai,
        declared_ngan=0,
        declared_wah=D("0"),
        land_uses=[LandUseShare(use, D("100"), years_unused)],
    )


@pytest.fixture
def register(pangmu, village):
    pangmu.tax_id = "0994000158041"
    pangmu.save(update_fields=["tax_id"])
    a = reg.party_create(organisation=pangmu, kind="person", first_name="เอ", last_name="ทดสอบ")
    b = reg.party_create(organisation=pangmu, kind="juristic", juristic_name="บริษัท บี จำกัด")
    c = reg.party_create(organisation=pangmu, kind="juristic", juristic_name="บริษัท ซี จำกัด")
    d = reg.party_create(organisation=pangmu, kind="person", first_name="ดี", last_name="ทดสอบ")
    e = reg.party_create(organisation=pangmu, kind="person", first_name="อี", last_name="ทดสอบ")
    p1 = _parcel(pangmu, village, "01A001", 0, 0, 1, "residential")
    p2 = _parcel(pangmu, village, "01A002", 100, 0, 1, "other")
    p3 = _parcel(pangmu, village, "01B001", 200, 0, 10, "vacant", 1)
    p4 = _parcel(pangmu, village, "01A003", 300, 0, 2, "agricultural")
    house = reg.building_create(
        parcel=p1,
        footprint=utm_rect(10, 10, 10, 10),
        building_type="house",
        material="concrete",
        floor_area_m2=D("100"),
        year_built=2016,
        uses=[LandUseShare("residential", D("100"))],
    )
    hh = reg.household_create(
        organisation=pangmu, house_number="1", location=utm_point(15, 15), building=house
    )
    a.household = hh
    a.save(update_fields=["household"])
    reg.parcel_right_add(parcel=p1, party=a)
    reg.building_right_add(building=house, party=a)
    reg.parcel_right_add(parcel=p2, party=b)
    reg.parcel_right_add(parcel=p3, party=c)
    reg.parcel_right_add(parcel=p4, party=d, share_numerator=1, share_denominator=2)
    reg.parcel_right_add(parcel=p4, party=e, share_numerator=1, share_denominator=2)
    ty = services.tax_year_create(organisation=pangmu, year=YEAR)
    LandPrice.objects.create(tax_year=ty, zone="01", block="A", price_per_sq_wah=D("1000"))
    LandPrice.objects.create(tax_year=ty, zone="01", block="B", price_per_sq_wah=D("2500"))
    BuildingCost.objects.create(tax_year=ty, building_type="house", cost_per_m2=D("8000"))
    return SimpleNamespace(
        org=pangmu, village=village, ty=ty, a=a, b=b, c=c, d=d, e=e, parcels=[p1, p2, p3, p4], house=house
    )
