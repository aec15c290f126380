"""The vector-tile cache: Redis (the Django cache), keyed by organisation scope, layer, z/x/y, and
checked against generations that an edit bumps for exactly the tiles it touches.

A cached entry stores the generations it was rendered under. A read fetches the entry and the
current generations in one ``MGET`` and serves the entry only when they match, so:

- an edit is visible in the very next tile request: the register write bumps, on commit, the
  generation of every tile (at every zoom served) that covers the old or the new bounding box;
- a tile rendered while an edit committed is stored under the old generations and never served;
- tiles of one organisation never answer for another: the scope is part of the key.

Very large changes (more than ``TILE_INVALIDATE_MAX_TILES`` tiles at a zoom) bump one generation for
the whole layer of the organisation instead. Settings (move to settings.py): ``TILE_CACHE_ALIAS``,
``TILE_CACHE_TIMEOUT`` (seconds), ``TILE_INVALIDATE_MAX_TILES``.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection

from .vector import BUFFER, EXTENT, LAYERS, render_tile

TILE_CACHE_ALIAS = getattr(settings, "TILE_CACHE_ALIAS", os.environ.get("TILE_CACHE_ALIAS", "default"))
TILE_CACHE_TIMEOUT = int(
    getattr(settings, "TILE_CACHE_TIMEOUT", os.environ.get("TILE_CACHE_TIMEOUT", "86400"))
)
TILE_INVALIDATE_MAX_TILES = int(
    getattr(settings, "TILE_INVALIDATE_MAX_TILES", os.environ.get("TILE_INVALIDATE_MAX_TILES", "2000"))
)
# Generations outlive the tiles they guard (a generation that vanished first could make a stale tile
# look current).
GENERATION_TIMEOUT = TILE_CACHE_TIMEOUT * 30

# Tests and benchmarks set a namespace of their own so that runs sharing one Redis never meet.
namespace = os.environ.get("TILE_CACHE_NAMESPACE", "")


@dataclass(frozen=True)
class Tile:
    data: bytes
    etag: str
    hit: bool
    # With ``defer_store``, a freshly rendered tile is not yet in the cache: call this to store it
    # (the tile view does once the response has been sent).
    store: Callable[[], None] | None = None


def _cache():  # noqa: ANN202
    return caches[TILE_CACHE_ALIAS]


def _ns() -> str:
    # The database name keeps two databases served by one Redis (dev and a test run) apart.
    return f"mvt:{namespace}:{connection.settings_dict['NAME']}"


def _layer_gen_key(org_id: int, layer: str) -> str:
    return f"{_ns()}:g:{org_id}:{layer}"


def _tile_gen_key(org_id: int, layer: str, z: int, x: int, y: int) -> str:
    return f"{_ns()}:g:{org_id}:{layer}:{z}:{x}:{y}"


def _tile_key(layer: str, z: int, x: int, y: int, org_ids: Sequence[int]) -> str:
    scope = ".".join(str(o) for o in org_ids)
    return f"{_ns()}:t:{layer}:{z}:{x}:{y}:{scope}"


def etag_for(data: bytes) -> str:
    return '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"'


class StaleScope(Exception):
    """The caller's kept organisation scope is out of date (see :mod:`tiles.scope`)."""


def get_tile(
    layer: str,
    z: int,
    x: int,
    y: int,
    organisation_ids: Sequence[int],
    *,
    check: tuple[str, int] | None = None,
    defer_store: bool = False,
) -> Tile:
    """A tile from the cache when its generations are current, else rendered and stored.

    ``check`` is a (key, value) pair read in the same ``MGET``: when the value stored under the key
    is not ``value`` (a missing key counts as 0), :class:`StaleScope` is raised before anything is
    rendered (the tile views pass the user's scope generation). With ``defer_store`` a rendered tile
    is returned with a ``store`` callable instead of being written to the cache at once.
    """
    org_ids = sorted(set(organisation_ids))
    cache = _cache()
    tile_key = _tile_key(layer, z, x, y, org_ids)
    gen_keys = [_layer_gen_key(o, layer) for o in org_ids] + [
        _tile_gen_key(o, layer, z, x, y) for o in org_ids
    ]
    keys = [tile_key, *gen_keys] if org_ids else []
    if check is not None:
        keys.append(check[0])
    read = getattr(cache, "get_many_trusted", cache.get_many)  # our own keys: no per-character check
    found = read(keys) if keys else {}
    if check is not None and int(found.get(check[0], 0)) != check[1]:
        raise StaleScope
    if not org_ids:
        data = b""
        return Tile(data, etag_for(data), hit=False)
    gens = tuple(int(found.get(k, 0)) for k in gen_keys)
    entry = found.get(tile_key)
    if entry is not None and entry[0] == gens:
        return Tile(entry[1], entry[2], hit=True)
    data = render_tile(layer, z, x, y, org_ids)
    etag = etag_for(data)

    def store() -> None:
        # Stored under the generations read before rendering: if an edit committed meanwhile, the
        # entry is stale on arrival and never served.
        cache.set(tile_key, (gens, data, etag), TILE_CACHE_TIMEOUT)

    if defer_store:
        return Tile(data, etag, hit=False, store=store)
    store()
    return Tile(data, etag, hit=False)


def after_sending(response: Any, work: Callable[[], None]) -> None:
    """Run ``work`` once the WSGI server has sent the response (it closes the response then, and
    Django runs the response's closers): cache writes off the client's path."""
    response._resource_closers.append(work)


# --- invalidation ------------------------------------------------------------------------------------


def _lonlat_to_tile_float(lon: float, lat: float, z: int) -> tuple[float, float]:
    lat = max(min(lat, 85.0511287798), -85.0511287798)
    n = 2**z
    x = (lon + 180.0) / 360.0 * n
    rad = math.radians(lat)
    y = (1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0 * n
    return x, y


def tiles_covering(bbox_4326: tuple[float, float, float, float], z: int) -> tuple[int, int, int, int]:
    """(xmin, ymin, xmax, ymax) of the tiles at zoom z whose query area (tile + buffer) meets the bbox."""
    west, south, east, north = bbox_4326
    x0, y0 = _lonlat_to_tile_float(west, north, z)
    x1, y1 = _lonlat_to_tile_float(east, south, z)
    margin = BUFFER / EXTENT
    n = 2**z
    return (
        max(0, math.floor(x0 - margin)),
        max(0, math.floor(y0 - margin)),
        min(n - 1, math.floor(x1 + margin)),
        min(n - 1, math.floor(y1 + margin)),
    )


def _touched_keys(
    org_id: int, layers: Iterable[str], bboxes: Sequence[tuple[float, float, float, float]]
) -> tuple[list[str], list[str]]:
    """(generation keys to bump, single-organisation tile keys to drop)."""
    gen_keys: list[str] = []
    drop: list[str] = []
    for name in layers:
        layer = LAYERS[name]
        whole_layer = False
        tiles: set[tuple[int, int, int]] = set()
        for z in range(layer.minzoom, layer.maxzoom + 1):
            for bbox in bboxes:
                xmin, ymin, xmax, ymax = tiles_covering(bbox, z)
                if (xmax - xmin + 1) * (ymax - ymin + 1) > TILE_INVALIDATE_MAX_TILES:
                    whole_layer = True
                    break
                tiles.update((z, x, y) for x in range(xmin, xmax + 1) for y in range(ymin, ymax + 1))
            if whole_layer:
                break
        if whole_layer:
            gen_keys.append(_layer_gen_key(org_id, name))
            continue
        for z, x, y in sorted(tiles):
            gen_keys.append(_tile_gen_key(org_id, name, z, x, y))
            drop.append(_tile_key(name, z, x, y, [org_id]))
    return gen_keys, drop


def invalidate(
    organisation_id: int, layers: Iterable[str], bboxes: Sequence[tuple[float, float, float, float]]
) -> int:
    """Bump the generations of the tiles covering the bounding boxes (EPSG:4326) at every zoom served.

    Returns how many generations were bumped. Call it after the change committed (the register's
    services do, with ``transaction.on_commit``).
    """
    bboxes = [b for b in bboxes if b is not None]
    if not bboxes:
        return 0
    gen_keys, drop = _touched_keys(organisation_id, layers, bboxes)
    _bump(gen_keys, drop)
    return len(gen_keys)


def invalidate_organisation(organisation_id: int, layers: Iterable[str] = tuple(LAYERS)) -> None:
    """Make every cached tile of the organisation's layers stale (after an import of many rows)."""
    _bump([_layer_gen_key(organisation_id, name) for name in layers], [])


def _bump(gen_keys: list[str], drop: list[str]) -> None:
    cache = _cache()
    backend = getattr(cache, "_cache", None)
    if backend is not None and hasattr(backend, "get_client"):
        # One round trip: INCR every generation (a missing one starts at 0) and drop stale entries.
        client = backend.get_client(None, write=True)
        pipe = client.pipeline(transaction=False)
        for key in gen_keys:
            full = cache.make_and_validate_key(key)
            pipe.incr(full)
            pipe.expire(full, GENERATION_TIMEOUT)
        for key in _chunks([cache.make_and_validate_key(k) for k in drop], 500):
            pipe.delete(*key)
        pipe.execute()
        return
    for key in gen_keys:  # other cache backends (tests with locmem, for instance)
        cache.add(key, 0, GENERATION_TIMEOUT)
        cache.incr(key)
    cache.delete_many(drop)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def bbox_of(*geoms: object) -> list[tuple[float, float, float, float]]:
    """The EPSG:4326 extents of GEOS geometries (None and empty ones skipped)."""
    out = []
    for geom in geoms:
        if geom is None or getattr(geom, "empty", True):
            continue
        if geom.srid and geom.srid != 4326:
            geom = geom.transform(4326, clone=True)
        out.append(tuple(geom.extent))
    return out
