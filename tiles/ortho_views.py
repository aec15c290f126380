"""Raster tile endpoints of orthomosaics: scoped to the user's organisations, cacheable by ETag."""

from __future__ import annotations

import hashlib

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import caches
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import register_converter
from django.views.decorators.http import require_GET

from drone_ingest import conf
from drone_ingest.models import ImageryStatus, Orthomosaic
from drone_ingest.selectors import imagery_covering
from gis_portal.errors import NotFoundError
from parcels.models import Organisation
from parcels.selectors import organisation_ids_for_user

from . import raster
from .cache import TILE_CACHE_ALIAS, after_sending
from .scope import request_organisation_ids

MAX_ZOOM = 24


class TileFormat:
    """URL converter ``<tileformat:ext>``: the raster tile formats served."""

    regex = "jpg|png|webp"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TileFormat, "tileformat")


def _check_tile(z: int, x: int, y: int) -> None:
    if z > MAX_ZOOM or x >= 2**z or y >= 2**z:
        raise Http404("no such tile")


def _etag(*parts: object) -> str:
    return (
        '"' + hashlib.sha1(":".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()[:20] + '"'
    )


def _cached(request: HttpRequest, etag: str) -> HttpResponse | None:
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
        _headers(response, etag)
        return response
    return None


def _headers(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    # Private: tiles are visible only to the organisation's staff.
    response["Cache-Control"] = f"private, max-age={conf.tile_max_age_seconds()}"
    response["Vary"] = "Cookie"
    return response


def _tile_response(tile: raster.Tile, etag: str) -> HttpResponse:
    if tile.content is None:
        return _headers(HttpResponse(status=204), etag)
    return _headers(HttpResponse(tile.content, content_type=tile.media_type), etag)


@require_GET
def ortho_tile(request: HttpRequest, pk: int, z: int, x: int, y: int, ext: str) -> HttpResponse:
    """``/tiles/ortho/{id}/{z}/{x}/{y}.{jpg|png|webp}``: one tile of one ready orthomosaic or DSM."""
    _check_tile(z, x, y)
    # The session's organisations, kept in the cache (tiles.scope): no session/user/membership
    # queries per tile, only the imagery row, scoped in the same query.
    org_ids = request_organisation_ids(request)
    if org_ids is None:
        return redirect_to_login(request.get_full_path())
    row = (
        Orthomosaic.objects.filter(pk=pk, status=ImageryStatus.READY, organisation_id__in=org_ids)
        .values_list("cog_path", "processed_at", "kind", "value_min", "value_max")
        .first()
    )
    if row is None:
        raise Http404("no such imagery")
    cog_path, processed_at, kind, vmin, vmax = row
    etag = _etag("o", pk, processed_at.timestamp(), z, x, y, ext)
    if cached := _cached(request, etag):
        return cached
    # Rendered tiles are kept in the shared cache: a processed image never changes (the key holds its
    # processing time), so any user allowed to see the image may be served the same bytes.
    keep_for = conf.ortho_tile_cache_seconds()  # 0: no server-side cache
    key = f"ortho:{connection.settings_dict['NAME']}:{etag.strip(chr(34))}"
    cache = caches[TILE_CACHE_ALIAS]
    kept = cache.get(key) if keep_for else None
    if kept is not None:
        response = _tile_response(raster.Tile(*kept), etag)
        response["X-Tile-Cache"] = "hit"
        return response
    value_range = (vmin, vmax) if vmin is not None and vmax is not None else None
    tile = raster.read_tile(cog_path, z, x, y, ext, kind=kind, value_range=value_range)
    response = _tile_response(tile, etag)
    response["X-Tile-Cache"] = "miss"
    if keep_for:  # stored once the response has been sent (not on the client's path)
        after_sending(response, lambda: cache.set(key, (tile.content, tile.media_type), keep_for))
    return response


@require_GET
@login_required
def latest_tile(request: HttpRequest, z: int, x: int, y: int, ext: str) -> HttpResponse:
    """``/tiles/ortho/latest/{z}/{x}/{y}.jpg``: the newest orthomosaic covering each pixel.

    For the user's organisation (``?org=<slug>`` chooses one when the user works in several).
    """
    _check_tile(z, x, y)
    ids = organisation_ids_for_user(request.user)
    slug = request.GET.get("org")
    if slug:
        org_id = Organisation.objects.filter(slug=slug).values_list("pk", flat=True).first()
        if org_id is None or (ids is not None and org_id not in ids):
            raise Http404("no such organisation")
        ids = [org_id]
    import morecantile

    bounds = morecantile.tms.get("WebMercatorQuad").bounds(x, y, z)
    try:
        rows = imagery_covering(ids, (bounds.left, bounds.bottom, bounds.right, bounds.top))
    except NotFoundError as exc:
        raise Http404(str(exc)) from None
    etag = _etag("m", ids, [(o.pk, o.processed_at.timestamp()) for o in rows], z, x, y, ext)
    if cached := _cached(request, etag):
        return cached
    return _tile_response(raster.read_mosaic_tile([o.cog_path for o in rows], z, x, y, ext), etag)
