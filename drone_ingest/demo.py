"""A plausible RGB orthomosaic of part of an organisation's area, drawn from the register.

Forest texture where nothing is registered, bare tracks and yards around the parcels, fields
coloured by their land use with crop rows, bunds along parcel edges, and roofs from the building
footprints. It is written window by window to a GeoTIFF in the organisation's UTM zone and then
ingested through the same pipeline as a surveyor's upload, so tracing over it makes sense.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import rasterio
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Polygon
from django.db.models import OuterRef, Subquery
from rasterio.features import rasterize
from rasterio.transform import from_origin
from rasterio.windows import Window
from shapely import wkb

from gis_portal.errors import DomainError
from parcels.models import Building, LandUsePortion, Organisation, Parcel, RegisterStatus

from . import services
from .models import Orthomosaic

WINDOW_ROWS = 512

FIELD_COLOURS = {
    "agricultural": [(138, 160, 72), (176, 168, 96), (96, 140, 60), (150, 130, 84)],
    "residential": [(150, 140, 110), (120, 130, 80)],
    "other": [(170, 160, 140)],
    "vacant": [(120, 120, 70), (140, 128, 80)],
    "exempt": [(180, 170, 150)],
    "": [(130, 150, 80)],
}
ROOF_COLOURS = [(168, 72, 52), (150, 150, 156), (90, 110, 150), (120, 86, 60), (200, 200, 196)]
TRACK = (186, 160, 122)
FOREST = np.array([38, 78, 40], dtype=np.float32)


# --- textures (seamless across windows: functions of global pixel coordinates) -----------------


def _hash(ix: np.ndarray, iy: np.ndarray, seed: int) -> np.ndarray:
    h = (ix.astype(np.uint64) * np.uint64(73856093)) ^ (iy.astype(np.uint64) * np.uint64(19349663))
    h ^= np.uint64(seed * 83492791)
    h = (h ^ (h >> np.uint64(13))) * np.uint64(1274126177)
    return ((h >> np.uint64(16)) & np.uint64(0xFFFF)).astype(np.float32) / 65535.0


def value_noise(gx: np.ndarray, gy: np.ndarray, cell: float, seed: int) -> np.ndarray:
    """Smooth noise in [0, 1] at a scale of ``cell`` pixels."""
    fx, fy = gx / cell, gy / cell
    ix, iy = np.floor(fx).astype(np.int64), np.floor(fy).astype(np.int64)
    tx, ty = fx - ix, fy - iy
    tx, ty = tx * tx * (3 - 2 * tx), ty * ty * (3 - 2 * ty)
    a, b = _hash(ix, iy, seed), _hash(ix + 1, iy, seed)
    c, d = _hash(ix, iy + 1, seed), _hash(ix + 1, iy + 1, seed)
    return (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty


def forest_texture(row0: int, col0: int, rows: int, cols: int) -> np.ndarray:
    """Tree crowns: several octaves of noise over dark greens, shape (3, rows, cols) float32."""
    gy, gx = np.mgrid[row0 : row0 + rows, col0 : col0 + cols].astype(np.float32)
    crowns = (
        value_noise(gx, gy, 9, 1) * 0.55 + value_noise(gx, gy, 4, 2) * 0.3 + value_noise(gx, gy, 40, 3) * 0.15
    )
    shade = 0.55 + crowns * 0.9
    rgb = FOREST[:, None, None] * shade[None]
    rgb[1] += value_noise(gx, gy, 120, 4)[None][0] * 25
    return rgb


def _rows_texture(gx: np.ndarray, gy: np.ndarray, angle: float, spacing: float) -> np.ndarray:
    along = gx * np.cos(angle) + gy * np.sin(angle)
    return 0.85 + 0.15 * (np.sin(along * 2 * np.pi / spacing) > 0)


# --- register geometry -----------------------------------------------------------------------


def _area_of_interest(
    organisation: Organisation, srid: int, max_side_m: float
) -> tuple[float, float, float, float]:
    """A square of at most ``max_side_m`` around the median building (else the register's extent)."""
    points = list(
        Building.objects.filter(organisation=organisation)
        .annotate(p=Transform("footprint", srid))
        .values_list("p", flat=True)[:5000]
    )
    if not points:
        points = list(
            Parcel.objects.filter(organisation=organisation, status=RegisterStatus.ACTIVE)
            .annotate(p=Transform("geom", srid))
            .values_list("p", flat=True)[:5000]
        )
    if not points:
        raise DomainError(
            "no_register",
            "The organisation has no parcels or buildings to draw an orthomosaic from",
            "องค์กรนี้ยังไม่มีแปลงที่ดินหรืออาคารสำหรับสร้างภาพออร์โธ",
        )
    xs = np.array([g.centroid.x for g in points])
    ys = np.array([g.centroid.y for g in points])
    cx, cy = float(np.median(xs)), float(np.median(ys))
    half_w = min(max_side_m / 2, max(float(xs.max() - xs.min()) / 2 + 100, 200))
    half_h = min(max_side_m / 2, max(float(ys.max() - ys.min()) / 2 + 100, 200))
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def _shapes_in(model_qs, field: str, srid: int, box_utm: Polygon, extra: tuple[str, ...] = ()) -> list[tuple]:  # noqa: ANN001
    box_4326 = box_utm.transform(4326, clone=True)
    rows = (
        model_qs.filter(**{f"{field}__intersects": box_4326})
        .annotate(g=Transform(field, srid))
        .values_list("g", "pk", *extra)
    )
    return [(wkb.loads(bytes(row[0].wkb)), *row[1:]) for row in rows]


def render_demo_geotiff(
    organisation: Organisation,
    path: Path,
    *,
    resolution: float = 0.3,
    max_side_m: float = 1500,
    progress: Callable[[str], None] = print,
) -> Path:
    """Write the RGBA demo orthomosaic to ``path`` (tiled GeoTIFF), one strip of rows at a time."""
    srid = organisation.utm_srid or 32647
    west, south, east, north = _area_of_interest(organisation, srid, max_side_m)
    width, height = int((east - west) / resolution), int((north - south) / resolution)
    transform = from_origin(west, north, resolution, resolution)
    boundary_utm = organisation.boundary.transform(srid, clone=True)
    boundary = wkb.loads(bytes(boundary_utm.wkb))
    dominant = Subquery(
        LandUsePortion.objects.filter(parcel=OuterRef("pk")).order_by("-share_percent").values("category")[:1]
    )
    parcels_qs = Parcel.objects.filter(organisation=organisation, status=RegisterStatus.ACTIVE).annotate(
        use=dominant
    )
    buildings_qs = Building.objects.filter(organisation=organisation)
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 4,
        "dtype": "uint8",
        "crs": f"EPSG:{srid}",
        "transform": transform,
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "compress": "deflate",
        "zlevel": 1,
        "photometric": "RGB",
        "interleave": "pixel",
    }
    progress(f"rendering {width} × {height} px at {resolution} m in EPSG:{srid}")
    with rasterio.open(path, "w", **profile) as dst:
        dst.colorinterp = [
            rasterio.enums.ColorInterp.red,
            rasterio.enums.ColorInterp.green,
            rasterio.enums.ColorInterp.blue,
            rasterio.enums.ColorInterp.alpha,
        ]
        for row0 in range(0, height, WINDOW_ROWS):
            rows = min(WINDOW_ROWS, height - row0)
            window = Window(0, row0, width, rows)
            wt = rasterio.windows.transform(window, transform)
            top = north - row0 * resolution
            box = Polygon.from_bbox((west, top - rows * resolution, east, top))
            box.srid = srid
            rgb = forest_texture(row0, 0, rows, width)
            gy, gx = np.mgrid[row0 : row0 + rows, 0:width].astype(np.float32)
            grain = value_noise(gx, gy, 3, 7) * 0.2 + 0.9
            parcels = _shapes_in(parcels_qs, "geom", srid, box, ("use",))
            if parcels:
                # Tracks and yards: a band of bare earth around the registered land.
                near = rasterize(
                    [geom.buffer(6) for geom, _pk, _use in parcels],
                    out_shape=(rows, width),
                    transform=wt,
                    fill=0,
                    default_value=1,
                ).astype(bool)
                track = np.array(TRACK, dtype=np.float32)[:, None] * grain[near][None]
                rgb[:, near] = track
            if parcels:
                ids = rasterize(
                    [(geom, i + 1) for i, (geom, _pk, _use) in enumerate(parcels)],
                    out_shape=(rows, width),
                    transform=wt,
                    fill=0,
                    dtype="int32",
                )
                colours = np.zeros((len(parcels) + 1, 3), dtype=np.float32)
                angles = np.zeros(len(parcels) + 1, dtype=np.float32)
                spacing = np.ones(len(parcels) + 1, dtype=np.float32)
                for i, (_geom, pk, use) in enumerate(parcels, start=1):
                    palette = FIELD_COLOURS.get(use or "", FIELD_COLOURS[""])
                    colours[i] = palette[pk % len(palette)]
                    angles[i], spacing[i] = (pk * 0.7) % np.pi, 6 + pk % 5
                inside = ids > 0
                sel = ids[inside]
                texture = _rows_texture(gx[inside], gy[inside], angles[sel], spacing[sel]) * grain[inside]
                rgb[:, inside] = colours[sel].T * texture[None]
                edges = rasterize(
                    [geom.boundary for geom, _pk, _use in parcels],
                    out_shape=(rows, width),
                    transform=wt,
                    fill=0,
                    default_value=1,
                    all_touched=True,
                ).astype(bool)
                rgb[:, edges] = np.array([96, 104, 60], dtype=np.float32)[:, None]
            buildings = _shapes_in(buildings_qs, "footprint", srid, box)
            if buildings:
                ids = rasterize(
                    [(geom, i + 1) for i, (geom, _pk) in enumerate(buildings)],
                    out_shape=(rows, width),
                    transform=wt,
                    fill=0,
                    dtype="int32",
                )
                colours = np.zeros((len(buildings) + 1, 3), dtype=np.float32)
                ridge = np.zeros(len(buildings) + 1, dtype=np.float32)
                for i, (geom, pk) in enumerate(buildings, start=1):
                    colours[i] = ROOF_COLOURS[pk % len(ROOF_COLOURS)]
                    ridge[i] = row0 + (top - geom.centroid.y) / resolution
                roof = ids > 0
                sel = ids[roof]
                shade = np.where(gy[roof] < ridge[sel], 1.0, 0.8).astype(np.float32)
                rgb[:, roof] = colours[sel].T * shade[None]
                eaves = rasterize(
                    [geom.boundary for geom, _pk in buildings],
                    out_shape=(rows, width),
                    transform=wt,
                    fill=0,
                    default_value=1,
                    all_touched=True,
                ).astype(bool)
                rgb[:, eaves] *= 0.6
            alpha = rasterize([boundary], out_shape=(rows, width), transform=wt, fill=0, default_value=255)
            out = np.empty((4, rows, width), dtype=np.uint8)
            out[:3] = np.clip(rgb, 0, 255).astype(np.uint8)
            out[:3][:, alpha == 0] = 0
            out[3] = alpha
            dst.write(out, window=window)
            progress(f"rendered rows {row0 + rows}/{height}")
    return path


def ingest_demo_orthomosaic(
    organisation: Organisation,
    progress: Callable[[str], None] = print,
    *,
    resolution: float = 0.3,
    max_side_m: float = 1500,
    captured_on: dt.date | None = None,
) -> Orthomosaic:
    """Render the demo orthomosaic and ingest it synchronously through the imagery pipeline."""
    with tempfile.TemporaryDirectory(prefix="demo-ortho-") as tmp:
        path = render_demo_geotiff(
            organisation,
            Path(tmp) / f"{organisation.slug}-demo-ortho.tif",
            resolution=resolution,
            max_side_m=max_side_m,
            progress=progress,
        )
        ortho = services.ingest_file(
            organisation=organisation,
            path=path,
            captured_on=captured_on or dt.date.today(),
            title=f"ภาพออร์โธสาธิต / Demo orthomosaic ({organisation.slug})",
            queue=False,
        )
    last = {"pct": -10}

    def report(pct: int, stage: str) -> None:
        if pct - last["pct"] >= 10 or pct == 100:
            last["pct"] = pct
            progress(f"{pct}% {stage}")

    services.process_orthomosaic(ortho.pk, progress=report)
    ortho.refresh_from_db()
    if ortho.status != "ready":
        raise DomainError(
            "demo_ortho_failed",
            f"The demo orthomosaic failed: {ortho.error_en}",
            f"สร้างภาพออร์โธสาธิตไม่สำเร็จ: {ortho.error_th}",
        )
    return ortho
