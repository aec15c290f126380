"""Payments: allocation, surcharge per month late, bank import idempotent, receipts, notice QR via zbar."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from gis_portal.errors import DomainError
from taxes import bank, pdf, services
from taxes.models import Assessment, Payment, Refund
from taxes.promptpay import parse_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(register):
    services.assess_year(organisation=register.org, year=2026)
    services.assessments_issue(tax_year=register.ty)
    register.notice_b = Assessment.objects.get(party=register.b)
    register.notice_c = Assessment.objects.get(party=register.c)
    return register


def test_counter_payment_on_time_and_late_surcharge(issued):
    c = issued.notice_c
    p1 = services.payment_record(assessment=c, amount=D("10000.00"), paid_on=date(2026, 4, 20))
    assert (p1.tax_part, p1.surcharge_part, p1.excess_part) == (D("10000.00"), D("0.00"), D("0.00"))
    assert p1.receipt_number == "R2569000001"
    c.refresh_from_db()
    rules = services.tax_year_rules(c.tax_year)
    insts = list(c.installments.all())
    # on 15 July: installment 2 (due 31 May) is 2 months late, installment 3 (due 30 June) 1 month
    due = services.amount_due(c, date(2026, 7, 15), rules, insts)
    assert due.tax == D("20000.00")
    assert due.surcharge == D("200.00") + D("100.00")
    p2 = services.payment_record(assessment=c, amount=D("20300.00"), paid_on=date(2026, 7, 15))
    assert (p2.tax_part, p2.surcharge_part, p2.excess_part) == (D("20000.00"), D("300.00"), D("0.00"))
    c.refresh_from_db()
    assert c.paid == c.total and c.surcharge_paid == D("300.00")
    assert services.amount_due(c, date(2026, 8, 1), rules, insts).total == D("0.00")


def test_late_tax_without_surcharge_leaves_surcharge_owed_and_overpayment_is_a_refund(issued):
    b = issued.notice_b  # 1,200 due 30 April
    services.payment_record(assessment=b, amount=D("1200.00"), paid_on=date(2026, 6, 10))  # 2 months late
    b.refresh_from_db()
    rules = services.tax_year_rules(b.tax_year)
    due = services.amount_due(b, date(2026, 6, 10), rules, list(b.installments.all()))
    assert (due.tax, due.surcharge) == (D("0.00"), D("24.00"))
    p = services.payment_record(assessment=b, amount=D("30.00"), paid_on=date(2026, 6, 11))
    assert (p.surcharge_part, p.excess_part) == (D("24.00"), D("6.00"))
    assert Refund.objects.get(assessment=b).amount == D("6.00")


def test_payment_refused_on_a_draft_and_for_bad_amounts(register):
    services.assess_year(organisation=register.org, year=2026)
    draft = Assessment.objects.get(party=register.b)
    with pytest.raises(DomainError) as err:
        services.payment_record(assessment=draft, amount=D("1.00"), paid_on=date(2026, 5, 1))
    assert err.value.code == "assessment_not_issued"
    with pytest.raises(DomainError):
        services.payment_record(assessment=draft, amount=D("0"), paid_on=date(2026, 5, 1))
    assert not Payment.objects.exists()


def _csv(*rows: str) -> bytes:
    return ("bank_reference,paid_on,amount,ref1,ref2\n" + "\n".join(rows) + "\n").encode()


def test_bank_import_twice_records_once(issued):
    b, c = issued.notice_b, issued.notice_c
    data = _csv(
        f"KTB001,2026-04-28,1200.00,{b.notice_number},0",
        f'KTB002,28/04/2569,"10,000.00",{c.notice_number},1',
        f"KTB002,2026-04-28,10000.00,{c.notice_number},1",  # the same bank line twice in one file
    )
    first = services.payments_import(organisation=issued.org, rows=bank.parse_reconciliation(data))
    assert (first.recorded, first.duplicates) == (2, 1)
    again = services.payments_import(organisation=issued.org, rows=bank.parse_reconciliation(data))
    assert (again.recorded, again.duplicates) == (0, 3)
    assert Payment.objects.count() == 2
    c.refresh_from_db()
    b.refresh_from_db()
    assert (b.paid, c.paid) == (D("1200.00"), D("10000.00"))
    assert Payment.objects.get(bank_reference="KTB002").paid_on == date(2026, 4, 28)  # BE date read


def test_bank_import_refuses_unknown_notice_and_bad_lines_writing_nothing(issued):
    b = issued.notice_b
    with pytest.raises(DomainError) as err:
        services.payments_import(
            organisation=issued.org,
            rows=bank.parse_reconciliation(
                _csv(f"X1,2026-04-28,5.00,{b.notice_number},", "X2,2026-04-28,5.00,NOPE,")
            ),
        )
    assert err.value.code == "payments_unmatched"
    assert not Payment.objects.exists()
    with pytest.raises(DomainError) as err:
        bank.parse_reconciliation(_csv("X3,2026-13-01,-5,bad ref!,"))
    assert len(err.value.details["problems"]) == 3
    with pytest.raises(DomainError):
        bank.parse_reconciliation(b"ref,amount\nx,1\n")


def test_bank_import_is_scoped_to_the_organisation(issued, mokchampae):
    b = issued.notice_b
    with pytest.raises(DomainError):
        services.payments_import(
            organisation=mokchampae,
            rows=bank.parse_reconciliation(_csv(f"Z1,2026-04-28,1.00,{b.notice_number},")),
        )


@pytest.mark.skipif(
    not shutil.which("zbarimg") or not shutil.which("pdftoppm"), reason="needs zbar and poppler"
)
def test_notice_pdf_qr_decodes_to_the_notice(issued, tmp_path: Path):
    c = Assessment.objects.select_related("organisation", "tax_year", "party").get(pk=issued.notice_c.pk)
    office = services.tax_office_for(c.organisation)
    (tmp_path / "n.pdf").write_bytes(pdf.notices_pdf([c], office))
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(tmp_path / "n.pdf"), str(tmp_path / "p")],
        check=True,
    )
    page = next(tmp_path.glob("p*.png"))
    out = subprocess.run(  # noqa: S603
        ["zbarimg", "--raw", "-q", str(page)], check=True, capture_output=True, text=True
    ).stdout.split()
    decoded = [parse_payload(p) for p in out]  # raises on a bad CRC
    assert len(decoded) == 4  # in full + three installments
    by_ref2 = {d["bill_payment"]["ref2"]: d for d in decoded}
    assert by_ref2["0"]["amount"] == c.total == D("30000.00")
    for n, inst in enumerate(c.installments.all(), start=1):
        assert by_ref2[str(n)]["amount"] == inst.amount
    for d in decoded:
        assert d["bill_payment"]["ref1"] == c.notice_number
        assert d["bill_payment"]["biller_id"] == "0994000158041" + office.biller_suffix
        assert d["bill_payment"]["aid"] == "A000000677010112"
        assert d["currency"] == "764" and d["country"] == "TH" and d["dynamic"]


def test_thai_dates_and_digits():
    assert pdf.thai_date(date(2026, 4, 30)) == "30 เมษายน 2569"
    assert pdf.thai_date(date(2026, 4, 30), digits=True) == "๓๐ เมษายน ๒๕๖๙"


def test_receipt_pdf_is_a_pdf(issued):
    p = services.payment_record(assessment=issued.notice_b, amount=D("1200.00"), paid_on=date(2026, 4, 1))
    data = pdf.receipt_pdf(p, services.tax_office_for(issued.org))
    assert data.startswith(b"%PDF") and len(data) > 1000
