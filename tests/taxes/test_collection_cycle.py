"""The collection cycle against a real register: notices that can be paid on time, objections that
replace the notice, bad input refused whole, and a counter payment sent twice at the same moment."""

from __future__ import annotations

import threading
import uuid
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection, connections
from django.utils import timezone

from gis_portal.errors import DomainError
from parcels.models import ParcelRight
from taxes import pdf_reminder, reminders, services
from taxes.models import Assessment, AssessmentStatus, Payment, TaxYear
from taxes.rules import RulesError, default_rules_dict, rules_from_dict
from tests.taxes.conftest import ISSUED_ON

pytestmark = pytest.mark.django_db


def test_notices_that_could_not_be_paid_in_time_are_refused_until_the_office_sets_its_dates(register):
    """Issued on 2 December 2026, 2026's notices carried June-August dates: overdue the day they came."""
    services.assess_year(organisation=register.org, year=2026)
    with pytest.raises(DomainError) as err:
        services.assessments_issue(tax_year=register.ty, issued_on=date(2026, 12, 2))
    assert err.value.code == "notice_dates_unpayable" and "2026-06-30" in err.value.message
    assert not Assessment.objects.filter(status=AssessmentStatus.ISSUED).exists()
    today = timezone.localdate()
    dates = [today + timedelta(days=n) for n in (31, 61, 91)]
    with pytest.raises(DomainError) as err:  # a reason is required, and dates the taxpayer can meet
        services.tax_year_set_office_dates(
            tax_year=register.ty, dates=[today, today - timedelta(days=1)], reason=""
        )
    assert len(err.value.details["problems"]) >= 3
    services.tax_year_set_office_dates(
        tax_year=register.ty, dates=dates, reason="notices issued after the resurvey"
    )
    assert services.assessments_issue(tax_year=register.ty) == 5
    c = Assessment.objects.get(party=register.c)
    assert [i.due_date for i in c.installments.all()] == dates
    assert c.issue_batch.office_dates and c.issue_batch.reason == "notices issued after the resurvey"
    assert services.due_today(c).total == c.total  # nothing late on the day it is issued


def test_an_accepted_objection_reassesses_that_taxpayer_alone_and_replaces_the_notice(register):
    services.assess_year(organisation=register.org, year=2026)
    services.assessments_issue(tax_year=register.ty, issued_on=ISSUED_ON)
    c = Assessment.objects.get(party=register.c)  # 10-0-0 vacant: 30,000
    b_before = Assessment.objects.get(party=register.b)
    services.payment_record(assessment=c, amount=D("10000.00"), paid_on=date(2026, 6, 20))
    objection = services.objection_file(assessment=c, reason="half the land is farmed, not vacant")
    # the officer corrects the register, then accepts: C alone is re-assessed with 2026's rules
    parcel = register.parcels[2]
    parcel.land_uses.all().delete()
    parcel.land_uses.create(category="vacant", share_percent=D("50"), years_unused=1)
    parcel.land_uses.create(category="agricultural", share_percent=D("50"))
    services.objection_decide(objection=objection, accepted=True, decision="surveyed: half farmed")
    c.refresh_from_db()
    assert c.status == AssessmentStatus.CANCELLED and "objection" in c.cancel_reason
    new = c.replaced_by
    assert new.status == AssessmentStatus.ISSUED and new.replaces_id == c.pk
    # 5,000,000 vacant x 0.3 % + 5,000,000 farm of a company x 0.01 %
    assert new.total == D("15000.00") + D("500.00")
    assert new.notice_number != c.notice_number and new.paid == D("10000.00")
    assert Payment.objects.get().assessment_id == new.pk  # the payment moved; its receipt is the same
    assert [i.due_date for i in new.installments.all()] == [i.due_date for i in c.installments.all()]
    objection.refresh_from_db()
    assert new.notice_number in objection.decision
    assert Assessment.objects.get(party=register.b) == b_before  # nobody else touched
    assert Assessment.objects.get(party=register.b).notice_number == b_before.notice_number


def test_contradictory_rules_are_refused_with_every_problem_listed():
    data = default_rules_dict(2026)
    data["reduction_percent"] = "120"
    data["schedules"]["other"]["brackets"] = [["200000000", "0.4"], ["50000000", "0.3"], [None, "0.7"]]
    data["installments"]["due_dates"] = ["08-31", "07-31", "06-30"]
    data["penalty"]["before_reminder_percent"] = "50"
    with pytest.raises(RulesError) as err:
        rules_from_dict(data)
    text = "; ".join(err.value.problems)
    assert len(err.value.problems) >= 4, err.value.problems  # (and the reminder month now before the dates)
    assert "0-100" in text and "overlap" in text and "out of order" in text and "tiers" in text


def test_rules_in_the_admin_are_refused_whole(register):
    from django.core.exceptions import ValidationError

    register.ty.rules = {
        **register.ty.rules,
        "reduction_percent": "150",
        "installments": {"due_dates": ["13-01"]},
    }
    with pytest.raises(ValidationError) as err:
        register.ty.full_clean()
    assert "0-100" in str(err.value) and "13-01" in str(err.value)


def test_appraisal_csv_with_a_negative_price_or_depreciation_beyond_100_is_refused_whole(register):
    before = list(register.ty.depreciation.values_list("material", "age_from", "percent"))
    bad_land = "zone,block,parcel_code,price_per_sq_wah\n01,A,,-5\n01,B,,1000\n"
    with pytest.raises(DomainError) as err:
        services.appraisal_import_csv(tax_year=register.ty, kind="land", text=bad_land)
    assert err.value.details["problems"] == [
        "line 2: negative (-5); prices, costs and percents are 0 or more"
    ]
    bad_dep = "material,age_from,age_to,percent\nconcrete,1,10,120\nconcrete,5,20,30\nsteel,0,,5\n"
    with pytest.raises(DomainError) as err:
        services.appraisal_import_csv(tax_year=register.ty, kind="depreciation", text=bad_dep)
    problems = err.value.details["problems"]
    assert len(problems) == 2 and "beyond 100" in problems[0] and "overlap" in problems[1]
    assert list(register.ty.depreciation.values_list("material", "age_from", "percent")) == before
    assert register.ty.land_prices.count() == 2


def test_shares_not_adding_up_to_one_refuse_the_run_and_write_nothing(register):
    ParcelRight.objects.filter(party=register.e).delete()  # D still holds 1/2 of 01A003: half is missing
    extra = ParcelRight.objects.get(party=register.b)
    extra.share_numerator, extra.share_denominator = 2, 3
    extra.save()
    with pytest.raises(DomainError) as err:
        services.assess_year(organisation=register.org, year=2026)
    problems = err.value.details["problems"]
    assert len(problems) == 2 and all("add up to" in p for p in problems)
    assert any("01A003" in p and "1/2" in p for p in problems) and any("01A002" in p for p in problems)
    assert not Assessment.objects.exists()


def test_a_past_year_is_reassessed_with_its_own_rules(register):
    """2023's 15 % stays with 2023: a copy to 2024 takes 2024's law, and 2023 keeps its own."""
    y2023 = services.tax_year_create(organisation=register.org, year=2023)
    assert y2023.rules["reduction_percent"] == "15"
    y2024 = services.tax_year_copy(organisation=register.org, to_year=2024, from_year=2023)
    assert y2024.rules["reduction_percent"] == "0"
    assert y2024.rules["installments"]["due_dates"] == ["06-30", "07-31", "08-31"]
    assert any("2566" in s["title_th"] for s in y2023.rules["sources"] if s["rule"] == "reduction")


def test_reminder_letters_pdf_has_one_page_per_letter(register):
    services.assess_year(organisation=register.org, year=2026)
    services.assessments_issue(tax_year=register.ty, issued_on=ISSUED_ON)
    batch = reminders.reminders_issue(
        tax_year=register.ty, issued_on=date(2026, 9, 10), pay_by=date(2026, 10, 10)
    )
    data = pdf_reminder.reminders_pdf(batch, services.tax_office_for(register.org))
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 2


@pytest.mark.django_db(transaction=True)
def test_two_submits_of_one_counter_form_at_once_record_one_payment(register):
    """Two requests on two database connections race with the same one-time key: one payment, one receipt."""
    services.assess_year(organisation=register.org, year=2026)
    services.assessments_issue(tax_year=register.ty, issued_on=ISSUED_ON)
    notice = Assessment.objects.get(party=register.b)
    key = uuid.uuid4()
    start = threading.Barrier(2)
    results: list[tuple[str, bool]] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            start.wait()
            payment, created = services.payment_record_once(
                assessment=notice, amount=D("1200.00"), paid_on=date(2026, 6, 20), key=key
            )
            results.append((payment.receipt_number, created))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(created for _, created in results) == [False, True]
    assert len({number for number, _ in results}) == 1  # both answer with the first receipt
    assert Payment.objects.filter(assessment=notice).count() == 1
    notice.refresh_from_db()
    assert notice.paid == D("1200.00")
    assert TaxYear.objects.get(pk=register.ty.pk).next_receipt_seq == 2  # no receipt number spent twice
    assert connection.vendor == "postgresql"
