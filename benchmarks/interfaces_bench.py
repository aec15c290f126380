"""Benchmark of the open interfaces on the demo register: REST API, OGC API – Features, GeoPackage.

    .venv/bin/python benchmarks/interfaces_bench.py [--org pangmu] [--repeat 3]

In-process (Django test client, no network), against the dev database with the demo loaded
(``manage.py seed_demo``). A throw-away superuser is made inside a transaction that is rolled
back at the end, so nothing stays behind (the round-trip import is rolled back too). Prints the
best wall time of ``--repeat`` runs and the number of SQL queries of each request. Figures go to
docs/PERFORMANCE.md ("Open interfaces").
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from parcels.export import export_register, import_register, organisation_from_file  # noqa: E402
from parcels.models import Parcel  # noqa: E402
from parcels.selectors import organisation_by_slug  # noqa: E402


class Rollback(Exception):
    pass


def best(repeat: int, func) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="pangmu")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    organisation = organisation_by_slug(args.org)
    print(
        f"{platform.node()} {os.cpu_count()} cores, {timezone.now():%Y-%m-%d %H:%M} UTC, org {args.org}: "
        f"{Parcel.objects.filter(organisation=organisation).count()} parcels"
    )
    today = timezone.localdate().isoformat()
    urls = [
        "/api/v1/parcels/?limit=1000",
        f"/api/v1/parcels/?limit=1000&as_of={today}",
        "/api/v1/buildings/?limit=1000",
        "/api/v1/parties/?limit=1000",
        "/api/v1/parcels/?bbox=97.95,19.33,97.97,19.345&limit=1000",
        "/ogc/collections",
        "/ogc/collections/parcels/items?limit=1000",
        "/ogc/collections/parcels/items?limit=10000",
        "/ogc/collections/parcels/items?limit=10000&crs=http://www.opengis.net/def/crs/EPSG/0/32647",
        f"/ogc/collections/parcels/items?limit=1000&datetime={today}T23:59:59%2B07:00",
    ]
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_superuser(
                "bench-interfaces", "bench@example.invalid", None
            )
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            for url in urls:
                queries: list[str] = []
                with connection.execute_wrapper(lambda run, s, *a, q=queries: q.append(s) or run(s, *a)):
                    response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                seconds, response = best(args.repeat, lambda url=url: client.get(url))
                print(
                    f"{seconds * 1000:8.0f} ms {len(queries):3d} queries "
                    f"{len(response.content) / 1e6:6.2f} MB  GET {url}"
                )
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "register.gpkg"
                seconds, counts = best(
                    args.repeat, lambda: export_register(organisation, path, with_personal_data=True)
                )
                print(
                    f"{seconds:8.1f} s  export_register: {sum(counts.values())} rows, "
                    f"{path.stat().st_size / 1e6:.1f} MB"
                )
                start = time.perf_counter()
                copy = organisation_from_file(path, slug="bench-interfaces-copy", dla_code="BENCH-IF")
                report = import_register(copy, path)
                print(
                    f"{time.perf_counter() - start:8.1f} s  import_register into an empty organisation: "
                    f"{report.summary()}"
                )
            raise Rollback
    except Rollback:
        print("rolled back: nothing was kept")


if __name__ == "__main__":
    main()
