"""The ภ.ด.ส.6/7 notice and the receipt: every Thai run drawn where HarfBuzz places its glyphs, and
the text a reader copies out of the PDF is the Thai that was written."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal as D

import pytest

from taxes import pdf, pdf_reminder, reminders, services
from taxes.models import Assessment
from tests import thai_pdf_check as check

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils"),
]


@pytest.fixture
def notice(register):
    services.assess_year(organisation=register.org, year=2026)
    services.assessments_issue(tax_year=register.ty, issued_on=date(2026, 2, 2))
    return Assessment.objects.select_related("organisation", "tax_year", "party").get(party=register.c)


def test_notice_is_shaped_like_harfbuzz_and_reads_back_as_written(notice, tmp_path):
    office = services.tax_office_for(notice.organisation)
    with check.recording() as runs:
        data = pdf.notices_pdf([notice], office)
    thai = [r for r in runs if check.THAI_MARKS.search(r.text)]
    assert len(thai) > 20 and {r.page for r in thai} == {1, 2}  # the ภ.ด.ส.6 and the ภ.ด.ส.7
    assert check.shaping_errors(data, runs, tmp_path) == []
    text = check.pdf_text(data, tmp_path)
    for phrase in ("ของท่านตามรายการคำนวณ", "ภาษีที่ต้องชำระ", "พนักงานประเมินได้ประเมิน", "ผู้เสียภาษี"):
        assert check.comparable(phrase) in text


def test_receipt_is_shaped(notice, tmp_path):
    payment = services.payment_record(assessment=notice, amount=D("10000.00"), paid_on=date(2026, 4, 20))
    assert payment.tax_part == D("10000.00")
    with check.recording() as runs:
        data = pdf.receipt_pdf(payment, services.tax_office_for(notice.organisation))
    assert any("ได้รับเงินจาก" in r.text for r in runs)
    assert check.shaping_errors(data, runs, tmp_path) == []
    assert check.comparable("ได้รับเงินจาก บริษัท ซี จำกัด") in check.pdf_text(data, tmp_path)


def test_reminder_letters_are_shaped(notice, tmp_path):
    batch = reminders.reminders_issue(
        tax_year=notice.tax_year, issued_on=date(2026, 9, 10), pay_by=date(2026, 10, 10)
    )
    with check.recording() as runs:
        data = pdf_reminder.reminders_pdf(batch, services.tax_office_for(notice.organisation))
    assert any("หนังสือแจ้งเตือน" in r.text for r in runs)
    assert check.shaping_errors(data, runs, tmp_path) == []
    assert check.comparable("จึงขอให้ท่านชำระภาษีค้างชำระ") in check.pdf_text(data, tmp_path)
