"""The QR sticker's Thai (บ้านเลขที่, หมู่, สแกนเพื่อรับบริการ, the office's name) shaped like HarfBuzz."""

from __future__ import annotations

import shutil

import pytest

from eservices import stickers
from tests import thai_pdf_check as check

pytestmark = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils")


def test_sticker_sheet_is_shaped_like_harfbuzz_and_reads_back_as_written(tmp_path):
    sheet = [
        stickers.Sticker(
            url=f"https://pangmu.example/h/{n}/",
            house_number=f"{n}/1",
            village_number=3,
            village_name="บ้านไม้ฮุงน้ำ",
            office_name="องค์การบริหารส่วนตำบลปางหมู",
            office_phone="053-613341",
        )
        for n in range(1, 4)
    ]
    with check.recording() as runs:
        data = stickers.render_stickers(sheet)
    assert sum(1 for r in runs if check.THAI_MARKS.search(r.text)) >= 3 * 4
    assert check.shaping_errors(data, runs, tmp_path) == []
    text = check.pdf_text(data, tmp_path)
    for phrase in ("บ้านเลขที่", "หมู่3บ้านไม้ฮุงน้ำ", "สแกนเพื่อรับบริการ", "ห้ามลอกหรือทำซ้ำ"):
        assert text.count(check.comparable(phrase)) == 3
