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
from tests.taxes.conftest import _parcel

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
    services.assessments_issue(tax_year=register.ty)
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
    services.payment_record(assessment=assessment, amount=D("1200.00"), paid_on=date(2026, 4, 20))
    after = next(b for b in household_bills(household) if b["number"] == bill["number"])
    assert after["amount"] == D("0.00") and after["promptpay_payload"] == ""
    assert [r["amount"] for r in after["receipts"]] == [D("1200.00")]
