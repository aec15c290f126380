"""The bills section reads only taxes.selectors.household_bills; welfare hints come from rules as data."""

from __future__ import annotations

import sys
import types
from datetime import date
from decimal import Decimal

import pytest

from eservices import selectors, sms
from eservices.models import DisabilityCard, HouseholdIncome, WelfareEnrolment, WelfareRule

from .conftest import id_answer

pytestmark = pytest.mark.django_db


def test_without_the_tax_selector_the_page_says_bills_are_not_available(home, monkeypatch):
    import taxes

    empty = types.ModuleType("taxes.selectors")
    monkeypatch.setitem(sys.modules, "taxes.selectors", empty)
    monkeypatch.setattr(taxes, "selectors", empty, raising=False)
    result = selectors.household_tax_bills(home.household)
    assert result.available is False and result.bills == []


def test_with_the_tax_app_the_household_has_no_bills_until_notices_are_issued(home):
    result = selectors.household_tax_bills(home.household)
    assert result.available is True and result.bills == []


def test_bills_from_the_tax_selector_are_shown_with_a_promptpay_qr(client, home, monkeypatch):
    """The tax app's selector is replaced by a stand-in with the documented contract (the tax app is
    built separately); this checks only how the resident page shows what that selector returns."""
    from taxes.promptpay import build_bill_payment_payload

    seen = []

    def household_bills(household):
        seen.append(household.pk)
        payload = build_bill_payment_payload(
            biller_id="099400016120001", ref1="N2569000123", amount=Decimal("1234.50")
        )
        return [
            {
                "number": "N2569000123",
                "tax_year": 2026,
                "amount": Decimal("1234.50"),
                "due_date": date(2026, 4, 30),
                "status": "unpaid",
                "promptpay_payload": payload,
                "receipts": [{"number": "RC-1", "url": "/tax/receipts/1/"}],
            }
        ]

    monkeypatch.setattr("taxes.selectors.household_bills", household_bills)
    client.post(f"/h/{home.token}/verify/", {"method": "id_year", **id_answer(home)})
    body = client.get(f"/h/{home.token}/").content.decode()
    assert seen == [home.household.pk]
    assert "N2569000123" in body and "1234.50" in body and "30/4/2569" in body
    assert '<figure class="payqr"><svg' in body and "RC-1" in body


def test_welfare_hints_follow_the_rules_and_skip_those_enrolled(home):
    today = date(2026, 6, 1)
    hints = selectors.welfare_check(home.household, today)
    got = {(h.party.pk, h.program, h.monthly_amount) for h in hints}
    # elder born 1950 → 76 → 700 baht band; toddler → child support grant (income not yet recorded)
    assert (home.elder.pk, "elderly", Decimal("700.00")) in got
    assert (home.child.pk, "newborn", Decimal("600.00")) in got
    assert not any(h.party.pk == home.head.pk and h.program == "elderly" for h in hints)
    WelfareEnrolment.objects.create(party=home.elder, program="elderly")
    WelfareRule.objects.filter(program="elderly", min_age=70).update(monthly_amount=750)
    hints = selectors.welfare_check(home.household, today)
    assert not any(h.party.pk == home.elder.pk and h.program == "elderly" for h in hints)
    assert all(h.needs_verify for h in hints)


def test_the_disability_allowance_is_suggested_only_to_holders_of_a_valid_card(home):
    today = date(2026, 6, 1)

    def programs():
        return {
            (h.party.pk, h.program, h.monthly_amount) for h in selectors.welfare_check(home.household, today)
        }

    assert not any(p == "disability" for _, p, _ in programs())  # nobody is registered disabled
    DisabilityCard.objects.create(
        party=home.head, card_number="1-5801-00001", issued_on=date(2020, 1, 1), expires_on=date(2026, 1, 1)
    )
    assert not any(p == "disability" for _, p, _ in programs())  # the card has expired
    DisabilityCard.objects.create(party=home.child, card_number="1-5801-00002", issued_on=date(2025, 1, 1))
    DisabilityCard.objects.create(
        party=home.head, card_number="1-5801-00003", issued_on=date(2026, 2, 1), expires_on=date(2034, 2, 1)
    )
    got = programs()
    assert (home.child.pk, "disability", Decimal("1000.00")) in got  # under 18: the higher band
    assert (home.head.pk, "disability", Decimal("800.00")) in got
    assert not any(pk == home.elder.pk and p == "disability" for pk, p, _ in got)


def test_the_child_grant_checks_the_households_income_where_it_is_recorded(home):
    today = date(2026, 6, 1)

    def grant():
        return [h for h in selectors.welfare_check(home.household, today) if h.program == "newborn"]

    [hint] = grant()
    assert hint.party == home.child and hint.unknown == "income_unknown"
    HouseholdIncome.objects.create(
        household=home.household, year=2026, annual_income=Decimal("360000"), members=3
    )
    assert grant() == []  # 120,000 baht a person a year: above the 100,000 limit
    HouseholdIncome.objects.filter(household=home.household).update(annual_income=Decimal("240000"))
    [hint] = grant()
    assert hint.unknown == ""  # 80,000 a person: within the limit, checked
    HouseholdIncome.objects.filter(household=home.household).update(year=2023)
    assert grant()[0].unknown == "income_unknown"  # a figure three years old is not used


def test_the_grant_ends_at_the_sixth_birthday(home):
    home.child.birth_date = date(2020, 6, 2)
    home.child.save()
    assert any(h.program == "newborn" for h in selectors.welfare_check(home.household, date(2026, 6, 1)))
    assert not any(h.program == "newborn" for h in selectors.welfare_check(home.household, date(2026, 6, 2)))


def test_sms_backend_is_chosen_by_name_or_dotted_path():
    assert isinstance(sms.get_backend("console"), sms.ConsoleSmsBackend)
    assert isinstance(sms.get_backend("eservices.sms.MemorySmsBackend"), sms.MemorySmsBackend)
    with pytest.raises(LookupError):
        sms.get_backend("carrier-pigeon")
