"""Settings of the tax app (move into settings.py): fonts of the PDF notices."""

from __future__ import annotations

import os

from django.conf import settings

TAX_PDF_FONT = getattr(
    settings, "TAX_PDF_FONT", os.environ.get("TAX_PDF_FONT", "/usr/share/fonts/truetype/tlwg/Garuda.ttf")
)
TAX_PDF_FONT_BOLD = getattr(
    settings,
    "TAX_PDF_FONT_BOLD",
    os.environ.get("TAX_PDF_FONT_BOLD", "/usr/share/fonts/truetype/tlwg/Garuda-Bold.ttf"),
)
# Largest batch PDF of notices served from the web (the command line has no limit).
TAX_BATCH_PDF_MAX = int(getattr(settings, "TAX_BATCH_PDF_MAX", os.environ.get("TAX_BATCH_PDF_MAX", "2000")))
