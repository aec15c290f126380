"""Raster work of the imagery pipeline: inspect and refuse bad input, convert to COG, footprint.

Nothing here reads a whole raster: the header is parsed before GDAL sees the file (decompression
bombs are refused from the declared size), the conversion is GDAL's COG driver (which streams in
blocks through a bounded block cache), and the footprint comes from a decimated overview.
"""

from __future__ import annotations

import math
import os
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import rasterio.shutil
import shapely
from pyproj import CRS as ProjCRS
from pyproj import Geod, Transformer
from rasterio.errors import RasterioError
from shapely.geometry import MultiPolygon as ShapelyMultiPolygon
from shapely.geometry import Polygon as ShapelyPolygon
from shapely.geometry import box, shape
from shapely.ops import unary_union

from gis_portal import untrusted
from gis_portal.crs import epsg_of_declared
from gis_portal.errors import DomainError

from . import conf

Progress = Callable[[float, str], None]

TIFF_TAG_WIDTH, TIFF_TAG_HEIGHT, TIFF_TAG_SAMPLES, TIFF_TAG_TILE_WIDTH = 256, 257, 277, 322
FOOTPRINT_MAX_SIDE = 1024
ELEVATION_KINDS = ("dsm", "dtm")  # one band of heights: the surface, or the bare ground


class ImageryInputError(DomainError):
    """The file itself is unusable: refused, nothing kept."""


def _refuse(code: str, en: str, th: str, **details: Any) -> ImageryInputError:
    return ImageryInputError(code, en, th, **details)


# --- header -----------------------------------------------------------------------------------


@dataclass
class TiffHeader:
    width: int
    height: int
    samples: int
    bigtiff: bool
    tiled: bool = False


def read_tiff_header(path: Path) -> TiffHeader:
    """Width, height and samples per pixel of the first image, from the TIFF header alone."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(16)
        if len(head) < 8 or head[:2] not in (b"II", b"MM"):
            raise _refuse(
                "not_tiff",
                "The file is not a TIFF/GeoTIFF image",
                "ไฟล์นี้ไม่ใช่ภาพ TIFF/GeoTIFF",
            )
        endian = "<" if head[:2] == b"II" else ">"
        magic = struct.unpack(endian + "H", head[2:4])[0]
        if magic == 42:
            bigtiff = False
            ifd = struct.unpack(endian + "I", head[4:8])[0]
        elif magic == 43 and len(head) >= 16:
            bigtiff = True
            ifd = struct.unpack(endian + "Q", head[8:16])[0]
        else:
            raise _refuse("not_tiff", "The file is not a TIFF/GeoTIFF image", "ไฟล์นี้ไม่ใช่ภาพ TIFF/GeoTIFF")
        count_fmt, count_len = ("Q", 8) if bigtiff else ("H", 2)
        entry_len = 20 if bigtiff else 12
        if ifd + count_len > size:
            raise truncated_error()
        f.seek(ifd)
        n = struct.unpack(endian + count_fmt, f.read(count_len))[0]
        if n > 10_000 or ifd + count_len + n * entry_len > size:
            raise truncated_error()
        raw = f.read(n * entry_len)
    tags: dict[int, int] = {}
    for i in range(n):
        entry = raw[i * entry_len : (i + 1) * entry_len]
        tag, typ = struct.unpack(endian + "HH", entry[:4])
        if tag == TIFF_TAG_TILE_WIDTH:
            tags[tag] = 1
        if tag not in (TIFF_TAG_WIDTH, TIFF_TAG_HEIGHT, TIFF_TAG_SAMPLES):
            continue
        value = entry[12:] if bigtiff else entry[8:]
        fmt = {3: "H", 4: "I", 16: "Q"}.get(typ)
        if fmt is None:
            continue
        tags[tag] = struct.unpack(endian + fmt, value[: struct.calcsize(fmt)])[0]
    if TIFF_TAG_WIDTH not in tags or TIFF_TAG_HEIGHT not in tags:
        raise _refuse("not_tiff", "The TIFF has no image size", "ไฟล์ TIFF ไม่ระบุขนาดภาพ")
    return TiffHeader(
        tags[TIFF_TAG_WIDTH],
        tags[TIFF_TAG_HEIGHT],
        tags.get(TIFF_TAG_SAMPLES, 1),
        bigtiff,
        tiled=TIFF_TAG_TILE_WIDTH in tags,
    )


def truncated_error() -> ImageryInputError:
    return _refuse(
        "truncated",
        "The file is incomplete (truncated or damaged); upload it again",
        "ไฟล์ไม่สมบูรณ์ (ขาดหายหรือเสียหาย) กรุณาอัปโหลดใหม่",
    )


def check_declared_size(header: TiffHeader) -> None:
    """Refuse absurd declared sizes (decompression bombs) before any pixel is read."""
    pixels = header.width * header.height * max(header.samples, 1)
    if header.width > conf.max_side() or header.height > conf.max_side() or pixels > conf.max_pixels():
        raise _refuse(
            "too_large",
            f"The image declares {header.width} × {header.height} × {header.samples} values, more than the "
            f"limit of {conf.max_pixels():,}; it is refused before reading",
            f"ภาพระบุขนาด {header.width} × {header.height} × {header.samples} ค่า เกินขีดจำกัด "
            f"{conf.max_pixels():,} จึงไม่รับไฟล์",
            width=header.width,
            height=header.height,
        )
    if header.width < 2 or header.height < 2:
        raise _refuse("too_small", "The image is smaller than 2 × 2 pixels", "ภาพมีขนาดเล็กกว่า 2 × 2 พิกเซล")


# --- inspection -------------------------------------------------------------------------------


@dataclass
class RasterInfo:
    width: int
    height: int
    band_count: int
    dtype: str
    crs: str
    crs_wkt: str
    pixel_size_x: float
    pixel_size_y: float
    ground_resolution_m: float
    bounds_4326: tuple[float, float, float, float]


# The only GDAL driver that may open an upload or a COG we wrote: a VRT, a GDAL WMS/XML file, a
# netCDF or anything else with a .tif name is refused by GDAL itself, not only by our header check.
RASTER_DRIVER = "GTiff"
# See gis_portal.untrusted: no side files, no directory listing, no network.
UNTRUSTED_GDAL_CONFIG = untrusted.UNTRUSTED_GDAL_CONFIG


def processing_env(**extra: Any) -> rasterio.Env:
    """A GDAL environment with a bounded block cache: memory must not grow with the file."""
    return rasterio.Env(
        GDAL_CACHEMAX=conf.gdal_cachemax_mb() * 1024 * 1024,  # rasterio takes bytes here
        GDAL_TIFF_INTERNAL_MASK="YES",
        **(UNTRUSTED_GDAL_CONFIG | extra),
    )


def open_raster(path: Path, **kwargs: Any) -> Any:
    """Open a local GeoTIFF with the GTiff driver only (inside :func:`processing_env`)."""
    path = Path(path)
    if str(path).startswith("/vsi") or (not path.is_absolute() and ":" in str(path)):
        raise ValueError(f"a local file path is required, not {str(path)!r}")
    return rasterio.open(path, driver=RASTER_DRIVER, **kwargs)


def _crs_label(crs: rasterio.crs.CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else (crs.to_string()[:60])


def inspect_raster(path: Path, kind: str) -> RasterInfo:
    """Check that ``path`` is a usable georeferenced raster of ``kind``; raise ImageryInputError if not."""
    header = read_tiff_header(path)
    check_declared_size(header)
    with processing_env():
        try:
            src = open_raster(path)
        except RasterioError as exc:
            raise _refuse(
                "unreadable",
                f"The TIFF cannot be read (damaged or truncated): {exc}",
                "อ่านไฟล์ TIFF ไม่ได้ (เสียหายหรือไม่สมบูรณ์)",
            ) from None
        with src:
            _check_complete(src, path)
            if src.crs is None or (src.transform.is_identity and not src.gcps[0]):
                raise _refuse(
                    "no_georeference",
                    "The TIFF has no georeference (no coordinate system or position); export a GeoTIFF",
                    "ไฟล์ TIFF ไม่มีพิกัดอ้างอิงทางภูมิศาสตร์ กรุณาส่งออกเป็น GeoTIFF",
                )
            if src.transform.is_identity:
                raise _refuse(
                    "gcps_only",
                    "The TIFF is positioned by control points only; export it orthorectified",
                    "ไฟล์ TIFF มีเพียงจุดควบคุม (GCP) กรุณาส่งออกภาพที่ปรับแก้แล้ว",
                )
            bounds = _bounds_4326(src)
            _check_crs_allowed(src)
            _check_bands(src, kind)
            px, py = abs(src.transform.a), abs(src.transform.e)
            if src.transform.b or src.transform.d:
                raise _refuse("rotated", "Rotated rasters are not accepted", "ไม่รับภาพที่มีการหมุน (rotated)")
            return RasterInfo(
                width=src.width,
                height=src.height,
                band_count=src.count,
                dtype=src.dtypes[0],
                crs=_crs_label(src.crs),
                crs_wkt=src.crs.to_wkt(),
                pixel_size_x=px,
                pixel_size_y=py,
                ground_resolution_m=_ground_resolution(src.crs, px, py, bounds),
                bounds_4326=bounds,
            )


def _check_complete(src: Any, path: Path) -> None:
    """A truncated TIFF opens fine; its blocks point past the end of the file. Check every block."""
    size = path.stat().st_size
    bands = [1] if src.interleaving and src.interleaving.name == "pixel" else list(src.indexes)
    bh, bw = src.block_shapes[0]
    rows, cols = math.ceil(src.height / bh), math.ceil(src.width / bw)
    for bidx in bands:
        for row in range(rows):
            for col in range(cols):
                offset = src.get_tag_item(f"BLOCK_OFFSET_{col}_{row}", "TIFF", bidx=bidx)
                length = src.get_tag_item(f"BLOCK_SIZE_{col}_{row}", "TIFF", bidx=bidx)
                if offset is None or length is None:
                    continue  # a sparse (empty) block
                if int(offset) + int(length) > size:
                    raise truncated_error()


def _bounds_4326(src: Any) -> tuple[float, float, float, float]:
    try:
        crs = ProjCRS.from_wkt(src.crs.to_wkt())
        if not (crs.is_projected or crs.is_geographic):
            raise ValueError("not an earth CRS")
        to4326 = Transformer.from_crs(crs, 4326, always_xy=True)
        west, south, east, north = to4326.transform_bounds(*src.bounds, densify_pts=21)
    except Exception:  # noqa: BLE001 - pyproj raises several types for one meaning
        raise _refuse(
            "unknown_crs",
            f"The coordinate system of the file is not one GDAL/PROJ can place on the earth: "
            f"{src.crs.to_string()[:120]}",
            "ระบบพิกัดของไฟล์ไม่เป็นที่รู้จัก ไม่สามารถแปลงเป็นพิกัดบนโลกได้",
        ) from None
    if not all(math.isfinite(v) for v in (west, south, east, north)) or not (
        -180 <= west < east <= 180 and -90 <= south < north <= 90
    ):
        raise _refuse(
            "unknown_crs",
            "The file's position is outside the earth: check its coordinate system",
            "ตำแหน่งของไฟล์อยู่นอกพื้นโลก กรุณาตรวจสอบระบบพิกัด",
        )
    return west, south, east, north


def _check_crs_allowed(src: Any) -> None:
    """The horizontal CRS must be one of the allowed EPSG codes (settings.ALLOWED_EPSG_CODES)."""
    crs = ProjCRS.from_wkt(src.crs.to_wkt())
    horizontal = crs.sub_crs_list[0] if crs.is_compound and crs.sub_crs_list else crs
    try:
        epsg_of_declared(horizontal)
    except DomainError as exc:
        raise _refuse("crs_not_allowed", exc.message_en, exc.message_th, **exc.details) from None


def _ground_resolution(crs: Any, px: float, py: float, bounds: tuple[float, float, float, float]) -> float:
    if crs.is_geographic:
        lat = math.radians((bounds[1] + bounds[3]) / 2)
        return float(max(px * 111_320 * math.cos(lat), py * 110_574))
    factor = crs.linear_units_factor[1] if crs.linear_units_factor else 1.0
    if crs.to_epsg() == 3857:
        # Web mercator's metres are stretched by 1/cos(latitude): bring them back to the ground.
        factor *= math.cos(math.radians((bounds[1] + bounds[3]) / 2))
    return float(max(px, py) * factor)


def _check_bands(src: Any, kind: str) -> None:
    if kind == "ortho":
        if src.count not in (3, 4) or src.dtypes[0] != "uint8":
            raise _refuse(
                "bands",
                f"An orthomosaic must be 8-bit RGB or RGBA; "
                f"this file has {src.count} band(s) of {src.dtypes[0]}",
                f"ภาพออร์โธต้องเป็น RGB หรือ RGBA 8 บิต ไฟล์นี้มี {src.count} แบนด์ ชนิด {src.dtypes[0]}",
            )
    elif src.count not in (1, 2) or src.dtypes[0] not in ("float32", "float64", "int16", "uint16", "int32"):
        raise _refuse(
            "bands",
            f"A DSM or DTM must be one band of elevations; this file has {src.count} band(s) "
            f"of {src.dtypes[0]}",
            f"แบบจำลองพื้นผิวหรือภูมิประเทศต้องมีแบนด์ความสูงเพียงแบนด์เดียว ไฟล์นี้มี {src.count} แบนด์ ชนิด {src.dtypes[0]}",
        )


# --- conversion -------------------------------------------------------------------------------


def cog_options(kind: str) -> dict[str, str]:
    """COG driver options: web-mercator aligned 512-px tiles, overviews, JPEG+mask or LERC."""
    options = {
        "BLOCKSIZE": "512",
        "TILING_SCHEME": "GoogleMapsCompatible",
        "BIGTIFF": "IF_SAFER",
        "NUM_THREADS": conf.num_threads(),
        "OVERVIEWS": "IGNORE_EXISTING",
        "ADD_ALPHA": "YES",
    }
    if kind == "ortho":
        options |= {
            "COMPRESS": conf.rgb_compression(),
            "QUALITY": str(conf.jpeg_quality()),
            "RESAMPLING": "BILINEAR",
            "OVERVIEW_RESAMPLING": "AVERAGE",
        }
    else:
        options |= {
            "COMPRESS": conf.dsm_compression(),
            "RESAMPLING": "BILINEAR",
            "OVERVIEW_RESAMPLING": "AVERAGE",
        }
        if options["COMPRESS"].startswith("LERC"):
            options["MAX_Z_ERROR"] = conf.dsm_max_z_error()
        else:
            options["PREDICTOR"] = "FLOATING_POINT"
    return options


def _read_bytes() -> int | None:
    try:
        with open("/proc/self/io") as f:
            for line in f:
                if line.startswith("rchar:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def to_cog(src_path: Path, dst_path: Path, kind: str, progress: Progress | None = None) -> None:
    """Write the COG of ``src_path`` to ``dst_path`` with GDAL's COG driver (streamed, bounded cache).

    Progress is estimated from the bytes this process has read against the size of the source
    (the warp pass reads the source about once), reported every couple of seconds from a thread.
    """
    total = max(src_path.stat().st_size, 1)
    start = _read_bytes()
    stop = threading.Event()

    def monitor() -> None:
        from django.db import connections

        try:
            while not stop.wait(2.0):
                now = _read_bytes()
                if progress and start is not None and now is not None:
                    progress(min((now - start) / total, 1.0), "converting")
        finally:
            connections.close_all()  # only this thread's connections

    thread = threading.Thread(target=monitor, daemon=True)
    thread.start()
    try:
        with processing_env(
            CPL_TMPDIR=str(dst_path.parent),
            GDAL_TIFF_OVR_BLOCKSIZE="512",
        ):
            try:
                with open_raster(src_path) as src:
                    rasterio.shutil.copy(src, str(dst_path), driver="COG", **cog_options(kind))
            except RasterioError as exc:
                raise _refuse(
                    "unreadable",
                    f"The image could not be converted; the file is damaged or truncated: {exc}",
                    "ไม่สามารถแปลงภาพได้ ไฟล์เสียหายหรือไม่สมบูรณ์",
                ) from None
    finally:
        stop.set()
        thread.join()


def validate_cog(path: Path) -> None:
    from rio_cogeo.cogeo import cog_validate

    with processing_env():
        valid, errors, _warnings = cog_validate(str(path), quiet=True)
    if not valid and read_tiff_header(path).tiled:
        # rio-cogeo infers "tiled" from block width < image width: wrong for a COG (or one of its
        # overviews) exactly one 512-px block wide. GDAL's COG driver tiles every level.
        errors = [e for e in errors if "not tiled" not in e]
        valid = not errors
    with processing_env(), open_raster(path) as src:
        layout = src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT")
    if layout != "COG":
        errors = [*errors, f"GDAL does not report a COG layout (LAYOUT={layout})"]
        valid = False
    if not valid:
        raise RuntimeError(f"the COG written is not valid: {errors}")


# --- footprint --------------------------------------------------------------------------------


@dataclass
class Footprint:
    geometry_4326: ShapelyMultiPolygon
    bounds_4326: tuple[float, float, float, float]
    area_m2: float
    value_min: float | None = None
    value_max: float | None = None


_GEOD = Geod(ellps="WGS84")


def compute_footprint(cog_path: Path, kind: str) -> Footprint:
    """The polygon of valid pixels, from the mask of a decimated overview, simplified, in EPSG:4326."""
    from rasterio.features import shapes

    with processing_env():
        with open_raster(cog_path) as full:
            factors = full.overviews(1)
            level = None
            for i, factor in enumerate(factors):
                if max(full.width, full.height) / factor <= FOOTPRINT_MAX_SIDE:
                    level = i
                    break
            if level is None and factors:
                level = len(factors) - 1
            crs_wkt = full.crs.to_wkt()
        kwargs = {"overview_level": level} if level is not None else {}
        with open_raster(cog_path, **kwargs) as src:
            if max(src.width, src.height) > 4 * FOOTPRINT_MAX_SIDE:
                raise RuntimeError("the COG has no usable overview for the footprint")
            mask = src.dataset_mask()
            transform = src.transform
            vmin = vmax = None
            if kind in ELEVATION_KINDS:
                data = src.read(1, masked=True)
                if data.count():
                    vmin, vmax = float(data.min()), float(data.max())
    valid = (mask > 0).astype("uint8")
    polygons = [
        shape(geom) for geom, value in shapes(valid, mask=valid.astype(bool), transform=transform) if value
    ]
    merged = unary_union(polygons) if polygons else ShapelyPolygon()
    pixel = abs(transform.a)
    merged = merged.simplify(pixel * 1.5, preserve_topology=True).buffer(0)
    to4326 = Transformer.from_crs(ProjCRS.from_wkt(crs_wkt), 4326, always_xy=True)
    geom = (
        shapely.transform(merged, lambda xy: np.column_stack(to4326.transform(xy[:, 0], xy[:, 1])))
        if not merged.is_empty
        else merged
    )
    parts = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, ShapelyPolygon) and not g.is_empty]
    multi = ShapelyMultiPolygon(parts)
    area = abs(_GEOD.geometry_area_perimeter(multi)[0]) if parts else 0.0
    if area <= 0:
        raise _refuse(
            "empty_footprint",
            "The image has no valid pixels (its footprint has zero area): everything is no-data",
            "ภาพไม่มีพิกเซลที่ใช้ได้ (พื้นที่ครอบคลุมเป็นศูนย์) ทั้งภาพเป็นค่าว่าง",
        )
    return Footprint(multi, multi.bounds, area, vmin, vmax)


def bounds_polygon(bounds: tuple[float, float, float, float]) -> ShapelyPolygon:
    return box(*bounds)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
