"""The bills a resident sees behind the QR: issued notices of the household's registered members."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcels import services as reg
from taxes import services
from taxes.promptpay import parse_payload
from taxes.selectors import household_bills
from tests.taxes.conftest import ISSUED_ON, _parcel

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_owner(register):
    household = register.a.household
    owner = reg.party_create(
        organisation=register.org, kind="person", first_name="เอฟ", last_name="ร้านค้า", household=household
    )
    shop = _parcel(register.org, register.village, "01A004", 400, 0, 1, "other")
    reg.parcel_right_add(parcel=shop, party=owner)
    services.assess_year(organisation=register.org, year=2026)
    services.assessments_issue(tax_year=register.ty, issued_on=ISSUED_ON)
    return owner


def test_bills_of_the_household_with_a_payable_code(register, shop_owner):
    household = register.a.household
    with CaptureQueriesContext(connection) as queries:
        bills = household_bills(household, today=date(2026, 4, 1))
    assert len(queries) <= 5
    owed = [b for b in bills if b["amount"] > 0]
    assert [b["taxpayer"] for b in owed] == ["เอฟ ร้านค้า"]
    bill = owed[0]
    assert bill["amount"] == D("1200.00") and bill["tax_year"] == 2569
    decoded = parse_payload(bill["promptpay_payload"])
    assert decoded["amount"] == D("1200.00")
    assert decoded["bill_payment"]["ref1"] == bill["number"]
    # Another household's members' bills are not among them.
    assert not any(b["taxpayer"].startswith("บริษัท") for b in bills)


def test_a_paid_bill_has_no_code_and_shows_its_receipt(register, shop_owner):
    household = register.a.household
    bill = next(b for b in household_bills(household) if b["amount"] > 0)
    assessment = shop_owner.tax_assessments.get()
    services.payment_record(assessment=assessment, amount=D("1200.00"), paid_on=date(2026, 6, 20))
    after = next(b for b in household_bills(household) if b["number"] == bill["number"])
    assert after["amount"] == D("0.00") and after["promptpay_payload"] == ""
    assert [r["amount"] for r in after["receipts"]] == [D("1200.00")]


def test_a_late_bill_asks_for_tax_penalty_and_surcharge_as_the_counter_does(register, shop_owner):
    """The resident page and its QR ask for what is due today: the counter's own figure."""
    household = register.a.household
    on = date(2026, 8, 10)  # 1,200 due 30 June: 2 months late, no reminder: 10 % penalty
    bill = next(b for b in household_bills(household, today=on) if b["amount"] > 0)
    assessment = shop_owner.tax_assessments.get()
    counter = services.due_today(assessment, on)
    assert bill["amount"] == counter.total == D("1200.00") + D("120.00") + D("24.00")
    assert parse_payload(bill["promptpay_payload"])["amount"] == D("1344.00")
    assert "เบี้ยปรับ 120.00 บาท (ร้อยละ 10)" in bill["breakdown"]["th"]
    assert "surcharge 24.00 baht" in bill["breakdown"]["en"]
