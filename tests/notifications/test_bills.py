"""Households hear of a tax notice when it is issued and of an installment falling due, each once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from notifications.models import Notification
from notifications.receivers import announce_bills
from notifications.services import sms_contact_add
from parcels import services as register
from taxes import services as tax_services
from taxes.models import Assessment, Installment, LandPrice
from tests.conftest import utm_rect

pytestmark = pytest.mark.django_db


def test_issued_notice_and_installment_due_are_announced_once(home):
    org = home.household.organisation
    shop = register.parcel_create(
        organisation=org,
        code="01A099",
        geom=utm_rect(0, 200, 40, 40),
        doc_type="chanote",
        land_uses=[register.LandUseShare("other", Decimal(100))],
    )
    register.parcel_right_add(parcel=shop, party=home.head)
    tax_year = tax_services.tax_year_create(organisation=org, year=2026)
    LandPrice.objects.create(tax_year=tax_year, zone="01", block="A", price_per_sq_wah=Decimal("1000"))
    tax_services.assess_year(organisation=org, year=2026)
    # The year's own dates may have passed: the office sets dates a taxpayer can meet (Sec. 14).
    today = timezone.localdate()
    tax_services.tax_year_set_office_dates(
        tax_year=tax_year,
        dates=[today + timedelta(days=n) for n in (40, 70, 100)],
        reason="notices issued late",
    )
    tax_services.assessments_issue(tax_year=tax_year)
    notice = Assessment.objects.get(party=home.head)
    sms_contact_add(household=home.household, phone="0812345678")

    first = Installment.objects.filter(assessment=notice).order_by("number").first()
    today = first.due_date - timedelta(days=3)
    assert announce_bills(org.pk, today=today) == 2  # issued + first installment due in 3 days
    texts = list(Notification.objects.order_by("event").values_list("event", "text"))
    assert any(notice.notice_number in t and "ใบแจ้งภาษี" in t for _, t in texts)
    assert any(f"{first.amount:,.2f}" in t and "ครบกำหนด" in t for _, t in texts)
    assert announce_bills(org.pk, today=today) == 0  # never twice
    # Paid in full: no reminder for the next installment.
    Assessment.objects.filter(pk=notice.pk).update(paid=notice.total)
    later = Installment.objects.filter(assessment=notice).order_by("number").last()
    assert announce_bills(org.pk, today=later.due_date - timedelta(days=1), issued_within_days=0) == 0
