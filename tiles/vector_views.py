"""Vector tile endpoint: ``/tiles/{layer}/{z}/{x}/{y}.mvt`` for the staff map (thin: cache + SQL)."""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.views.decorators.http import require_GET

from . import scope as tile_scope
from .cache import StaleScope, Tile, after_sending, get_tile
from .vector import LAYERS, in_range

MVT_CONTENT_TYPE = "application/vnd.mapbox-vector-tile"


@require_GET
def vector_tile(request: HttpRequest, layer: str, z: int, x: int, y: int) -> HttpResponse:
    started = time.perf_counter()
    if layer not in LAYERS or not in_range(z, x, y):
        return JsonResponse(
            {"code": "no_such_tile", "message_en": "No such tile", "message_th": "ไม่มีไทล์นี้"}, status=404
        )
    tile = _scoped_tile(request, layer, z, x, y)
    if tile is None:
        return JsonResponse(
            {"code": "login_required", "message_en": "Sign in first", "message_th": "กรุณาเข้าสู่ระบบ"},
            status=401,
        )
    if request.headers.get("If-None-Match") == tile.etag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(tile.data, content_type=MVT_CONTENT_TYPE)
    # Private (scoped to the user's organisations); always revalidated so that an edit shows at once.
    response["Cache-Control"] = "private, no-cache"
    response["ETag"] = tile.etag
    response["Vary"] = "Cookie"
    response["X-Tile-Cache"] = "hit" if tile.hit else "miss"
    response["Server-Timing"] = (
        f"tile;desc={'hit' if tile.hit else 'miss'};dur={(time.perf_counter() - started) * 1000:.3f}"
    )
    if tile.store is not None:
        after_sending(response, tile.store)  # a fresh tile goes to the cache off the client's path
    return response


def _scoped_tile(request: HttpRequest, layer: str, z: int, x: int, y: int) -> Tile | None:
    """The tile for the session's organisations; None when nobody is signed in.

    The kept scope (:mod:`tiles.scope`) spares the session, user and membership queries; the user's
    generation is checked in the tile's own cache read, and a stale scope is rebuilt from the database.
    """
    kept = tile_scope.cached_scope(request)
    if kept is not None:
        try:
            return get_tile(
                layer,
                z,
                x,
                y,
                kept.org_ids,
                check=(tile_scope.user_gen_key(kept.user_id), kept.user_gen),
                defer_store=True,
            )
        except StaleScope:
            pass
    fresh = tile_scope.build_scope(request)
    if fresh is None:
        return None
    return get_tile(layer, z, x, y, fresh.org_ids, defer_store=True)
