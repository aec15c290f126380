"""Real public reference data kept beside the repository (``settings.SHARED_DATA_DIR``)."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon

from gis_portal.errors import DomainError

from .geometry import as_multipolygon

TAMBONS_FILE = "mueang_mae_hong_son_tambons_ocha.geojson"


def tambon_boundary(pcode: str, path: Path | None = None) -> MultiPolygon:
    """A tambon's boundary (OCHA/RTSD, EPSG:4326) by its P-code, e.g. ``TH580104`` for Pang Mu."""
    path = path or Path(settings.SHARED_DATA_DIR) / TAMBONS_FILE
    if not path.exists():
        raise DomainError(
            "reference_data_missing",
            f"Reference data {path} is missing; set SHARED_DATA_DIR to the folder that holds it",
            f"ไม่พบข้อมูลอ้างอิง {path} กรุณาตั้งค่า SHARED_DATA_DIR",
        )
    collection = json.loads(path.read_text(encoding="utf-8"))
    for feature in collection["features"]:
        if feature["properties"].get("ADM3_PCODE") == pcode:
            return as_multipolygon(GEOSGeometry(json.dumps(feature["geometry"]), srid=4326))
    raise DomainError("tambon_not_found", f"No tambon {pcode} in {path.name}", f"ไม่พบตำบล {pcode}")
