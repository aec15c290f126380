"""The whole late-payment story in headless Chromium: a notice, no payment, the reminder letter printed
and recorded as received, payment within the reminder's time at the counter, and the receipt showing
the tax, the 20 % penalty (Sec. 69) and the surcharge (1 % a month, Sec. 70).
"""

from __future__ import annotations

import calendar
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from gis_portal.roles import TAX_OFFICER
from taxes import services
from taxes.engine import months_late
from taxes.models import Assessment, Payment, Reminder
from tests.e2e.conftest import login
from tests.taxes.conftest import ISSUED_ON, register  # noqa: F401 - the small register fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def months_begun(due: date, day: date) -> int:
    """Months of lateness begun by ``day`` (Sec. 70: a part of a month counts as a month), counted by
    hand: the k-th month ends on the due date's day k months later (the month's last day if shorter)."""
    k = 0
    while True:
        month = due.month - 1 + k
        year, month = due.year + month // 12, month % 12 + 1
        end = date(year, month, min(due.day, calendar.monthrange(year, month)[1]))
        if day <= end:
            return k
        k += 1


def test_notice_reminder_received_and_paid_within_its_time(
    register,  # noqa: F811
    make_user,
    new_page,
    page_watch,
    live_server,
    tmp_path,
):
    make_user("taxofficer", register.org, TAX_OFFICER)
    slug = register.org.slug
    # The notices went out on 1 March 2026 with 2026's dates (30 June, 31 July, 31 August); C's
    # 30,000 (three installments of 10,000) was never paid.
    services.assess_year(organisation=register.org, year=2026)
    services.assessments_issue(tax_year=register.ty, issued_on=ISSUED_ON)
    c = Assessment.objects.get(party=register.c)
    today = timezone.localdate()
    page = new_page()
    login(page, live_server.url, "taxofficer")

    # 1. No payment: the notice owes the tax, 10 % penalty (no reminder yet) and the surcharge.
    page.goto(f"{live_server.url}/tax/assessments/{c.pk}/")
    assert page.inner_text("#due-tax") == "30,000.00"
    assert page.inner_text("#due-penalty") == "3,000.00" and page.inner_text("#due-penalty-pct") == "10"

    # 2. The reminder letters: issued five days ago, to be paid within ten days from today; printed.
    page.goto(f"{live_server.url}/tax/{slug}/2026/")
    page.fill("#reminders-form input[name=issued_on]", (today - timedelta(days=5)).isoformat())
    page.fill("#reminders-form input[name=pay_by]", (today + timedelta(days=10)).isoformat())
    page.click("#issue-reminders")
    page.wait_for_selector("text=reminder letters issued")
    letter = Reminder.objects.get(assessment=c)
    href = page.get_attribute("#reminder-batches a.reminder-pdf", "href")
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        (tmp_path / "r.pdf").write_bytes(pdf.body())
        text = subprocess.run(  # noqa: S603
            ["pdftotext", str(tmp_path / "r.pdf"), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert letter.number in text and c.notice_number in text and "30,000.00" in text

    # 3. The return receipt came back: the letter was received three days ago.
    page.goto(f"{live_server.url}/tax/assessments/{c.pk}/")
    page.fill("#reminders input.received-on", (today - timedelta(days=3)).isoformat())
    page.click("#reminders button.record-received")
    page.wait_for_selector(f"text=reminder {letter.number} received")
    letter.refresh_from_db()
    assert letter.received_on == today - timedelta(days=3)

    # 4. Paid at the counter today, within the reminder's time: 20 % penalty (Sec. 69).
    surcharge = sum(
        (D("100.00") * months_begun(i.due_date, today) for i in c.installments.all()), D("0.00")
    )  # 1 % a month of each 10,000 installment, a part of a month counting as a month
    assert surcharge == sum(
        (D("100.00") * months_late(i.due_date, today) for i in c.installments.all()), D("0.00")
    )
    assert page.inner_text("#due-penalty") == "6,000.00" and page.inner_text("#due-penalty-pct") == "20"
    assert page.inner_text("#due-surcharge") == f"{surcharge:,.2f}"
    assert page.input_value("#pay-form input[name=amount]") == f"{D('36000.00') + surcharge}"
    page.click("#pay")
    page.wait_for_selector("text=รับชำระแล้ว ใบเสร็จ")
    payment = Payment.objects.get(assessment=c)
    assert (payment.tax_part, payment.penalty_part, payment.penalty_percent, payment.surcharge_part) == (
        D("30000.00"),
        D("6000.00"),
        D("20"),
        surcharge,
    )
    row = page.inner_text("#payments")
    assert "30,000.00" in row and "6,000.00 (20%)" in row and f"{surcharge:,.2f}" in row

    # 5. The receipt shows the tax, the 20 % penalty and the surcharge.
    href = page.get_attribute("#payments a.receipt-link", "href")
    receipt = page.request.get(f"{live_server.url}{href}")
    assert receipt.ok and receipt.body().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        (tmp_path / "receipt.pdf").write_bytes(receipt.body())
        text = subprocess.run(  # noqa: S603
            ["pdftotext", str(tmp_path / "receipt.pdf"), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert payment.receipt_number in text
        assert "30,000.00" in text and "6,000.00" in text and f"{surcharge:,.2f}" in text
        assert "20" in text and "69" in text  # ร้อยละ 20 (มาตรา 69)
    page_watch.assert_clean()
