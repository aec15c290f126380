"""Payments: allocation, surcharge per month late, bank import idempotent, receipts, notice QR via zbar."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.utils import timezone

from gis_portal.errors import DomainError
from taxes import bank, pdf, reminders, services
from taxes.models import Assessment, Payment, Refund, ReminderBatch
from taxes.promptpay import parse_payload
from tests.taxes.conftest import ISSUED_ON

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(register):
    services.assess_year(organisation=register.org, year=2026)
    services.assessments_issue(tax_year=register.ty, issued_on=ISSUED_ON)
    register.notice_b = Assessment.objects.get(party=register.b)  # 1,200 due 30 June 2026
    register.notice_c = Assessment.objects.get(party=register.c)  # 3 x 10,000 due 30 Jun, 31 Jul, 31 Aug
    return register


def pay(assessment, amount, on, **kw):
    payment, created = services.payment_record_once(assessment=assessment, amount=D(amount), paid_on=on, **kw)
    assert created
    return payment


def test_counter_payment_on_time_then_late_with_penalty_and_surcharge(issued):
    c = issued.notice_c
    p1 = pay(c, "10000.00", date(2026, 6, 20))
    assert (p1.tax_part, p1.penalty_part, p1.surcharge_part, p1.excess_part) == (D("10000.00"), 0, 0, 0)
    assert p1.receipt_number == "R2569000001"
    c.refresh_from_db()
    rules = services.tax_year_rules(c.tax_year)
    insts = list(c.installments.all())
    # on 15 September: installment 2 (due 31 July) is 2 months late, installment 3 (due 31 August) 1;
    # no reminder was sent: the penalty is 10 % (Sec. 68), the surcharge 1 % a month (Sec. 70)
    due = services.due_on(c, date(2026, 9, 15), rules, insts)
    assert due.tax == D("20000.00")
    assert due.penalty == D("2000.00") and due.penalty_percent == D("10")
    assert due.surcharge == D("200.00") + D("100.00")
    assert due.total == D("22300.00")
    p2 = pay(c, "22300.00", date(2026, 9, 15))
    assert (p2.tax_part, p2.penalty_part, p2.surcharge_part, p2.excess_part) == (
        D("20000.00"),
        D("2000.00"),
        D("300.00"),
        D("0.00"),
    )
    c.refresh_from_db()
    assert c.paid == c.total and c.surcharge_paid == D("300.00") and c.penalty_paid == D("2000.00")
    assert services.due_on(c, date(2026, 10, 1), rules, insts).total == D("0.00")


def test_late_tax_alone_leaves_penalty_and_surcharge_owed_and_overpayment_is_a_refund(issued):
    b = issued.notice_b  # 1,200 due 30 June
    pay(b, "1200.00", date(2026, 8, 10))  # 2 months (part of a month = a month) late
    b.refresh_from_db()
    due = services.due_today(b, date(2026, 8, 10))
    assert (due.tax, due.penalty, due.surcharge) == (D("0.00"), D("120.00"), D("24.00"))
    p = pay(b, "150.00", date(2026, 8, 11))
    assert (p.penalty_part, p.surcharge_part, p.excess_part) == (D("120.00"), D("24.00"), D("6.00"))
    assert Refund.objects.get(assessment=b).amount == D("6.00")


def test_penalty_tiers_follow_the_reminder(issued):
    """10 % before the reminder is received, 20 % within its time, 40 % after (Sec. 68-69)."""
    c = issued.notice_c
    batch = reminders.reminders_issue(
        tax_year=issued.ty, issued_on=date(2026, 9, 10), pay_by=date(2026, 10, 10)
    )
    assert sorted(r.number for r in batch.reminders.all()) == ["W2569000001", "W2569000002"]  # B and C
    letter = batch.reminders.get(assessment=c)
    assert letter.overdue_tax == D("30000.00")
    assert services.due_today(c, date(2026, 9, 14)).penalty_percent == 10  # not yet received
    reminders.reminder_received(reminder=letter, received_on=date(2026, 9, 15))
    due = services.due_today(c, date(2026, 10, 1))
    # surcharge: 4 + 3 + 2 months of 10,000 at 1 %; penalty 20 % of 30,000
    assert (due.tax, due.penalty, due.surcharge) == (D("30000.00"), D("6000.00"), D("900.00"))
    assert services.due_today(c, date(2026, 10, 10)).penalty == D("6000.00")
    assert services.due_today(c, date(2026, 10, 11)).penalty == D("12000.00")  # after its time: 40 %
    p = pay(c, "36900.00", date(2026, 10, 1))
    assert (p.tax_part, p.penalty_part, p.penalty_percent, p.surcharge_part) == (
        D("30000.00"),
        D("6000.00"),
        D("20"),
        D("900.00"),
    )
    with pytest.raises(DomainError) as err:  # the penalty of that payment was fixed with this date
        reminders.reminder_received(reminder=letter, received_on=date(2026, 9, 20))
    assert err.value.code == "reminder_received_after_payment"


def test_a_reminder_needs_overdue_tax_and_sensible_dates(issued):
    with pytest.raises(DomainError) as err:
        reminders.reminders_issue(tax_year=issued.ty, issued_on=date(2026, 6, 1), pay_by=date(2026, 7, 1))
    assert err.value.code == "reminders_none_due"  # nothing overdue yet on 1 June
    with pytest.raises(DomainError) as err:
        reminders.reminders_issue(tax_year=issued.ty, issued_on=date(2026, 9, 10), pay_by=date(2026, 9, 1))
    assert err.value.code == "reminder_dates_invalid"
    assert not ReminderBatch.objects.exists()


def test_payment_refused_on_a_draft_for_bad_amounts_and_dates(register):
    services.assess_year(organisation=register.org, year=2026)
    draft = Assessment.objects.get(party=register.b)
    with pytest.raises(DomainError) as err:
        services.payment_record(assessment=draft, amount=D("1.00"), paid_on=date(2026, 5, 1))
    assert err.value.code == "assessment_not_issued"
    for bad in (D("0"), D("-1"), D("1.001"), D("NaN"), D("1e20")):
        with pytest.raises(DomainError):
            services.payment_record(assessment=draft, amount=bad, paid_on=date(2026, 5, 1))
    assert not Payment.objects.exists()


def test_payment_dated_in_the_future_or_before_the_year_is_refused(issued):
    # in the future, before the tax year, before the notice was issued (1 March 2026)
    for bad in (
        date(2099, 1, 1),
        date(2025, 12, 31),
        date(2026, 2, 1),
        timezone.localdate() + timedelta(days=1),
    ):
        with pytest.raises(DomainError) as err:
            services.payment_record(assessment=issued.notice_b, amount=D("1200.00"), paid_on=bad)
        assert err.value.code == "payment_date_invalid"
    assert not Payment.objects.exists()


def test_counter_payment_key_records_once_and_answers_with_the_first_receipt(issued):
    key = uuid.uuid4()
    first = pay(issued.notice_b, "1200.00", date(2026, 6, 20), key=key)
    again, created = services.payment_record_once(
        assessment=issued.notice_b, amount=D("1200.00"), paid_on=date(2026, 6, 20), key=key
    )
    assert not created and again.pk == first.pk and again.receipt_number == first.receipt_number
    assert Payment.objects.count() == 1
    with pytest.raises(DomainError) as err:  # the key of one notice's form on another notice
        services.payment_record(
            assessment=issued.notice_c, amount=D("1.00"), paid_on=date(2026, 6, 20), key=key
        )
    assert err.value.code == "payment_key_reused"


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
    assert Payment.objects.get(bank_reference="KTB001").penalty_part == 0  # before 30 June: on time
    assert (first.recorded, first.duplicates) == (2, 1)
    again = services.payments_import(organisation=issued.org, rows=bank.parse_reconciliation(data))
    assert (again.recorded, again.duplicates) == (0, 3)
    assert Payment.objects.count() == 2
    c.refresh_from_db()
    b.refresh_from_db()
    assert (b.paid, c.paid) == (D("1200.00"), D("10000.00"))
    assert Payment.objects.get(bank_reference="KTB002").paid_on == date(2026, 4, 28)  # BE date read


def test_bank_lines_paid_late_carry_the_penalty_and_surcharge_of_their_date_as_the_counter(issued):
    """Sec. 68-70 through the bank file: each line is allocated like a counter payment on its date.

    B: 1,200 due 30 June, paid 10 August, no reminder: 10 % = 120 and 2 months x 1 % = 24.
    C: 3 x 10,000 due 30 June / 31 July / 31 August; the reminder of 10 September (pay by
    10 October) received 15 September; paid 1 October: 20 % = 6,000 and 4 + 3 + 2 months = 900.
    """
    b, c = issued.notice_b, issued.notice_c
    letters = reminders.reminders_issue(
        tax_year=issued.ty, issued_on=date(2026, 9, 10), pay_by=date(2026, 10, 10)
    )
    reminders.reminder_received(reminder=letters.reminders.get(assessment=c), received_on=date(2026, 9, 15))
    assert services.due_today(c, date(2026, 10, 1)).total == D("36900.00")  # what the counter asks
    data = _csv(
        f"KTB101,2026-08-10,1344.00,{b.notice_number},0",
        f'KTB102,01/10/2569,"36,900.00",{c.notice_number},0',
    )
    result = services.payments_import(organisation=issued.org, rows=bank.parse_reconciliation(data))
    assert result.recorded == 2
    paid_b = Payment.objects.get(bank_reference="KTB101")
    paid_c = Payment.objects.get(bank_reference="KTB102")
    assert (paid_b.tax_part, paid_b.penalty_part, paid_b.penalty_percent, paid_b.surcharge_part) == (
        D("1200.00"),
        D("120.00"),
        D("10"),
        D("24.00"),
    )
    assert (paid_c.tax_part, paid_c.penalty_part, paid_c.penalty_percent, paid_c.surcharge_part) == (
        D("30000.00"),
        D("6000.00"),
        D("20"),
        D("900.00"),
    )
    assert paid_b.excess_part == paid_c.excess_part == D("0.00")
    for notice in (b, c):
        notice.refresh_from_db()
        assert services.due_today(notice, date(2026, 10, 2)).total == D("0.00")


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


def test_bank_lines_dated_in_the_future_or_before_the_tax_year_are_refused_with_the_line(issued):
    """The held-out case: payments dated 2099 and CE 2400 were accepted."""
    b = issued.notice_b
    rows = bank.parse_reconciliation(
        _csv(
            f"F1,2026-06-01,1200.00,{b.notice_number},",
            f"F2,2099-04-28,1200.00,{b.notice_number},",  # line 3
            f"F3,2400-01-01,1200.00,{b.notice_number},",  # line 4: a BE year written as CE
            f"F4,01/01/2568,1200.00,{b.notice_number},",  # line 5: 2025, before the tax year 2026
        )
    )
    with pytest.raises(DomainError) as err:
        services.payments_import(organisation=issued.org, rows=rows)
    problems = err.value.details["problems"]
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 4", "line 5"]
    assert "future" in problems[0] and "future" in problems[1] and "before the tax year" in problems[2]
    assert not Payment.objects.exists()


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
    p = pay(issued.notice_b, "1340.00", date(2026, 7, 15))  # late: 10 % penalty, 1 month surcharge
    assert (p.penalty_part, p.surcharge_part, p.excess_part) == (D("120.00"), D("12.00"), D("8.00"))
    data = pdf.receipt_pdf(p, services.tax_office_for(issued.org))
    assert data.startswith(b"%PDF") and len(data) > 1000
