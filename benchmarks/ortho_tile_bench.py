"""Benchmark: cost of a tile request (/tiles/ortho/{id}/...) vs a direct rio-tiler read of the same tile.

Needs a ready orthomosaic in the dev database (``manage.py ingest_demo_ortho --org pangmu``):

    .venv/bin/python benchmarks/ortho_tile_bench.py [--id N] [--tiles 300] [--ext png] [--cache]

For each tile (random tiles inside the footprint, zoom 15–19) both paths run back to back, in
alternating order, so both see the same warm GDAL cache: the view (Django test client, logged-in
viewer: session, user and scoped imagery queries, GDAL env, rio-tiler read, render, headers) and
rio-tiler alone (Reader(...).tile + render in the same GDAL env). Prints medians and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--id", type=int, default=None)
    parser.add_argument("--tiles", type=int, default=300)
    parser.add_argument("--ext", default="png", choices=["png", "jpg", "webp"])
    parser.add_argument(
        "--cache", action="store_true", help="keep the server-side tile cache on (default: each view renders)"
    )
    args = parser.parse_args()
    if not args.cache:
        # The comparison is of rendering a tile: without this, a tile rendered by an earlier run (or the
        # warm-up) would come from the cache.
        os.environ["IMAGERY_TILE_CACHE_SECONDS"] = "0"

    import django

    django.setup()
    import morecantile
    import rasterio
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from rio_tiler.io import Reader

    from drone_ingest.models import ImageryStatus, Orthomosaic
    from parcels.models import Membership
    from tiles import raster

    qs = Orthomosaic.objects.filter(status=ImageryStatus.READY, kind="ortho")
    ortho = qs.get(pk=args.id) if args.id else qs.order_by("-id").first()
    if ortho is None:
        raise SystemExit("no ready orthomosaic: run manage.py ingest_demo_ortho first")
    tms = morecantile.tms.get("WebMercatorQuad")
    west, south, east, north = ortho.footprint.extent
    rng = random.Random(42)
    tiles = []
    while len(tiles) < args.tiles:
        z = rng.randint(15, 19)
        tile = tms.tile(rng.uniform(west, east), rng.uniform(south, north), z)
        tiles.append(tile)

    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username="tile-bench-viewer", defaults={"is_staff": False})
    Membership.objects.get_or_create(
        user=user, organisation=ortho.organisation, role=Group.objects.get(name="viewer")
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    location = raster.cog_location(ortho.cog_path)
    driver = raster.FORMATS[args.ext][0]

    def direct(tile: morecantile.Tile) -> int:
        with rasterio.Env(**raster.gdal_env_options()):
            try:
                with Reader(location) as reader:
                    image = reader.tile(tile.x, tile.y, tile.z, tilesize=256)
            except Exception:  # noqa: BLE001 - outside bounds: nothing rendered either way
                return 0
        if not image.mask.any():
            return 0
        if image.count > 3:
            image = type(image)(image.array[:3], crs=image.crs, bounds=image.bounds)
        return len(image.render(img_format=driver, add_mask=driver != "JPEG"))

    def view(tile: morecantile.Tile) -> int:
        response = client.get(f"/tiles/ortho/{ortho.pk}/{tile.z}/{tile.x}/{tile.y}.{args.ext}")
        assert response.status_code in (200, 204), response.status_code
        return len(response.content)

    for tile in tiles[:10]:  # warm imports and caches
        view(tile)
        direct(tile)
    t_view, t_direct = [], []
    for i, tile in enumerate(tiles):
        order = (view, direct) if i % 2 else (direct, view)
        for fn in order:
            started = time.perf_counter()
            fn(tile)
            (t_view if fn is view else t_direct).append(time.perf_counter() - started)
    result = {
        "orthomosaic": ortho.pk,
        "tiles": len(tiles),
        "format": args.ext,
        "server_cache": args.cache,
        "view_median_ms": round(statistics.median(t_view) * 1000, 2),
        "direct_median_ms": round(statistics.median(t_direct) * 1000, 2),
        "view_p90_ms": round(statistics.quantiles(t_view, n=10)[8] * 1000, 2),
        "direct_p90_ms": round(statistics.quantiles(t_direct, n=10)[8] * 1000, 2),
        "ratio_median": round(statistics.median(t_view) / statistics.median(t_direct), 3),
        "ratio_total": round(sum(t_view) / sum(t_direct), 3),
    }
    Membership.objects.filter(user=user).delete()
    user.delete()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
