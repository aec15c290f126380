"""Reminder letters (หนังสือแจ้งเตือนให้ชำระภาษีค้างชำระ, Sec. 61) as one PDF per batch.

Drawn with the notice's own writer and helpers (:mod:`taxes.pdf` on the shaped Thai canvas of
:mod:`gis_portal.pdftext`: Buddhist-era dates, baht), so how the notices draw Thai text covers these
letters too. Each letter: its number, the notice it reminds of, the tax overdue, the date to pay by,
and what the penalty and surcharge become (Sec. 68-70), with a PromptPay QR for what is due on the
letter's date.
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from gis_portal import pdftext
from gis_portal.pdftext import ThaiCanvas as Canvas

from .collection import due_on
from .models import ReminderBatch, TaxOffice
from .pdf import FONT, _qr_image, _Writer, baht, thai_date
from .promptpay import build_bill_payment_payload, make_biller_id
from .taxyears import tax_year_rules


def reminders_pdf(batch: ReminderBatch, office: TaxOffice) -> bytes:
    """One letter per page for every reminder of the batch."""
    pdftext.register_fonts()
    ty = batch.tax_year
    org = ty.organisation
    rules = tax_year_rules(ty)
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=True)
    canvas.setTitle("หนังสือแจ้งเตือน")
    reminders = list(
        batch.reminders.select_related("assessment__party", "assessment__organisation").prefetch_related(
            "assessment__installments"
        )
    )
    for r in reminders:
        a = r.assessment
        w = _Writer(canvas, office.thai_digits)
        w.line("หนังสือแจ้งเตือน (มาตรา 61)", size=9, right=f"เลขที่ {r.number}")
        w.gap(6)
        w.line(
            f"หนังสือแจ้งเตือนให้ชำระภาษีที่ดินและสิ่งปลูกสร้างค้างชำระ ประจำปีภาษี พ.ศ. {ty.year + 543}", size=14, bold=True
        )
        w.line(org.name_th, size=12, bold=True)
        if org.address:
            w.line(org.address, size=9)
        w.line(f"วันที่ {thai_date(batch.issued_on)}", size=10)
        w.gap()
        w.line(f"เรียน {a.party.display_name}", size=11, bold=True)
        w.line(
            f"ตามที่ได้แจ้งการประเมินภาษีตามแบบแจ้งเลขที่ {a.notice_number} ภาษีจำนวน {baht(a.total)} บาท "
            f"ปรากฏว่าท่านยังมิได้ชำระภาษีที่ครบกำหนดแล้ว จำนวน {baht(r.overdue_tax)} บาท",
            size=10,
        )
        w.line(
            f"จึงขอให้ท่านชำระภาษีค้างชำระพร้อมเบี้ยปรับและเงินเพิ่ม ภายในวันที่ {thai_date(batch.pay_by)}",
            size=11,
            bold=True,
        )
        w.gap()
        due = due_on(a, batch.issued_on, rules, list(a.installments.all()))
        w.line("ยอดที่ต้องชำระ ณ วันที่ออกหนังสือนี้", size=10, bold=True)
        w.line("ภาษีที่ยังไม่ได้ชำระ", right=baht(due.tax), indent=6 * mm)
        w.line(
            f"เบี้ยปรับ (ร้อยละ {due.penalty_percent:g} หากชำระก่อนได้รับหนังสือนี้)",
            right=baht(due.penalty),
            indent=6 * mm,
        )
        w.line("เงินเพิ่มร้อยละ 1 ต่อเดือน (มาตรา 70)", right=baht(due.surcharge), indent=6 * mm)
        w.line("รวม", right=f"{baht(due.total)} บาท", bold=True, indent=6 * mm)
        w.gap()
        w.line(
            f"เมื่อได้รับหนังสือนี้แล้ว หากชำระภายในวันที่ {thai_date(batch.pay_by)} เบี้ยปรับเป็นร้อยละ "
            f"{rules.penalty_within_reminder_percent:g} ของภาษีค้างชำระ (มาตรา 69) หากชำระหลังจากนั้นเป็นร้อยละ "
            f"{rules.penalty_percent:g} (มาตรา 68) "
            f"และเงินเพิ่มร้อยละ {rules.surcharge_percent_per_month:g} ต่อเดือน "
            "ของภาษีค้างชำระ เศษของเดือนนับเป็นหนึ่งเดือน ไม่นำเบี้ยปรับมาคำนวณเงินเพิ่ม (มาตรา 70) "
            "หากไม่ชำระ อปท. อาจยึด อายัด และขายทอดตลาดทรัพย์สินเพื่อชำระภาษีค้าง (มาตรา 62)",
            size=9,
        )
        if org.tax_id and due.total > 0:
            payload = build_bill_payment_payload(
                biller_id=make_biller_id(org.tax_id, office.biller_suffix),
                ref1=a.notice_number,
                ref2=None,
                amount=due.total,
            )
            size = 40 * mm
            w.need(size + 30)
            top = w.y
            w.c.drawImage(_qr_image(payload), w.left, top - size, size, size)
            w.c.setFont(FONT, 8)
            w.c.drawString(w.left + size + 6 * mm, top - 12, w.t("ชำระผ่าน Thai QR Payment (PromptPay)"))
            w.c.drawString(
                w.left + size + 6 * mm, top - 24, w.t(f"{baht(due.total)} บาท (ยอด ณ วันที่ออกหนังสือ)")
            )
            w.c.drawString(w.left + size + 6 * mm, top - 36, f"Ref1 {a.notice_number}")
            w.y = top - size - 12
        w.gap(10)
        w.line(f"ผู้บริหารท้องถิ่น {org.name_th}", size=10)
        w.line(f"พนักงานเจ้าหน้าที่ {office.officer_name or '................................'}", size=10)
        canvas.showPage()
    if not reminders:
        _Writer(canvas, office.thai_digits).line("ไม่มีหนังสือแจ้งเตือนในชุดนี้ / no letters in this batch")
        canvas.showPage()
    canvas.save()
    return buf.getvalue()
