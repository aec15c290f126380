"""The shared Thai PDF text path: shaped like HarfBuzz, extractable as Thai, measured as drawn."""

from __future__ import annotations

import io

import pytest
from reportlab.pdfgen.canvas import Canvas

from gis_portal import pdftext
from tests import thai_pdf_check as check

WORDS = "ท่าน ค่า ได้ ต้อง บ้าน หมู่ ที่ ญี่ปุ่น ป่า ฝั่ง น้ำ ป่ำ ฐูป"


def _page(canvas_class, text: str = WORDS) -> bytes:
    regular, bold = pdftext.register_fonts()
    buf = io.BytesIO()
    c = canvas_class(buf, pagesize=check.A4)
    c.setFont(regular, 14)
    c.drawString(40, 700, text)
    c.setFont(bold, 11)
    c.drawRightString(550, 650, text)
    c.drawCentredString(300, 600, text)
    c.save()
    return buf.getvalue()


def test_thai_runs_are_drawn_where_harfbuzz_puts_every_glyph(tmp_path):
    with check.recording() as runs:
        pdf = _page(pdftext.ThaiCanvas)
    assert len(runs) == 3
    assert check.shaping_errors(pdf, runs, tmp_path) == []
    assert check.pdf_text(pdf, tmp_path).count(check.comparable(WORDS)) == 3


def test_an_unshaped_page_fails_the_same_check(tmp_path, monkeypatch):
    """The comparison can fail: the same runs drawn without shaping put marks in the wrong place."""
    with check.recording() as runs:
        _page(pdftext.ThaiCanvas)
    monkeypatch.setattr(pdftext, "shape", lambda text, font, size: text)
    plain = _page(pdftext.ThaiCanvas)
    errors = dict(check.shaping_errors(plain, runs, tmp_path))
    assert set(errors) == {WORDS}
    assert min(errors.values()) > 50


def test_right_aligned_text_ends_at_its_anchor():
    regular, _ = pdftext.register_fonts()
    shaped = pdftext.width("ป่ำ", regular, 20)
    assert shaped == pytest.approx(Canvas(io.BytesIO()).stringWidth("ปา", regular, 20), abs=0.01)


def test_long_thai_phrases_wrap_between_letters_never_inside_one():
    regular, _ = pdftext.register_fonts()
    text = "ภาษีที่ดินและสิ่งปลูกสร้างที่ต้องชำระทั้งหมดของปีนี้" * 3
    lines = pdftext.wrap(text, regular, 10, 120)
    assert "".join(lines) == text and len(lines) > 2
    assert all(pdftext.width(line, regular, 10) <= 120 for line in lines)
    assert not any(check.THAI_MARKS.match(line[0]) for line in lines[1:])
