"""Benchmark: ingest of a ≥ 2 GB generated GeoTIFF vs ``gdal_translate -of COG`` with the same options.

Run by hand (takes several minutes, needs ~3 GB free under --workdir and the dev database with the
organisation given by --org):

    .venv/bin/python benchmarks/ingest_cog.py [--workdir var/bench-imagery] [--size-gb 2.0]

It writes the input window by window (uncompressed RGB, 512-px tiles, UTM 47N, forest texture),
then measures wall time and peak RSS (``/usr/bin/time -v``) of both commands, validates both
COGs and prints a JSON summary. The ingested record and its files are deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")


def generate(path: Path, size_gb: float) -> tuple[int, int]:
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    from drone_ingest.demo import forest_texture

    side = int(((size_gb * 1024**3) / 3) ** 0.5) // 512 * 512 + 512
    tile = np.clip(forest_texture(0, 0, 2048, 2048), 0, 255).astype(np.uint8)
    profile = {
        "driver": "GTiff",
        "width": side,
        "height": side,
        "count": 3,
        "dtype": "uint8",
        "crs": "EPSG:32647",
        "transform": from_origin(385_000.0, 2_142_000.0, 0.1, 0.1),
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "photometric": "RGB",
        "interleave": "pixel",
        "BIGTIFF": "YES",
    }
    with rasterio.open(path, "w", **profile) as dst:
        for row0 in range(0, side, 512):
            strip = np.empty((3, 512, side), dtype=np.uint8)
            shift = (row0 * 7) % 2048
            band = np.roll(tile[:, (row0 % 2048) : (row0 % 2048) + 512, :], shift, axis=2)
            reps = side // 2048 + 1
            strip[:] = np.tile(band, (1, 1, reps))[:, :, :side]
            # A field pattern so JPEG sees structure, not only noise.
            strip[0, :, (row0 // 512 % 3) * 1000 : (row0 // 512 % 3) * 1000 + 3000] //= 2
            dst.write(strip, window=Window(0, row0, side, 512))
    return side, side


def timed(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    started = time.monotonic()
    proc = subprocess.run(  # noqa: S603 - fixed argument lists built here
        ["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env, check=False
    )
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)[1])
    return {
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(rss_kb / 1024, 1),
        "stdout_tail": proc.stdout[-400:],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench-imagery")
    parser.add_argument("--size-gb", type=float, default=2.0)
    parser.add_argument("--org", default="pangmu")
    parser.add_argument("--keep-input", action="store_true")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    src = args.workdir / "bench-ortho.tif"

    import django

    django.setup()
    from drone_ingest import conf, raster
    from drone_ingest.models import Orthomosaic
    from drone_ingest.services import delete_orthomosaic

    if not src.exists() or src.stat().st_size < args.size_gb * 1024**3:
        t = time.monotonic()
        width, height = generate(src, args.size_gb)
        print(f"generated {src} {width}×{height} in {time.monotonic() - t:.0f}s", flush=True)
    size = src.stat().st_size

    options = raster.cog_options("ortho")
    gdal_out = args.workdir / "gdal-cog.tif"
    gdal_out.unlink(missing_ok=True)
    cmd = ["gdal_translate", "-q", "-of", "COG", "--config", "GDAL_CACHEMAX", str(conf.gdal_cachemax_mb())]
    for key, value in options.items():
        cmd += ["-co", f"{key}={value}"]
    gdal = timed([*cmd, str(src), str(gdal_out)])
    gdal_ok = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            f"from rio_cogeo.cogeo import cog_validate; print(cog_validate({str(gdal_out)!r}))",
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    print("gdal_translate", gdal, gdal_ok, flush=True)

    before = set(Orthomosaic.objects.values_list("pk", flat=True))
    ingest = timed(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "ingest_ortho",
            str(src),
            "--org",
            args.org,
            "--captured",
            "2026-01-15",
            "--title",
            "benchmark",
        ]
    )
    print("ingest_ortho", ingest, flush=True)
    new = Orthomosaic.objects.exclude(pk__in=before).get()
    cog_path = conf.imagery_root() / new.cog_path
    raster.validate_cog(cog_path)
    result = {
        "input_bytes": size,
        "input_size": f"{new.width}×{new.height}×{new.band_count} uint8",
        "cog_options": options,
        "gdal_translate": {k: v for k, v in gdal.items() if k != "stdout_tail"},
        "gdal_cog_bytes": gdal_out.stat().st_size,
        "gdal_cog_valid": gdal_ok,
        "ingest_ortho": {k: v for k, v in ingest.items() if k != "stdout_tail"},
        "ingest_cog_bytes": new.cog_size,
        "ingest_cog_valid": True,
        "ratio_wall": round(ingest["wall_s"] / gdal["wall_s"], 2),
        "gdal_cli_version": subprocess.run(
            ["gdalinfo", "--version"],
            capture_output=True,
            text=True,  # noqa: S607
            check=False,
        ).stdout.strip(),
    }
    import rasterio

    result["rasterio_gdal_version"] = rasterio.__gdal_version__
    delete_orthomosaic(new)
    gdal_out.unlink(missing_ok=True)
    if not args.keep_input:
        src.unlink(missing_ok=True)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
