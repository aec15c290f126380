"""Raster tiles of Cloud Optimized GeoTIFFs with rio-tiler, in a GDAL environment tuned for COGs.

The COGs are local files, or objects of the S3-compatible store when one is configured
(gis_portal/storage.py), read through GDAL's ``/vsis3/``: range requests for the blocks a tile
needs, never the whole file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rasterio
from rio_tiler.colormap import cmap
from rio_tiler.errors import EmptyMosaicError, TileOutsideBounds
from rio_tiler.io import Reader
from rio_tiler.models import ImageData
from rio_tiler.mosaic import mosaic_reader

from drone_ingest import conf
from gis_portal import storage

TILE_SIZE = 256
WEB_MERCATOR = "EPSG:3857"
FORMATS = {"png": ("PNG", "image/png"), "jpg": ("JPEG", "image/jpeg"), "webp": ("WEBP", "image/webp")}
DSM_COLORMAP = "terrain"


def gdal_env_options() -> dict[str, Any]:
    """GDAL settings for reading COGs: no directory listing, a bounded block cache, a VSI cache."""
    options: dict[str, Any] = {
        "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
        # rasterio passes this to GDAL in bytes (a bare 256 would be a 256-byte cache, and every
        # block of a pixel-interleaved JPEG COG would be decoded again for each band).
        "GDAL_CACHEMAX": conf.tile_cachemax_mb() * 1024 * 1024,
        "VSI_CACHE": "TRUE",
        "VSI_CACHE_SIZE": 16 * 1024 * 1024,
        "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".tif,.tiff",
        "GDAL_HTTP_MULTIRANGE": "YES",
        "GDAL_HTTP_MERGE_CONSECUTIVE_RANGES": "YES",
        "GDAL_INGESTED_BYTES_AT_OPEN": 32768,
    }
    return options | storage.gdal_env()


def cog_location(cog_path: str) -> str:
    """Where GDAL reads a COG recorded as ``cog_path`` (relative to the imagery root)."""
    if storage.configured():
        return storage.gdal_path(conf.store_name(cog_path))
    return str(conf.imagery_root() / cog_path)


@dataclass
class Tile:
    content: bytes | None  # None: nothing to draw here (outside the bounds or footprint)
    media_type: str


def _render(image: ImageData, ext: str, kind: str, value_range: tuple[float, float] | None) -> Tile:
    driver, media_type = FORMATS[ext]
    if not image.mask.any():
        return Tile(None, media_type)
    if kind in ("dsm", "dtm"):
        low, high = value_range or (float(image.array.min()), float(image.array.max()))
        image = image.rescale(in_range=((low, high if high > low else low + 1),))
        return Tile(image.render(img_format=driver, colormap=cmap.get(DSM_COLORMAP)), media_type)
    if image.count > 3:
        image = ImageData(image.array[:3], assets=image.assets, crs=image.crs, bounds=image.bounds)
    options = {"quality": 85} if driver in ("JPEG", "WEBP") else {}
    return Tile(image.render(img_format=driver, add_mask=driver != "JPEG", **options), media_type)


def read_tile(
    cog_path: str,
    z: int,
    x: int,
    y: int,
    ext: str,
    *,
    kind: str = "ortho",
    value_range: tuple[float, float] | None = None,
) -> Tile:
    """One 256-px web-mercator tile of one COG; content None outside its bounds or footprint."""
    with rasterio.Env(**gdal_env_options()):
        try:
            with Reader(cog_location(cog_path)) as reader:
                image = reader.tile(x, y, z, tilesize=TILE_SIZE)
        except TileOutsideBounds:
            return Tile(None, FORMATS[ext][1])
    return _render(image, ext, kind, value_range)


def _mosaic_tile(asset: str, x: int, y: int, z: int, **kwargs: Any) -> ImageData:
    with Reader(cog_location(asset)) as reader:
        return reader.tile(x, y, z, tilesize=TILE_SIZE, **kwargs)


def mosaic_image(cog_paths: list[str], z: int, x: int, y: int) -> ImageData | None:
    """The pixels of one tile, newest imagery first (None: no imagery there)."""
    if not cog_paths:
        return None
    with rasterio.Env(**gdal_env_options()):
        try:
            image, _used = mosaic_reader(
                cog_paths, _mosaic_tile, x, y, z, allowed_exceptions=(TileOutsideBounds,)
            )
        except EmptyMosaicError:
            return None
    return image


def _mosaic_part(asset: str, bbox: tuple[float, float, float, float], size: int, **kwargs: Any) -> ImageData:
    with Reader(cog_location(asset)) as reader:
        return reader.part(
            bbox, dst_crs=WEB_MERCATOR, bounds_crs=WEB_MERCATOR, width=size, height=size, **kwargs
        )


def mosaic_block(
    cog_paths: list[str], bbox_3857: tuple[float, float, float, float], size: int
) -> ImageData | None:
    """A square block of web-mercator pixels (``size`` × ``size`` over ``bbox_3857``), newest imagery
    first: with the bounds of a tile and 256 px, the same pixels as :func:`mosaic_image`; reading
    several tiles' worth at once saves a reprojection set-up per tile."""
    if not cog_paths:
        return None
    with rasterio.Env(**gdal_env_options()):
        try:
            image, _used = mosaic_reader(
                cog_paths, _mosaic_part, bbox_3857, size, allowed_exceptions=(TileOutsideBounds,)
            )
        except EmptyMosaicError:
            return None
    return image


def read_mosaic_tile(cog_paths: list[str], z: int, x: int, y: int, ext: str) -> Tile:
    """The newest imagery for each pixel: ``cog_paths`` newest first, holes filled by older ones."""
    image = mosaic_image(cog_paths, z, x, y)
    if image is None:
        return Tile(None, FORMATS[ext][1])
    return _render(image, ext, "ortho", None)
