"""Vector tile endpoint: ``/tiles/{layer}/{z}/{x}/{y}.mvt`` for the staff map (thin: cache + SQL)."""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.views.decorators.http import require_GET

from .cache import get_tile
from .selectors import tile_organisation_ids
from .vector import LAYERS, in_range

MVT_CONTENT_TYPE = "application/vnd.mapbox-vector-tile"


@require_GET
def vector_tile(request: HttpRequest, layer: str, z: int, x: int, y: int) -> HttpResponse:
    started = time.perf_counter()
    if not request.user.is_authenticated:
        return JsonResponse(
            {"code": "login_required", "message_en": "Sign in first", "message_th": "กรุณาเข้าสู่ระบบ"},
            status=401,
        )
    if layer not in LAYERS or not in_range(z, x, y):
        return JsonResponse(
            {"code": "no_such_tile", "message_en": "No such tile", "message_th": "ไม่มีไทล์นี้"}, status=404
        )
    tile = get_tile(layer, z, x, y, tile_organisation_ids(request.user))
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
    return response
