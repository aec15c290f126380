"""How long a village field packet takes to make, how much memory, how large it is.

    .venv/bin/python benchmarks/field_packet_bench.py [--village N] [--runs 3] [--cover-resolution 0.3]

The village defaults to the demo's largest (the most buildings). Unless imagery already covers the
whole village, ``--cover-resolution`` first renders a demo orthomosaic over the village's whole
extent at that ground resolution and ingests it (once; it stays in the database), so the basemap is
as large as it gets. Each run is the whole job as the office waits for it: ``manage.py field_packet``
in its own process under ``/usr/bin/time -v`` (wall time, peak memory), plus the packet's own
breakdown (basemap tiles and zoom levels, file sizes). Prints the machine's load before and after.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db.models import Count  # noqa: E402

from drone_ingest import demo as ortho_demo  # noqa: E402
from drone_ingest.models import ImageryStatus, Orthomosaic  # noqa: E402
from fieldwork.models import FieldPacket  # noqa: E402
from parcels.models import Organisation, Village  # noqa: E402


def load() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def largest_village(org: Organisation) -> Village:
    return (
        Village.objects.filter(organisation=org)
        .annotate(n=Count("parcels__buildings"))
        .order_by("-n", "number")
        .first()
    )


def ensure_cover(org: Organisation, village: Village, resolution: float) -> Orthomosaic | None:
    ready = Orthomosaic.objects.filter(organisation=org, status=ImageryStatus.READY, kind="ortho")
    if ready.filter(footprint__contains=village.boundary).exists():
        return None
    west, south, east, north = village.boundary.transform(org.utm_srid, clone=True).extent
    # The demo renderer draws a square around the register; aim it at this village's extent.
    original = ortho_demo._area_of_interest
    ortho_demo._area_of_interest = lambda _org, _srid, _side: (west, south, east, north)
    try:
        started = time.monotonic()
        ortho = ortho_demo.ingest_demo_orthomosaic(
            org,
            progress=lambda m: print("  ", m, flush=True),
            resolution=resolution,
            max_side_m=max(east - west, north - south),
        )
    finally:
        ortho_demo._area_of_interest = original
    print(
        f"demo orthomosaic {ortho.pk} over village {village.number}: {ortho.width}×{ortho.height} px at "
        f"{resolution} m, made in {time.monotonic() - started:.0f} s"
    )
    return ortho


def run_once(org: Organisation, village: Village, user: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "packet.zip"
        done = subprocess.run(
            [
                "/usr/bin/time",
                "-v",
                sys.executable,
                "manage.py",
                "field_packet",
                "--org",
                org.slug,
                "--village",
                str(village.number),
                "--user",
                user,
                str(out),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        size = out.stat().st_size
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", done.stderr).group(1)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    parts = [float(p) for p in wall.split(":")]
    seconds = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) > 2 else 0)
    packet = FieldPacket.objects.order_by("-id").first()
    return {"wall_s": seconds, "peak_mb": rss / 1024, "zip_mb": size / 1e6, "packet": packet}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--org", default="pangmu")
    parser.add_argument("--village", type=int)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--user", default="demo")
    parser.add_argument("--cover-resolution", type=float, default=0.3)
    args = parser.parse_args()
    org = Organisation.objects.get(slug=args.org)
    village = (
        Village.objects.get(organisation=org, number=args.village) if args.village else largest_village(org)
    )
    if not get_user_model().objects.filter(username=args.user).exists():
        sys.exit(f"no user {args.user!r}: run manage.py demo_user")
    print(f"village {village.number} {village.name_en}: {village.area_m2 / 1e6:.1f} km²; load {load()}")
    ensure_cover(org, village, args.cover_resolution)
    results = []
    for i in range(args.runs):
        result = run_once(org, village, args.user)
        results.append(result)
        p = result["packet"]
        b = p.basemap
        print(
            f"run {i + 1}: {result['wall_s']:.1f} s wall, peak {result['peak_mb']:.0f} MB, "
            f"zip {result['zip_mb']:.1f} MB; build {p.build_seconds} s; {p.counts}; "
            f"basemap z{b.get('min_zoom')}–{b.get('max_zoom')} (imagery z{b.get('native_zoom')}), "
            f"{b.get('tiles')} tiles, {b.get('bytes', 0) / 1e6:.1f} MB; load {load()}",
            flush=True,
        )
    walls = sorted(r["wall_s"] for r in results)
    peaks = sorted(r["peak_mb"] for r in results)
    print(
        f"median wall {walls[len(walls) // 2]:.1f} s (min {walls[0]:.1f}, max {walls[-1]:.1f}); "
        f"median peak {peaks[len(peaks) // 2]:.0f} MB; zip {results[-1]['zip_mb']:.1f} MB; load {load()}"
    )


if __name__ == "__main__":
    main()
