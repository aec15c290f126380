"""Tax-status vector tiles: ``/tiles/tax-status/{year}/{z}/{x}/{y}.mvt`` (layer ``tax_status``).

Each active parcel with its Land and Building Tax status for the tax year: ``not_assessed``,
``draft``, ``issued_unpaid``, ``partly_paid``, ``paid`` or ``overdue`` (co-owners' notices combined:
any overdue -> overdue; all paid -> paid; all draft -> draft; some money in -> partly_paid). Same
conventions as :mod:`tiles.vector`: a ``&&`` filter on the tile envelope, the organisation scope,
a min zoom, a feature cap, and nothing personal (no names, amounts or notice numbers).

Not cached: a payment changes the colour, and the query is one index scan per tile.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from .selectors import tile_organisation_ids
from .vector import BUFFER, EXTENT, in_range

MINZOOM, MAXZOOM, CAP = 13, 20, 20_000
LAYER = "tax_status"

SQL = f"""
WITH bounds AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env,
           ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s) AS query_env
), tiles_parcels AS (
    SELECT t.id, t.code, t.organisation_id, t.geom_3857, b.env
    FROM parcels_parcel t CROSS JOIN bounds b
    WHERE t.geom_3857 && b.query_env
      AND t.organisation_id = ANY(%(orgs)s::bigint[])
      AND t.status = 'active'
    LIMIT %(cap)s
), statuses AS (
    SELECT p.id,
        CASE
            WHEN count(a.id) = 0 THEN 'not_assessed'
            WHEN bool_or(a.s = 'overdue') THEN 'overdue'
            WHEN bool_and(a.s = 'paid') THEN 'paid'
            WHEN bool_and(a.s = 'draft') THEN 'draft'
            WHEN bool_or(a.s IN ('paid', 'partly_paid')) THEN 'partly_paid'
            ELSE 'issued_unpaid'
        END AS status
    FROM tiles_parcels p
    LEFT JOIN LATERAL (
        SELECT x.id,
            CASE
                WHEN x.status = 'draft' THEN 'draft'
                WHEN x.paid >= x.total THEN 'paid'
                WHEN x.paid < COALESCE((SELECT sum(i.amount) FROM taxes_installment i
                                        WHERE i.assessment_id = x.id AND i.due_date < %(today)s), 0)
                    THEN 'overdue'
                WHEN x.paid > 0 THEN 'partly_paid'
                ELSE 'issued_unpaid'
            END AS s
        FROM taxes_assessment x
        JOIN taxes_taxyear ty ON ty.id = x.tax_year_id
        WHERE x.parcel_ids @> ARRAY[p.id]::bigint[]
          AND ty.organisation_id = p.organisation_id AND ty.year = %(year)s
          AND x.status <> 'cancelled'
    ) a ON TRUE
    GROUP BY p.id
), rows AS (
    SELECT ST_AsMVTGeom(p.geom_3857, p.env, {EXTENT}, {BUFFER}, true) AS geom, p.id, p.code, s.status
    FROM tiles_parcels p JOIN statuses s ON s.id = p.id
)
SELECT ST_AsMVT(rows.*, %(layer)s, {EXTENT}, 'geom', 'id') FROM rows WHERE rows.geom IS NOT NULL
"""  # noqa: S608 - only the module's integer constants are formatted in; values are bound parameters


def render_tax_status_tile(year: int, z: int, x: int, y: int, organisation_ids: Sequence[int]) -> bytes:
    if not in_range(z, x, y) or z < MINZOOM or z > MAXZOOM or not organisation_ids:
        return b""
    params = {
        "z": z,
        "x": x,
        "y": y,
        "margin": BUFFER / EXTENT,
        "orgs": list(organisation_ids),
        "cap": CAP,
        "year": year,
        "today": timezone.localdate(),
        "layer": LAYER,
    }
    with connection.cursor() as cur:
        cur.execute(SQL, params)
        row = cur.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


def tax_organisation_ids(user: Any) -> list[int]:
    from gis_portal.api.access import organisation_ids_with_permission

    ids = organisation_ids_with_permission(user, "view_assessment", "taxes")
    return tile_organisation_ids(user) if ids is None else sorted(ids)


@require_GET
def tax_status_tile(request: HttpRequest, year: int, z: int, x: int, y: int) -> HttpResponse:
    started = time.perf_counter()
    if not request.user.is_authenticated:
        return JsonResponse(
            {"code": "login_required", "message_en": "Sign in first", "message_th": "กรุณาเข้าสู่ระบบ"},
            status=401,
        )
    if not in_range(z, x, y):
        return JsonResponse(
            {"code": "no_such_tile", "message_en": "No such tile", "message_th": "ไม่มีไทล์นี้"}, status=404
        )
    # Only organisations where one of the user's roles may see assessments (tax officer, viewer).
    data = render_tax_status_tile(year, z, x, y, tax_organisation_ids(request.user))
    response = HttpResponse(data, content_type="application/vnd.mapbox-vector-tile")
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie"
    response["Server-Timing"] = f"tile;dur={(time.perf_counter() - started) * 1000:.3f}"
    return response
