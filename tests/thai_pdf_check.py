"""Is a PDF's Thai text shaped? Compare it, glyph by glyph, with HarfBuzz's own layout.

Every string the product draws goes through :class:`gis_portal.pdftext.ThaiCanvas`; while a PDF is
made, :func:`recording` notes each run (page, position, font, size, text). The reference is built
independently of ReportLab: uharfbuzz shapes each run with the same font file, and every glyph it
returns is drawn with Pillow (FreeType) at HarfBuzz's position (pen + x/y offset), by its own code
point in the font, so tone marks and vowels land where the font's OpenType rules put them. The PDF
page is rasterised by poppler (``pdftoppm``) at the same resolution and each run's box is compared:
ink of one that has no ink of the other within ``TOLERANCE_PX`` is a misplaced glyph.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from unittest import mock

import numpy as np
import uharfbuzz as hb
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.ttfonts import TTFontFile

from gis_portal import pdftext

DPI = 200
TOLERANCE_PX = 2
THAI_MARKS = re.compile(r"[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]")


@dataclass(frozen=True)
class Run:
    page: int
    x: float
    y: float
    font: str
    size: float
    text: str


@contextmanager
def recording() -> Iterator[list[Run]]:
    """Note every string drawn on a ThaiCanvas while the block runs."""
    runs: list[Run] = []
    original = pdftext.ThaiCanvas.drawString

    def spy(self, x, y, text, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        runs.append(Run(self.getPageNumber(), float(x), float(y), self._fontname, self._fontsize, str(text)))
        return original(self, x, y, text, *args, **kwargs)

    with mock.patch.object(pdftext.ThaiCanvas, "drawString", spy):
        yield runs


@cache
def _font(name: str) -> tuple[hb.Font, int, dict[int, int]]:
    path = pdftext.FONT_FILES[name]
    face = hb.Face(path.read_bytes())
    font = hb.Font(face)
    glyph_to_char = {g: c for c, g in sorted(TTFontFile(str(path)).charToGlyph.items(), reverse=True)}
    return font, face.upem, glyph_to_char


@cache
def _pil_font(name: str, px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(pdftext.FONT_FILES[name]), px, layout_engine=ImageFont.Layout.BASIC)


def harfbuzz_glyphs(text: str, font_name: str) -> list[tuple[int, int, int, int]]:
    """(glyph id, x position, y offset, advance) in font units, as HarfBuzz lays ``text`` out."""
    font, _, _ = _font(font_name)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf, {"kern": True, "liga": True})
    out, pen = [], 0
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        out.append((info.codepoint, pen + pos.x_offset, pos.y_offset, pos.x_advance))
        pen += pos.x_advance
    return out


def reference_page(runs: list[Run], page: int, size_px: tuple[int, int]) -> Image.Image:
    """The page's text as HarfBuzz places it (white page, black glyphs)."""
    image = Image.new("L", size_px, 255)
    draw = ImageDraw.Draw(image)
    scale_pt = DPI / 72
    page_h = size_px[1]
    for run in runs:
        if run.page != page:
            continue
        _, upem, glyph_to_char = _font(run.font)
        px = run.size * scale_pt
        unit = px / upem
        pil_font = _pil_font(run.font, px)
        for gid, x, y_off, _adv in harfbuzz_glyphs(run.text, run.font):
            char = glyph_to_char.get(gid)
            if char is None or chr(char).isspace():
                continue
            gx = run.x * scale_pt + x * unit
            gy = page_h - run.y * scale_pt - y_off * unit
            draw.text((gx, gy), chr(char), font=pil_font, fill=0, anchor="ls")
    return image


def render_pdf(pdf: bytes, tmp_path: Path) -> list[Image.Image]:
    src = tmp_path / "check.pdf"
    src.write_bytes(pdf)
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-r", str(DPI), "-gray", "-png", str(src), str(tmp_path / "page")],  # noqa: S607
        check=True,
    )
    return [Image.open(p).convert("L") for p in sorted(tmp_path.glob("page*.png"))]


def _box(run: Run, page_h: int) -> tuple[int, int, int, int]:
    scale = DPI / 72
    w = pdftext.width(run.text, run.font, run.size) * scale
    base = page_h - run.y * scale
    px = run.size * scale
    return (int(run.x * scale - 3), int(base - 1.15 * px), int(run.x * scale + w + 3), int(base + 0.45 * px))


def misplaced_ink(rendered: Image.Image, reference: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Pixels inked in one image with no ink within TOLERANCE_PX in the other, inside ``box``."""
    r = TOLERANCE_PX
    outer = (box[0] - r, box[1] - r, box[2] + r, box[3] + r)  # so ink just outside the box counts
    a = np.asarray(rendered.crop(outer)) < 128
    b = np.asarray(reference.crop(outer)) < 128
    inner = (slice(r, -r), slice(r, -r))
    return int((a & ~_grow(b))[inner].sum() + (b & ~_grow(a))[inner].sum())


def _grow(ink: np.ndarray, r: int = TOLERANCE_PX) -> np.ndarray:
    padded = np.pad(ink, r)
    h, w = ink.shape
    out = np.zeros_like(ink)
    for dy in range(2 * r + 1):
        for dx in range(2 * r + 1):
            out |= padded[dy : dy + h, dx : dx + w]
    return out


def shaping_errors(pdf: bytes, runs: list[Run], tmp_path: Path) -> list[tuple[str, int]]:
    """(text, misplaced pixels) of every run with Thai marks whose rendering departs from HarfBuzz."""
    pages = render_pdf(pdf, tmp_path)
    errors = []
    for number, page in enumerate(pages, start=1):
        reference = reference_page(runs, number, page.size)
        for run in runs:
            if run.page != number or not THAI_MARKS.search(run.text):
                continue
            bad = misplaced_ink(page, reference, _box(run, page.size[1]))
            if bad > 4:
                errors.append((run.text, bad))
    return errors


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text as a reader copies it, spaces dropped (poppler splits marks set by offsets)."""
    src = tmp_path / "text.pdf"
    src.write_bytes(pdf)
    out = subprocess.run(  # noqa: S603
        ["pdftotext", "-raw", "-enc", "UTF-8", str(src), "-"],
        check=True,
        capture_output=True,
        text=True,  # noqa: S607
    ).stdout
    return comparable(out)


def comparable(text: str) -> str:
    """Text without spaces, sara am as nikhahit + sara aa with the tone mark first (the PDF keeps the
    order HarfBuzz draws: nikhahit, tone, aa)."""
    text = unicodedata.normalize("NFKC", re.sub(r"\s+", "", text))
    return re.sub("\u0e4d([\u0e48-\u0e4b])", "\\1\u0e4d", text)


PAGE_PX = (round(A4[0] * DPI / 72), round(A4[1] * DPI / 72))
