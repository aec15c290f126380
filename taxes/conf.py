"""Settings of the tax app (move into settings.py); the PDF fonts are gis_portal.pdftext's."""

from __future__ import annotations

import os

from django.conf import settings

# Largest batch PDF of notices served from the web (the command line has no limit).
TAX_BATCH_PDF_MAX = int(getattr(settings, "TAX_BATCH_PDF_MAX", os.environ.get("TAX_BATCH_PDF_MAX", "2000")))
