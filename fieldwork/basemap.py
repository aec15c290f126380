"""An offline basemap for a packet: the newest imagery clipped to the village, as GeoPackage tiles.

Tiles follow the web-mercator grid (GoogleMapsCompatible, 256 px) that QGIS and QField read with
GDAL's GeoPackage driver; every zoom level from a whole-village view down to the imagery's own
resolution is stored, so a phone pans and zooms without resampling. Opaque tiles are JPEG, tiles cut
by the village edge PNG (transparent outside). The deepest level is read from the Cloud Optimized
GeoTIFFs (newest imagery first, holes filled by older); each level above is made from the four tiles
below it, depth first, so memory stays a few tiles whatever the village's size.

The deepest zoom is the imagery's resolution, lowered until the estimated size fits the budget
(``FIELD_PACKET_BASEMAP_MAX_BYTES``).
"""

from __future__ import annotations

import io
import math
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from PIL import Image
from pyproj import CRS, Transformer
from rasterio.features import rasterize
from rasterio.transform import from_bounds
from shapely import prepared
from shapely.geometry import box

from tiles.raster import TILE_SIZE, mosaic_image

ORIGIN = 20037508.342789244  # half the web-mercator world, metres
TABLE = "basemap"  # the tile table (its name is written out in the SQL below)
MIN_ZOOM_FLOOR = 10
MAX_ZOOM_CEILING = 21
EST_BYTES_PER_TILE = 24_000  # JPEG q80 of drone imagery, measured on the demo orthomosaic
JPEG_QUALITY = 80


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    size = 2 * ORIGIN / 2**z
    return (-ORIGIN + x * size, ORIGIN - (y + 1) * size, -ORIGIN + (x + 1) * size, ORIGIN - y * size)


def tile_range(z: int, bounds: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    size = 2 * ORIGIN / 2**z
    west, south, east, north = bounds
    x0, x1 = int((west + ORIGIN) // size), int((east + ORIGIN) // size)
    y0, y1 = int((ORIGIN - north) // size), int((ORIGIN - south) // size)
    last = 2**z - 1
    return max(0, x0), max(0, y0), min(last, x1), min(last, y1)


def native_zoom(ground_resolution_m: float, latitude: float) -> int:
    """The zoom whose pixels are no larger than the imagery's (at the village's latitude)."""
    metres_per_px_z0 = 2 * ORIGIN / TILE_SIZE * math.cos(math.radians(latitude))
    return max(
        MIN_ZOOM_FLOOR, min(MAX_ZOOM_CEILING, math.ceil(math.log2(metres_per_px_z0 / ground_resolution_m)))
    )


@dataclass
class BasemapPlan:
    min_zoom: int
    max_zoom: int
    native_zoom: int
    estimated_tiles: int
    tiles_per_zoom: dict[int, int] = field(default_factory=dict)


def plan_zooms(clip_3857: Any, ground_resolution_m: float, latitude: float, budget_bytes: int) -> BasemapPlan:
    """Zoom levels: from the whole village on one or two tiles, down to the imagery's resolution
    or as deep as the size budget allows."""
    west, south, east, north = clip_3857.bounds
    span = max(east - west, north - south, 1.0)
    min_zoom = max(MIN_ZOOM_FLOOR, int(math.floor(math.log2(2 * ORIGIN / span))))
    top = native_zoom(ground_resolution_m, latitude)
    min_zoom = min(min_zoom, top)
    counts: dict[int, int] = {}
    total = 0
    max_zoom = min_zoom
    for z in range(min_zoom, top + 1):
        tile_area = (2 * ORIGIN / 2**z) ** 2
        x0, y0, x1, y1 = tile_range(z, clip_3857.bounds)
        boxes = (x1 - x0 + 1) * (y1 - y0 + 1)
        # Tiles covering the shape: its area in tiles plus a ring of partly covered ones.
        n = min(boxes, int(clip_3857.area / tile_area + clip_3857.length / math.sqrt(tile_area) + 1))
        if z > min_zoom and (total + n) * EST_BYTES_PER_TILE > budget_bytes:
            break
        counts[z] = n
        total += n
        max_zoom = z
    return BasemapPlan(min_zoom, max_zoom, top, total, counts)


def _create_gpkg(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    wkt_3857 = CRS.from_epsg(3857).to_wkt("WKT1_GDAL")
    wkt_4326 = CRS.from_epsg(4326).to_wkt("WKT1_GDAL")
    con.executescript(
        """
        PRAGMA application_id = 1196444487;
        PRAGMA user_version = 10200;
        CREATE TABLE gpkg_spatial_ref_sys (
          srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
          organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
        CREATE TABLE gpkg_contents (
          table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
          description TEXT DEFAULT '',
          last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
          min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
          CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
        CREATE TABLE gpkg_geometry_columns (
          table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
          srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
          CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name));
        CREATE TABLE gpkg_tile_matrix_set (
          table_name TEXT NOT NULL PRIMARY KEY, srs_id INTEGER NOT NULL,
          min_x DOUBLE NOT NULL, min_y DOUBLE NOT NULL, max_x DOUBLE NOT NULL, max_y DOUBLE NOT NULL,
          CONSTRAINT fk_gtms_table_name FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
          CONSTRAINT fk_gtms_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
        CREATE TABLE gpkg_tile_matrix (
          table_name TEXT NOT NULL, zoom_level INTEGER NOT NULL, matrix_width INTEGER NOT NULL,
          matrix_height INTEGER NOT NULL, tile_width INTEGER NOT NULL, tile_height INTEGER NOT NULL,
          pixel_x_size DOUBLE NOT NULL, pixel_y_size DOUBLE NOT NULL,
          CONSTRAINT pk_ttm PRIMARY KEY (table_name, zoom_level),
          CONSTRAINT fk_tmm_table_name FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name));
        """
    )
    con.executemany(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                "Undefined cartesian SRS",
                -1,
                "NONE",
                -1,
                "undefined",
                "undefined cartesian coordinate reference system",
            ),
            (
                "Undefined geographic SRS",
                0,
                "NONE",
                0,
                "undefined",
                "undefined geographic coordinate reference system",
            ),
            (
                "WGS 84 geodetic",
                4326,
                "EPSG",
                4326,
                wkt_4326,
                "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
            ),
            ("WGS 84 / Pseudo-Mercator", 3857, "EPSG", 3857, wkt_3857, "web mercator"),
        ],
    )
    con.execute(
        "CREATE TABLE basemap (id INTEGER PRIMARY KEY AUTOINCREMENT, zoom_level INTEGER NOT NULL, "
        "tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL, tile_data BLOB NOT NULL, "
        "UNIQUE (zoom_level, tile_column, tile_row))"
    )
    return con


def _encode(rgba: np.ndarray) -> bytes:
    out = io.BytesIO()
    if rgba[3].min() == 255:
        Image.fromarray(np.moveaxis(rgba[:3], 0, -1), "RGB").save(out, "JPEG", quality=JPEG_QUALITY)
    else:
        Image.fromarray(np.moveaxis(rgba, 0, -1), "RGBA").save(out, "PNG", optimize=False)
    return out.getvalue()


def _downsample(canvas: np.ndarray) -> np.ndarray:
    """(4, 512, 512) → (4, 256, 256): colours averaged over the opaque pixels, alpha averaged."""
    c = canvas.astype(np.float32).reshape(4, TILE_SIZE, 2, TILE_SIZE, 2)
    alpha = c[3]
    weight = alpha.sum(axis=(1, 3))
    rgb = (c[:3] * alpha[None]).sum(axis=(2, 4)) / np.maximum(weight, 1)[None]
    out = np.empty((4, TILE_SIZE, TILE_SIZE), dtype=np.uint8)
    out[:3] = np.clip(np.rint(rgb), 0, 255)
    out[3] = np.clip(np.rint(alpha.mean(axis=(1, 3))), 0, 255)
    out[:3][:, out[3] == 0] = 0
    return out


@dataclass
class BasemapResult:
    path: Path
    plan: BasemapPlan
    tiles: int
    bytes: int
    bounds_3857: tuple[float, float, float, float]


class _Builder:
    def __init__(
        self,
        con: sqlite3.Connection,
        cog_paths: list[str],
        clip: Any,
        max_zoom: int,
        progress: Callable[[int], None],
    ) -> None:
        self.con, self.cog_paths, self.clip, self.max_zoom = con, cog_paths, clip, max_zoom
        self.prepared = prepared.prep(clip)
        self.progress = progress
        self.written = 0
        self.bytes = 0

    def _cut(self, z: int, x: int, y: int) -> np.ndarray | None:
        image = mosaic_image(self.cog_paths, z, x, y)
        if image is None or not image.mask.any():
            return None
        rgba = np.empty((4, TILE_SIZE, TILE_SIZE), dtype=np.uint8)
        rgba[:3] = image.array[:3] if image.count >= 3 else np.repeat(image.array[:1], 3, axis=0)
        rgba[3] = np.where(image.mask > 0, 255, 0)
        bounds = tile_bounds(z, x, y)
        if not self.prepared.contains(box(*bounds)):
            inside = rasterize(
                [self.clip],
                out_shape=(TILE_SIZE, TILE_SIZE),
                transform=from_bounds(*bounds, TILE_SIZE, TILE_SIZE),
                fill=0,
                default_value=1,
                dtype="uint8",
                all_touched=False,
            )
            rgba[3] *= inside.astype(bool)
        if not rgba[3].any():
            return None
        rgba[:3][:, rgba[3] == 0] = 0
        return rgba

    def tile(self, z: int, x: int, y: int) -> np.ndarray | None:
        if not self.prepared.intersects(box(*tile_bounds(z, x, y))):
            return None
        if z == self.max_zoom:
            rgba = self._cut(z, x, y)
        else:
            children = {(dx, dy): self.tile(z + 1, 2 * x + dx, 2 * y + dy) for dy in (0, 1) for dx in (0, 1)}
            if all(child is None for child in children.values()):
                return None
            canvas = np.zeros((4, 2 * TILE_SIZE, 2 * TILE_SIZE), dtype=np.uint8)
            for (dx, dy), child in children.items():
                if child is not None:
                    canvas[
                        :, dy * TILE_SIZE : (dy + 1) * TILE_SIZE, dx * TILE_SIZE : (dx + 1) * TILE_SIZE
                    ] = child
            rgba = _downsample(canvas)
            if not rgba[3].any():
                return None
        if rgba is not None:
            data = _encode(rgba)
            self.con.execute(
                "INSERT INTO basemap (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)",
                (z, x, y, data),
            )
            self.written += 1
            self.bytes += len(data)
            if z == self.max_zoom:
                self.progress(self.written)
        return rgba


def build_basemap(
    path: Path,
    *,
    cog_paths: list[str],
    clip_4326: Any,
    ground_resolution_m: float,
    budget_bytes: int,
    title: str,
    progress: Callable[[float], None] = lambda _f: None,
) -> BasemapResult | None:
    """Write the tiles of ``cog_paths`` (newest first) inside ``clip_4326`` (a shapely geometry in
    EPSG:4326) to a new GeoPackage at ``path``. None when no imagery covers the clip."""
    to_3857 = Transformer.from_crs(4326, 3857, always_xy=True)
    clip = shapely.transform(clip_4326, lambda xy: np.column_stack(to_3857.transform(xy[:, 0], xy[:, 1])))
    if clip.is_empty:
        return None
    latitude = clip_4326.centroid.y
    plan = plan_zooms(clip, ground_resolution_m, latitude, budget_bytes)
    expected = max(plan.tiles_per_zoom.get(plan.max_zoom, 1), 1)
    con = _create_gpkg(path)
    try:
        builder = _Builder(con, cog_paths, clip, plan.max_zoom, lambda n: progress(min(1.0, n / expected)))
        x0, y0, x1, y1 = tile_range(plan.min_zoom, clip.bounds)
        for y in range(y0, y1 + 1):
            for x in range(x0, x1 + 1):
                builder.tile(plan.min_zoom, x, y)
        if builder.written == 0:
            con.close()
            path.unlink(missing_ok=True)
            return None
        zooms = [row[0] for row in con.execute("SELECT DISTINCT zoom_level FROM basemap ORDER BY 1")]
        west, south, east, north = clip.bounds
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
            "min_x, min_y, max_x, max_y, srs_id) VALUES (?, 'tiles', ?, ?, ?, ?, ?, ?, 3857)",
            (TABLE, title, "offline basemap / แผนที่ฐานออฟไลน์", west, south, east, north),
        )
        con.execute(
            "INSERT INTO gpkg_tile_matrix_set VALUES (?, 3857, ?, ?, ?, ?)",
            (TABLE, -ORIGIN, -ORIGIN, ORIGIN, ORIGIN),
        )
        for z in range(zooms[0], zooms[-1] + 1):
            pixel = 2 * ORIGIN / (TILE_SIZE * 2**z)
            con.execute(
                "INSERT INTO gpkg_tile_matrix VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (TABLE, z, 2**z, 2**z, TILE_SIZE, TILE_SIZE, pixel, pixel),
            )
        con.commit()
        con.execute("VACUUM")
    finally:
        con.close()
    return BasemapResult(path, plan, builder.written, builder.bytes, clip.bounds)
