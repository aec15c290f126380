"""Words of the Smart Travel pages (Thai and English side by side)."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "travel_title": ("เที่ยวตำบล", "Visit the subdistrict"),
    "all": ("ทั้งหมด", "All"),
    "places": ("ที่เที่ยว", "Places"),
    "homestays": ("โฮมสเตย์", "Homestays"),
    "events": ("งานประเพณี", "Events"),
    "directions": ("นำทาง", "Directions"),
    "call": ("โทร", "Call"),
    "qr": ("QR ของสถานที่นี้", "QR of this place"),
    "nothing": ("ยังไม่มีรายการ", "Nothing listed yet"),
    "back": ("กลับ", "Back"),
    "map": ("แผนที่", "Map"),
}


def words(lang: str) -> dict[str, str]:
    i = 1 if lang == "en" else 0
    return {k: v[i] for k, v in WORDS.items()}
