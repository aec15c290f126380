"""Benchmark of the parcels vector tile at z16 over 1,000,000 parcels: raw ST_AsMVT vs the endpoint.

    .venv/bin/python benchmarks/mvt_parcels.py [--parcels 1000000] [--repeat 40]

The data are committed (so that the planner's statistics, which autovacuum may refresh at any
time, know them) and deleted at the end, also when the run fails; a leftover of an aborted run is
deleted first:

1. a throw-away organisation (slug ``bench-mvt``) and a viewer in it;
2. N parcels generated set-based (``generate_series``): 25 m squares on a square grid in UTM 47N,
   so a z16 tile in the middle holds about 500 of them (the generated EPSG:3857 column and its GiST
   index are filled by PostgreSQL as for any insert); ``ANALYZE``; the plan must use the GiST index;
3. timings, each the median of ``--repeat`` runs on one z16 tile in the middle of the grid:
   - raw: the layer's SQL from :mod:`tiles.vector` run on a cursor (the ST_AsMVT query alone);
   - uncached: ``GET /tiles/parcels/16/x/y.mvt`` through Django's own WSGI handler, as gunicorn
     calls it (every middleware, the session cookie, organisation scope, cache lookup, query,
     response), with the tile's generation bumped before each run so that every run renders;
   - cached: the same request served from Redis.
   "Server time" is the WSGI call from environ to the last byte of the body; the view's own
   ``Server-Timing`` is shown beside it. The first request of the session (scope built from the
   session, user and memberships: 3 queries) is timed apart.

Figures go to docs/PERFORMANCE.md ("Vector tiles and staff map").
"""

from __future__ import annotations

import argparse
import io
import math
import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from pyproj import Transformer  # noqa: E402

from gis_portal.roles import VIEWER, sync_roles  # noqa: E402
from parcels.models import Membership, Organisation  # noqa: E402
from tiles import cache as tile_cache  # noqa: E402
from tiles import vector  # noqa: E402
from tiles.selectors import tile_organisation_ids  # noqa: E402

SLUG = "bench-mvt"
CELL = 25.0  # metres
ORIGIN = (500_000.0, 1_500_000.0)  # UTM 47N, central Thailand: nothing of the register is there


def cleanup() -> None:
    """Delete the benchmark organisation, its parcels and its user (also what an aborted run left)."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT id FROM parcels_organisation WHERE slug = %s", [SLUG])
        row = cur.fetchone()
        if row:
            cur.execute("DELETE FROM parcels_parcel WHERE organisation_id = %s", [row[0]])
            cur.execute("DELETE FROM parcels_membership WHERE organisation_id = %s", [row[0]])
            cur.execute("DELETE FROM parcels_organisation WHERE id = %s", [row[0]])
    get_user_model().objects.filter(username__startswith="bench-mvt-").delete()


def generate(org_id: int, n: int) -> None:
    side = math.ceil(math.sqrt(n))
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO parcels_parcel (organisation_id, code, zone, block, lot, doc_type, doc_number,
                                        geom, status, version, created_at, updated_at)
            SELECT %(org)s, g.zone || g.block || g.lot, g.zone, g.block, g.lot,
                   (ARRAY['chanote','ns3k','pbt5','none'])[1 + i %% 4], '',
                   ST_Multi(ST_Transform(ST_MakeEnvelope(
                       %(e)s + g.col * %(cell)s, %(n)s + g.row * %(cell)s,
                       %(e)s + (g.col + 1) * %(cell)s, %(n)s + (g.row + 1) * %(cell)s, 32647), 4326)),
                   'active', 1, now(), now()
            FROM generate_series(0, %(count)s - 1) AS i,
            LATERAL (SELECT lpad((i / 26000)::text, 2, '0') AS zone, chr(65 + (i / 1000) %% 26) AS block,
                            lpad((i %% 1000)::text, 3, '0') AS lot,
                            i %% %(side)s AS col, i / %(side)s AS row) AS g
            """,
            {"org": org_id, "e": ORIGIN[0], "n": ORIGIN[1], "side": side, "cell": CELL, "count": n},
        )


def middle_tile(n: int, z: int = 16) -> tuple[int, int, int]:
    side = math.ceil(math.sqrt(n))
    lon, lat = Transformer.from_crs(32647, 4326, always_xy=True).transform(
        ORIGIN[0] + side * CELL / 2, ORIGIN[1] + side * CELL / 2
    )
    x, y = tile_cache._lonlat_to_tile_float(lon, lat, z)
    return z, math.floor(x), math.floor(y)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def measure(args: argparse.Namespace, results: dict[str, object]) -> None:
    sync_roles()
    boundary_sql = "SELECT ST_Multi(ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, 32647), 4326))"
    side = math.ceil(math.sqrt(args.parcels)) * CELL
    with connection.cursor() as cur:
        cur.execute(
            boundary_sql,
            [ORIGIN[0] - 100, ORIGIN[1] - 100, ORIGIN[0] + side + 100, ORIGIN[1] + side + 100],
        )
        boundary = cur.fetchone()[0]
    with transaction.atomic():
        org = Organisation.objects.create(slug=SLUG, dla_code="bench-mvt", name_th="bench", boundary=boundary)
        user = get_user_model().objects.create_user(
            username=f"bench-mvt-{uuid.uuid4().hex[:6]}", password=None
        )
        Membership.objects.create(user=user, organisation=org, role=Group.objects.get(name=VIEWER))
        t = time.perf_counter()
        generate(org.pk, args.parcels)
        results["generate_s"] = time.perf_counter() - t
    with connection.cursor() as cur:
        cur.execute("ANALYZE parcels_parcel")
    z, x, y = middle_tile(args.parcels)
    layer = vector.LAYERS["parcels"]
    sql, params = vector.layer_sql(layer), vector.tile_params(layer, z, x, y, [org.pk])
    with connection.cursor() as cur:
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    results["plan_uses_index"] = "parcel_g3857_gist" in plan

    import mapbox_vector_tile

    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    handler = WSGIHandler()
    url = f"/tiles/parcels/{z}/{x}/{y}.mvt"
    after_send: list[float] = []

    def serve() -> tuple[float, dict[str, str]]:
        """One request through the WSGI handler: (seconds from environ to the body's last byte, headers)."""
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": url,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": cookie,
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        seen: dict[str, str] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
            seen.update(headers)
            seen["status"] = status

        t = time.perf_counter()
        body = handler(environ, start_response)
        b"".join(body)
        took = time.perf_counter() - t
        body.close()  # what the server does after sending: a fresh tile is written to the cache here
        after_send.append(time.perf_counter() - t - took)
        assert seen["status"].startswith("200"), seen
        return took, seen

    # Warm everything once, then interleave the kinds of run so that any load on the machine
    # falls on all of them alike.
    with connection.cursor() as cur:
        cur.execute(sql, params)
        data = bytes(cur.fetchone()[0])
    first, headers = serve()
    results["first_ms"] = first * 1000
    after_send.clear()
    raw, render, uncached, uncached_view, cached, cached_view = [], [], [], [], [], []
    for _ in range(args.repeat):
        with connection.cursor() as cur:
            t = time.perf_counter()
            cur.execute(sql, params)
            data = bytes(cur.fetchone()[0])
            raw.append(time.perf_counter() - t)
        t = time.perf_counter()
        vector.render_tile("parcels", z, x, y, [org.pk])
        render.append(time.perf_counter() - t)
        # Make the tile stale (outside the timing) so that the next request renders it again.
        tile_cache.invalidate_organisation(org.pk, ["parcels"])
        took, headers = serve()
        uncached.append(took)
        assert headers["X-Tile-Cache"] == "miss", headers
        uncached_view.append(float(headers["Server-Timing"].split("dur=")[1]) / 1000)
        took, headers = serve()
        cached.append(took)
        assert headers["X-Tile-Cache"] == "hit"
        cached_view.append(float(headers["Server-Timing"].split("dur=")[1]) / 1000)
    # What a cached request would cost without the kept scope: resolving the user's organisations
    # (one query once the session and user are loaded) and the cache read (one MGET).
    scope, hit = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        org_ids = tile_organisation_ids(user)
        scope.append(time.perf_counter() - t)
        t = time.perf_counter()
        assert tile_cache.get_tile("parcels", z, x, y, org_ids).hit
        hit.append(time.perf_counter() - t)
    size = len(data)
    features = len(mapbox_vector_tile.decode(data)["parcels"]["features"])
    results.update(
        tile=f"{z}/{x}/{y}",
        features=features,
        bytes=size,
        raw_ms=median_ms(raw),
        render_ms=median_ms(render),
        uncached_ms=median_ms(uncached),
        uncached_view_ms=median_ms(uncached_view),
        cached_ms=median_ms(cached),
        cached_view_ms=median_ms(cached_view),
        scope_ms=median_ms(scope),
        hit_ms=median_ms(hit),
        ratio=median_ms(uncached) / median_ms(raw),
        after_send_ms=median_ms(after_send[0::2]),
        ratio_view=median_ms(uncached_view) / median_ms(raw),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    tile_cache.namespace = f"bench-{uuid.uuid4().hex[:8]}"
    results: dict[str, object] = {}
    started = time.perf_counter()
    cleanup()
    try:
        measure(args, results)
    finally:
        cleanup()
        # The cache entries of this run (its own namespace) are dropped too.
        backend = caches[tile_cache.TILE_CACHE_ALIAS]
        client_ = getattr(getattr(backend, "_cache", None), "get_client", None)
        if client_ is not None:
            redis = client_(None, write=True)
            keys = list(redis.scan_iter(match=f"*mvt:{tile_cache.namespace}:*", count=1000))
            for i in range(0, len(keys), 500):
                redis.delete(*keys[i : i + 500])
    print(
        f"machine: {platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"PostgreSQL {connection.pg_version}"
    )
    print(
        f"parcels: {args.parcels:,} (generated in {results['generate_s']:.1f} s), tile z{results['tile']}: "
        f"{results['features']} features, {results['bytes']:,} bytes, median of {args.repeat} runs"
    )
    print(f"first tile of the session (builds the scope): {results['first_ms']:.2f} ms")
    print(f"raw ST_AsMVT query (cursor):          {results['raw_ms']:.2f} ms")
    print(f"tiles.vector.render_tile:             {results['render_ms']:.2f} ms")
    print(
        f"endpoint uncached, view (Server-Timing): {results['uncached_view_ms']:.2f} ms "
        f"= {results['ratio_view']:.3f} x raw"
    )
    print(
        f"endpoint uncached, server time (WSGI): {results['uncached_ms']:.2f} ms "
        f"= {results['ratio']:.3f} x raw"
    )
    print(f"  after sending (cache write, close):    {results['after_send_ms']:.3f} ms")
    print(f"endpoint cached, view (Server-Timing):   {results['cached_view_ms']:.3f} ms")
    print(f"endpoint cached, server time (WSGI):   {results['cached_ms']:.3f} ms")
    print(f"without the kept scope it would add: organisation query {results['scope_ms']:.3f} ms")
    print(f"cache read alone (1 MGET):               {results['hit_ms']:.3f} ms")
    print(f"plan uses the GiST index: {results['plan_uses_index']}")
    print(f"total {time.perf_counter() - started:.1f} s; the benchmark organisation was deleted")


if __name__ == "__main__":
    main()
