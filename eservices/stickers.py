"""A4 sheets of household QR stickers (reportlab with shaped Thai text, QR from qrcode)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from gis_portal import pdftext
from gis_portal.pdftext import ThaiCanvas as Canvas

FONT, FONT_BOLD = pdftext.REGULAR, pdftext.BOLD

COLS, ROWS = 2, 4
MARGIN_X, MARGIN_Y = 10 * mm, 12 * mm
GAP = 4 * mm
CELL_W = (A4[0] - 2 * MARGIN_X - (COLS - 1) * GAP) / COLS
CELL_H = (A4[1] - 2 * MARGIN_Y - (ROWS - 1) * GAP) / ROWS
QR_SIZE = 52 * mm


@dataclass
class Sticker:
    url: str
    house_number: str
    village_number: int
    village_name: str
    office_name: str
    office_phone: str


def _draw_qr(c: Canvas, url: str, x: float, y: float, size: float) -> None:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.get_matrix()  # includes the quiet zone
    n = len(matrix)
    cell = size / n
    c.setFillColor(white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(black)
    for r, row in enumerate(matrix):
        run_start = None
        for col, dark in enumerate([*row, False]):
            if dark and run_start is None:
                run_start = col
            elif not dark and run_start is not None:
                # One rectangle per run of dark modules (slightly overdrawn: no hairline gaps).
                c.rect(
                    x + run_start * cell,
                    y + size - (r + 1) * cell,
                    (col - run_start) * cell + 0.05,
                    cell + 0.05,
                    stroke=0,
                    fill=1,
                )
                run_start = None


def _draw_sticker(c: Canvas, s: Sticker, x: float, y: float) -> None:
    c.setStrokeColor(black)
    c.setDash(2, 2)
    c.rect(x, y, CELL_W, CELL_H, stroke=1, fill=0)  # cut line
    c.setDash()
    _draw_qr(c, s.url, x + 3 * mm, y + (CELL_H - QR_SIZE) / 2, QR_SIZE)
    tx = x + QR_SIZE + 6 * mm
    tw = CELL_W - QR_SIZE - 9 * mm
    top = y + CELL_H - 9 * mm
    c.setFillColor(black)
    c.setFont(FONT, 8)
    c.drawString(tx, top, "บ้านเลขที่ / House no.")
    size = pdftext.fit_size(s.house_number, FONT_BOLD, 26, tw)
    c.setFont(FONT_BOLD, size)
    c.drawString(tx, top - 10 * mm, s.house_number)
    village = f"หมู่ {s.village_number} {s.village_name}"
    c.setFont(FONT, pdftext.fit_size(village, FONT, 11, tw))
    c.drawString(tx, top - 17 * mm, village)
    c.setFont(FONT_BOLD, pdftext.fit_size("สแกนเพื่อรับบริการ", FONT_BOLD, 11, tw))
    c.drawString(tx, top - 25 * mm, "สแกนเพื่อรับบริการ")
    c.setFont(FONT, 8)
    c.drawString(tx, top - 29 * mm, "Scan for council services")
    c.setFont(FONT, pdftext.fit_size(s.office_name, FONT, 8, tw))
    c.drawString(tx, top - 36 * mm, s.office_name)
    if s.office_phone:
        c.setFont(FONT, 9)
        c.drawString(tx, top - 41 * mm, f"โทร. {s.office_phone}")
    c.setFont(FONT, 6.5)
    c.drawString(tx, y + 3 * mm, "ห้ามลอกหรือทำซ้ำ / do not copy")


def render_stickers(stickers: Sequence[Sticker]) -> bytes:
    """A PDF of A4 pages, 8 stickers a page, each with its QR, house number, village and office."""
    pdftext.register_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle("Household QR stickers")
    per_page = COLS * ROWS
    for i, sticker in enumerate(stickers):
        if i and i % per_page == 0:
            c.showPage()
        k = i % per_page
        col, row = k % COLS, k // COLS
        x = MARGIN_X + col * (CELL_W + GAP)
        y = A4[1] - MARGIN_Y - (row + 1) * CELL_H - row * GAP
        _draw_sticker(c, sticker, x, y)
    if not stickers:
        c.setFont(FONT, 12)
        c.drawString(MARGIN_X, A4[1] - MARGIN_Y, "ไม่มีครัวเรือน / no households")
    c.showPage()
    c.save()
    return buf.getvalue()


def stickers_for(households: Sequence, tokens: dict[int, str], url_for) -> list[Sticker]:  # noqa: ANN001
    return [
        Sticker(
            url=url_for(tokens[h.pk]),
            house_number=h.house_number,
            village_number=h.village.number,
            village_name=h.village.name_th,
            office_name=h.organisation.name_th,
            office_phone=h.organisation.phone,
        )
        for h in households
    ]
