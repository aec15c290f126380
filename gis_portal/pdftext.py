"""Thai text in PDFs: fonts, HarfBuzz shaping and the canvas every PDF of the product draws on.

Thai places tone marks and upper vowels by context: a tone mark sits low over a bare consonant
(ท่าน, ค่า) and high over an upper vowel (ที่, ญี่ปุ่น), shifts left under a tall consonant (ป่า,
ฝั่ง), climbs over the nikhahit of sara am (น้ำ, ป่ำ); ฐ and ญ lose their tails over a lower vowel.
A PDF drawn glyph-by-code (ReportLab's default) gets none of this: every mark keeps one place.

ReportLab shapes text with HarfBuzz (uharfbuzz) on its canvas only when its optional bidi add-on
is installed, which PyPI does not carry; its shaped-string support itself needs only uharfbuzz.
:class:`ThaiCanvas` therefore shapes every ``drawString``/``drawRightString``/``drawCentredString``
itself (:func:`shape`) and hands ReportLab the shaped string, whose glyph substitutions and
offsets ReportLab writes into the page. Any PDF drawn on a :class:`ThaiCanvas` with the fonts of
:func:`register_fonts` is shaped; nothing else is needed at the call sites.

The Thai fonts (fonts-thai-tlwg) name their positional variants ``uni0E48.low``, ``uni0E10.descless``
and map them to private-use code points; :class:`ShapingTTFont` writes the PDF's ToUnicode map so
that those glyphs copy, search and extract as the Thai letters they are.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import uharfbuzz
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, ShapedStr, TTFont, makeToUnicodeCMap, shapeStr
from reportlab.pdfgen.canvas import Canvas

_TLWG = Path("/usr/share/fonts/truetype/tlwg")
#: Font names registered with ReportLab: regular and bold of one Thai family (Garuda: clear at 7 pt).
REGULAR, BOLD = "ThaiSans", "ThaiSans-Bold"
#: The font files; any TrueType font with Thai OpenType tables can replace them (PDF_FONT, PDF_FONT_BOLD).
FONT_FILES = {
    REGULAR: Path(os.environ.get("PDF_FONT", _TLWG / "Garuda.ttf")),
    BOLD: Path(os.environ.get("PDF_FONT_BOLD", _TLWG / "Garuda-Bold.ttf")),
}
_VARIANT_NAME = re.compile(r"^uni([0-9A-F]{4,6})(?:\..+)?$")


class ShapingTTFont(TTFont):
    """A TrueType font whose PDF text maps positional variant glyphs back to their Thai letters."""

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename, shapable=True)

    def text_of(self, chars: list[int]) -> dict[int, str]:
        """Private-use code points among ``chars`` -> the Thai letter their glyph is a variant of."""
        found: dict[int, str] = {}
        hb_font = None
        for char in chars:
            if 0xE000 <= char <= 0xF8FF and char in self.face.charToGlyph:
                hb_font = hb_font or uharfbuzz.Font(self.hbFace)
                match = _VARIANT_NAME.match(hb_font.glyph_to_string(self.face.charToGlyph[char]))
                if match:
                    found[char] = chr(int(match[1], 16))
        return found

    def addObjects(self, doc) -> None:  # noqa: ANN001 (ReportLab's document)
        """ReportLab's subsets, then each subset's ToUnicode map rewritten with the Thai letters."""
        state = self.state.get(doc)
        subsets = [list(s) for s in state.subsets] if state else []
        super().addObjects(doc)
        for n, subset in enumerate(subsets):
            text_of = self.text_of(subset)
            if not text_of:
                continue
            base = (b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX))).decode("pdfdoc")
            stream = doc.idToObject.get("toUnicodeCMap:" + base)
            if stream is not None:
                stream.content = makeToUnicodeCMap(base, [ord(text_of.get(c, chr(c))) for c in subset])


@cache
def register_fonts() -> tuple[str, str]:
    """Register the regular and bold Thai fonts once per process; returns their names."""
    for name, path in FONT_FILES.items():
        if not path.exists():
            raise FileNotFoundError(f"Thai font {path} is missing (Debian package fonts-thai-tlwg)")
        pdfmetrics.registerFont(ShapingTTFont(name, str(path)))
    return REGULAR, BOLD


def shape(text: str, font: str, size: float) -> str:
    """``text`` shaped by HarfBuzz for ``font`` (a ShapedStr), or as it is for a font that cannot be."""
    if not text or isinstance(text, ShapedStr):
        return text
    if not getattr(pdfmetrics.getFont(font), "shapable", False):
        return text
    return shapeStr(text, font, size)


def width(text: str, font: str, size: float) -> float:
    """Advance width in points of ``text`` as it will be drawn (shaped)."""
    shaped = shape(text, font, size)
    if isinstance(shaped, ShapedStr):
        return sum(d.x_advance for d in shaped.__shapeData__) * size / 1000
    return pdfmetrics.stringWidth(text, font, size)


def fit_size(text: str, font: str, size: float, max_width: float, *, smallest: float = 6) -> float:
    """The largest size from ``size`` down (half-point steps, not below ``smallest``) that fits."""
    while size > smallest and width(text, font, size) > max_width:
        size -= 0.5
    return size


def wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Lines of ``text`` no wider than ``max_width``, broken at spaces (Thai puts spaces between
    phrases); a phrase longer than a line is broken between grapheme clusters, never inside one."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if width(candidate, font, size) <= max_width or not line:
                line = candidate
            else:
                lines.append(line)
                line = word
            while width(line, font, size) > max_width and len(_clusters(line)) > 1:
                head, line = _split_cluster_fit(line, font, size, max_width)
                lines.append(head)
        lines.append(line)
    return lines


_MARK = re.compile(r"[\u0E31\u0E33-\u0E3A\u0E47-\u0E4E]")


def _clusters(text: str) -> list[str]:
    """Grapheme clusters enough for Thai: a base letter with the marks that follow it."""
    out: list[str] = []
    for ch in text:
        if out and _MARK.match(ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _split_cluster_fit(text: str, font: str, size: float, max_width: float) -> tuple[str, str]:
    parts = _clusters(text)
    head = parts[0]
    for i in range(1, len(parts)):
        if width(head + parts[i], font, size) > max_width:
            return head, "".join(parts[i:])
        head += parts[i]
    return head, ""


class ThaiCanvas(Canvas):
    """A ReportLab canvas whose string drawing is shaped (see the module's docstring)."""

    def drawString(self, x, y, text, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201, N802
        kwargs.pop("shaping", None)
        return super().drawString(x, y, shape(text, self._fontname, self._fontsize), *args, **kwargs)

    def drawRightString(self, x, y, text, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201, N802
        kwargs.pop("shaping", None)
        return self.drawString(x - width(text, self._fontname, self._fontsize), y, text, *args, **kwargs)

    def drawCentredString(self, x, y, text, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201, N802
        kwargs.pop("shaping", None)
        w = width(text, self._fontname, self._fontsize)
        return self.drawString(x - w / 2, y, text, *args, **kwargs)

    def stringWidth(self, text, fontName=None, fontSize=None):  # noqa: ANN001, ANN201, N802, N803
        return width(text, fontName or self._fontname, fontSize or self._fontsize)
