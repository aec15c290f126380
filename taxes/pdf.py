"""PDF notices (ภ.ด.ส.6 with the ภ.ด.ส.7 calculation list) and receipts, in Thai, with PromptPay QR.

Dates are Buddhist Era (``25 พฤศจิกายน 2569``); the office can print Thai digits (๐-๙) in the text.
Every QR is a PromptPay bill payment payload (Thai QR tag 30): the office's biller id (tax id + the
suffix from its bank), ref1 = the notice number, ref2 by the office's policy, the amount, CRC16.
The QR payloads themselves always use Arabic digits, as the standard requires.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import qrcode
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader

from gis_portal import pdftext
from gis_portal.pdftext import ThaiCanvas as Canvas

from .models import Assessment, Payment, Ref2Policy, TaxOffice
from .promptpay import build_bill_payment_payload, make_biller_id

THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
FONT, BOLD = pdftext.REGULAR, pdftext.BOLD


def thai_digits(text: str) -> str:
    return text.translate(_THAI_DIGITS)


def thai_date(day: date, *, digits: bool = False) -> str:
    """``date(2026, 4, 30)`` -> ``30 เมษายน 2569`` (Buddhist Era), in Thai digits if asked."""
    text = f"{day.day} {THAI_MONTHS[day.month - 1]} {day.year + 543}"
    return thai_digits(text) if digits else text


def baht(amount: Decimal) -> str:
    return f"{amount:,.2f}"


@dataclass(frozen=True)
class PayCode:
    label_th: str
    amount: Decimal
    ref1: str
    ref2: str | None
    payload: str


def pay_codes(assessment: Assessment, office: TaxOffice) -> list[PayCode]:
    """The QR payloads of a notice: the full amount, and each installment when there are several.

    Empty when nothing is due or the organisation has no tax id (the notice then says so).
    """
    tax_id = assessment.organisation.tax_id
    if assessment.total <= 0 or not tax_id or not assessment.notice_number:
        return []
    biller = make_biller_id(tax_id, office.biller_suffix)
    year_be = str(assessment.tax_year.year + 543)

    def ref2(number: int) -> str | None:
        if office.ref2_policy == Ref2Policy.YEAR:
            return year_be
        if office.ref2_policy == Ref2Policy.INSTALLMENT:
            return str(number)
        return None

    codes = [
        PayCode(
            "ชำระเต็มจำนวน / pay in full",
            assessment.total,
            assessment.notice_number,
            ref2(0),
            build_bill_payment_payload(
                biller_id=biller, ref1=assessment.notice_number, ref2=ref2(0), amount=assessment.total
            ),
        )
    ]
    installments = list(assessment.installments.all())
    if len(installments) > 1:
        for inst in installments:
            codes.append(
                PayCode(
                    f"งวดที่ {inst.number} ภายใน {thai_date(inst.due_date)}",
                    inst.amount,
                    assessment.notice_number,
                    ref2(inst.number),
                    build_bill_payment_payload(
                        biller_id=biller,
                        ref1=assessment.notice_number,
                        ref2=ref2(inst.number),
                        amount=inst.amount,
                    ),
                )
            )
    return codes


def _qr_image(payload: str) -> ImageReader:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2)
    qr.add_data(payload)
    qr.make(fit=True)
    img = qr.make_image(fill_color="black", back_color="white")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    return ImageReader(buf)


class _Writer:
    """A small top-down text writer over a reportlab canvas (Thai font, optional Thai digits)."""

    def __init__(self, canvas: Canvas, digits: bool) -> None:
        self.c = canvas
        self.digits = digits
        self.width, self.height = A4
        self.left = 18 * mm
        self.right = self.width - 18 * mm
        self.y = self.height - 18 * mm

    def t(self, text: str) -> str:
        return thai_digits(text) if self.digits else text

    def need(self, space: float) -> None:
        if self.y - space < 20 * mm:
            self.c.showPage()
            self.y = self.height - 18 * mm

    def line(
        self, text: str, *, size: float = 10, bold: bool = False, indent: float = 0, right: str = ""
    ) -> None:
        width = self.right - self.left - indent - (35 * mm if right else 0)
        parts = pdftext.wrap(self.t(text), BOLD if bold else FONT, size, width) or [""]
        for i, part in enumerate(parts):
            self.need(size * 1.5)
            self.c.setFont(BOLD if bold else FONT, size)
            self.c.drawString(self.left + indent, self.y, part)
            if right and i == 0:
                self.c.drawRightString(self.right, self.y, self.t(right))
            self.y -= size * 1.45

    def gap(self, h: float = 4) -> None:
        self.y -= h

    def rule(self) -> None:
        self.c.setLineWidth(0.5)
        self.c.line(self.left, self.y + 6, self.right, self.y + 6)
        self.y -= 4


def _notice(w: _Writer, a: Assessment, office: TaxOffice) -> None:
    org = a.organisation
    year_be = a.tax_year.year + 543
    notice_day = a.tax_year.notice_date or (a.issued_at.date() if a.issued_at else date.today())
    party = a.party
    w.line("ภ.ด.ส.6", size=9, right=f"เลขที่แบบแจ้ง {a.notice_number}")
    w.gap(6)
    w.line(f"แบบแจ้งการประเมินภาษีที่ดินและสิ่งปลูกสร้าง ประจำปีภาษี พ.ศ. {year_be}", size=15, bold=True)
    w.line(org.name_th, size=12, bold=True)
    if org.address:
        w.line(org.address, size=9)
    w.line(f"วันที่ {thai_date(notice_day)}", size=10)
    w.gap()
    w.line(f"เรียน {party.display_name}", size=11, bold=True)
    w.line(
        "ตามพระราชบัญญัติภาษีที่ดินและสิ่งปลูกสร้าง พ.ศ. 2562 พนักงานประเมินได้ประเมินภาษีที่ดินและสิ่งปลูกสร้าง"
        " ของท่านตามรายการคำนวณ (ภ.ด.ส.7) ที่แนบ ดังนี้",
        size=10,
    )
    w.gap()
    w.line("ราคาประเมินทุนทรัพย์รวม", right=baht(a.value), indent=6 * mm)
    w.line("หักมูลค่าที่ได้รับยกเว้น", right=baht(a.exemption), indent=6 * mm)
    w.line("ภาษีที่ต้องชำระ", right=f"{baht(a.total)} บาท", bold=True, indent=6 * mm, size=12)
    installments = list(a.installments.all())
    if installments:
        if len(installments) > 1:
            w.line("ท่านมีสิทธิผ่อนชำระเป็นงวด ดังนี้ (หรือชำระเต็มจำนวนภายในงวดที่ 1)", size=10)
        for inst in installments:
            w.line(
                f"งวดที่ {inst.number} ชำระภายใน {thai_date(inst.due_date)}",
                right=baht(inst.amount),
                indent=6 * mm,
            )
        if a.issue_batch_id and a.issue_batch.office_dates:
            w.line(f"กำหนดชำระตามที่ {org.name_th} กำหนด (มาตรา 14): {a.issue_batch.reason}", size=9)
        w.line(
            "หากไม่ชำระภายในกำหนด ต้องเสียเงินเพิ่มร้อยละ 1 ต่อเดือนของภาษีที่ค้าง (เศษของเดือนนับเป็นหนึ่งเดือน มาตรา 70) "
            "และเบี้ยปรับร้อยละ 10 ถ้าชำระก่อนได้รับหนังสือแจ้งเตือน ร้อยละ 20 ถ้าชำระภายในเวลาที่หนังสือแจ้งเตือนกำหนด "
            "หรือร้อยละ 40 (มาตรา 68-69)",
            size=9,
        )
    else:
        w.line("ไม่มีภาษีที่ต้องชำระ", size=10)
    codes = pay_codes(a, office)
    if a.total > 0 and not codes:
        w.line("ยังไม่ได้ตั้งเลขประจำตัวผู้เสียภาษีของ อปท. จึงไม่มี QR ชำระเงิน กรุณาชำระที่สำนักงาน", size=10, bold=True)
    if codes:
        w.gap(6)
        w.line("ชำระผ่านแอปธนาคาร (Thai QR Payment / PromptPay) โดยสแกน QR ด้านล่าง หรือชำระที่สำนักงาน", size=10)
        size = 42 * mm if len(codes) > 1 else 55 * mm
        per_row = 3 if len(codes) > 1 else 1
        first, rest = codes[:1], codes[1:]
        for row in (first, *[rest[i : i + per_row] for i in range(0, len(rest), per_row)]):
            if not row:
                continue
            w.need(size + 30)
            top = w.y
            for i, code in enumerate(row):
                x = w.left + i * (size + 12 * mm)
                w.c.drawImage(_qr_image(code.payload), x, top - size, size, size)
                w.c.setFont(FONT, 7.5)
                w.c.drawString(x, top - size - 9, w.t(code.label_th))
                w.c.drawString(x, top - size - 19, w.t(f"{baht(code.amount)} บาท"))
                w.c.drawString(x, top - size - 29, f"Ref1 {code.ref1}  Ref2 {code.ref2 or '-'}")
            w.y = top - size - 42
    w.gap()
    w.line(f"พนักงานประเมิน {office.officer_name or '................................'}", size=10)
    w.c.showPage()
    _property_list(w, a)


def _property_list(w: _Writer, a: Assessment) -> None:
    w.y = w.height - 18 * mm
    d = a.itemised
    w.line("ภ.ด.ส.7", size=9, right=f"เลขที่แบบแจ้ง {a.notice_number or '-'}")
    w.gap(6)
    w.line(f"รายการคำนวณภาษีที่ดินและสิ่งปลูกสร้าง ประจำปีภาษี พ.ศ. {a.tax_year.year + 543}", size=14, bold=True)
    w.line(f"ผู้เสียภาษี {a.party.display_name}", size=11)
    w.gap()
    w.line("1. ราคาประเมินทุนทรัพย์", bold=True)
    for v in d.get("valuations", []):
        w.line(f"{v['property_ref']}: {v['text_th']}", size=9, indent=4 * mm, right=baht(Decimal(v["value"])))
    w.gap()
    w.line("2. การคำนวณภาษี", bold=True)
    for line in d.get("lines", []):
        w.line(line["text_th"], size=9, indent=4 * mm, right=baht(Decimal(line["amount"])))
    w.line("รวมภาษีที่ต้องชำระ", bold=True, right=baht(a.total))
    notes = d.get("notes", []) + d.get("register_notes", [])
    if notes:
        w.gap()
        w.line("หมายเหตุ", bold=True)
        for n in notes:
            w.line(f"- {n['text_th']}", size=8.5, indent=4 * mm)
    sources = (a.tax_year.rules or {}).get("sources", [])
    if sources:
        w.gap()
        w.line("ที่มาของอัตราและเงื่อนไขปีนี้", bold=True, size=9.5)
        for src in sources:
            gazette = (
                f" (ราชกิจจานุเบกษา {thai_date(date.fromisoformat(src['gazette']))})"
                if src.get("gazette")
                else ""
            )
            w.line(f"- {src.get('title_th', '')} {src.get('section', '')}{gazette}", size=7.5, indent=4 * mm)
    w.c.showPage()


def notices_pdf(assessments: Iterable[Assessment], office: TaxOffice) -> bytes:
    """One PDF with each notice (ภ.ด.ส.6) followed by its calculation list (ภ.ด.ส.7)."""
    pdftext.register_fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=True)
    canvas.setTitle("ภ.ด.ส.6")
    count = 0
    for a in assessments:
        _notice(_Writer(canvas, office.thai_digits), a, office)
        count += 1
    if count == 0:
        w = _Writer(canvas, office.thai_digits)
        w.line("ไม่มีแบบแจ้งที่ออกแล้ว / no issued notices")
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def receipt_pdf(payment: Payment, office: TaxOffice) -> bytes:
    pdftext.register_fonts()
    a = payment.assessment
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=True)
    w = _Writer(canvas, office.thai_digits)
    w.line(f"ใบเสร็จรับเงิน เลขที่ {payment.receipt_number}", size=15, bold=True)
    w.line(a.organisation.name_th, size=12, bold=True)
    w.line(f"วันที่ชำระ {thai_date(payment.paid_on)}")
    w.line(f"ได้รับเงินจาก {a.party.display_name}")
    w.line(f"ภาษีที่ดินและสิ่งปลูกสร้าง ปีภาษี พ.ศ. {a.tax_year.year + 543} แบบแจ้งเลขที่ {a.notice_number}")
    w.gap()
    w.line("ค่าภาษี", right=baht(payment.tax_part), indent=6 * mm)
    if payment.penalty_part:
        section = "มาตรา 69" if payment.penalty_percent == 20 else "มาตรา 68"
        w.line(
            f"เบี้ยปรับ ร้อยละ {payment.penalty_percent:g} ({section})",
            right=baht(payment.penalty_part),
            indent=6 * mm,
        )
    else:
        w.line("เบี้ยปรับ", right=baht(payment.penalty_part), indent=6 * mm)
    w.line("เงินเพิ่ม (มาตรา 70)", right=baht(payment.surcharge_part), indent=6 * mm)
    if payment.excess_part:
        w.line("ชำระเกิน (รอคืนเงิน)", right=baht(payment.excess_part), indent=6 * mm)
    w.line("รวมเงิน", right=f"{baht(payment.amount)} บาท", bold=True, indent=6 * mm)
    channel = "ชำระที่สำนักงาน" if payment.channel == "counter" else f"ธนาคาร อ้างอิง {payment.bank_reference}"
    w.line(f"ช่องทาง: {channel}", size=9)
    w.gap(20)
    w.line("ลงชื่อ ........................................ ผู้รับเงิน")
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def notice_payloads(assessments: Sequence[Assessment], office: TaxOffice) -> dict[str, list[str]]:
    """Notice number -> the payloads printed on it (for checks and tests)."""
    return {a.notice_number: [c.payload for c in pay_codes(a, office)] for a in assessments}
