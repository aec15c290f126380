"""Is this imagery a drone survey of the organisation? Refuse files of elsewhere or of the wrong scale.

Checked right after the file itself (``raster.inspect_raster``) and before anything is stored, so a
refused file leaves no record and no copy. Two checks:

- **Place**: the raster's extent must overlap the organisation's boundary. A file of another
  continent (a web-mercator image of the Caribbean, say) is refused with its distance in km.
- **Scale**: an orthomosaic coarser than ``IMAGERY_MAX_ORTHO_PIXEL_M`` (1 m) or an elevation model
  coarser than ``IMAGERY_MAX_ELEVATION_PIXEL_M`` (5 m) is no drone survey (a 76 m-per-pixel web-map
  image of a whole country, say), even when it happens to cover the organisation.
"""

from __future__ import annotations

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Polygon

from parcels.models import Organisation

from . import conf
from .raster import ImageryInputError, RasterInfo


def _km(metres: float) -> str:
    return f"{metres / 1000:,.0f}" if metres >= 10_000 else f"{metres / 1000:,.1f}"


def check_scale(info: RasterInfo, kind: str) -> None:
    """Refuse a pixel size no drone survey has."""
    if kind == "ortho":
        limit, what_en, what_th = conf.max_ortho_pixel_m(), "An orthomosaic", "ภาพถ่ายออร์โธ"
    else:
        limit, what_en, what_th = conf.max_elevation_pixel_m(), "An elevation model", "แบบจำลองความสูง"
    size = info.ground_resolution_m
    if size > limit:
        raise ImageryInputError(
            "pixel_too_coarse",
            f"{what_en} from a drone survey has pixels of a few centimetres; this file's pixels are "
            f"{size:,.2f} m on the ground (at most {limit:g} m is accepted): it is not drone imagery",
            f"{what_th}จากการบินโดรนมีขนาดจุดภาพไม่กี่เซนติเมตร ไฟล์นี้มีขนาดจุดภาพ {size:,.2f} เมตรบนพื้นดิน "
            f"(รับได้ไม่เกิน {limit:g} เมตร) จึงไม่ใช่ภาพจากโดรน",
            pixel_size_m=round(size, 3),
            limit_m=limit,
        )


def distance_to_organisation_m(
    organisation: Organisation, bounds_4326: tuple[float, float, float, float]
) -> float:
    """Shortest distance (m, on the sphere) from the extent to the organisation's area; 0 on overlap."""
    extent = Polygon.from_bbox(bounds_4326)
    extent.srid = 4326
    value = (
        Organisation.objects.filter(pk=organisation.pk)
        .annotate(d=Distance("boundary", extent))
        .values_list("d", flat=True)
        .get()
    )
    return float(value.m)


def check_place(organisation: Organisation, info: RasterInfo) -> None:
    """Refuse imagery whose extent does not overlap the organisation's area."""
    distance = distance_to_organisation_m(organisation, info.bounds_4326)
    if distance > 0:
        west, south, east, north = info.bounds_4326
        raise ImageryInputError(
            "outside_organisation",
            f"This file lies {_km(distance)} km from the area of "
            f"{organisation.name_en or organisation.name_th} (its extent: {south:.4f}..{north:.4f}° N, "
            f"{west:.4f}..{east:.4f}° E); check its coordinate system or upload it to the right organisation",
            f"ไฟล์นี้อยู่ห่างจากเขต{organisation.name_th} {_km(distance)} กม. "
            f"(ขอบเขตของไฟล์: ละติจูด {south:.4f}..{north:.4f} ลองจิจูด {west:.4f}..{east:.4f}) "
            "กรุณาตรวจสอบระบบพิกัด หรืออัปโหลดให้ถูกหน่วยงาน",
            distance_km=round(distance / 1000, 1),
        )


def check_placement(organisation: Organisation, info: RasterInfo, kind: str) -> None:
    """Both checks; raise :class:`ImageryInputError` (nothing stored yet) when the file does not fit."""
    check_scale(info, kind)
    check_place(organisation, info)
