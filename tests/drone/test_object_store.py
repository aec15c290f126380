"""Imagery on the S3-compatible object store: upload → COG → tile, with nothing kept on local disk.

The store is a real S3 server over HTTP (moto in server mode, tests/s3_server.py); GDAL reads the
COG from it through ``/vsis3/`` with range requests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import morecantile
import numpy as np
import pytest
import rasterio
from django.core.management import call_command
from django.urls import reverse
from PIL import Image
from pyproj import Transformer
from rasterio.transform import from_origin

from drone_ingest import services
from drone_ingest.models import ImageryStatus, Orthomosaic, RefusedImagery
from gis_portal.roles import SURVEYOR, VIEWER
from tests.conftest import ORIGIN_E, ORIGIN_N, utm_point

from .conftest import files_under

pytestmark = pytest.mark.django_db
TMS = morecantile.tms.get("WebMercatorQuad")
TO_3857 = Transformer.from_crs(4326, 3857, always_xy=True)


def noisy_tiff(path, size: int = 2048) -> bytes:
    """RGBA at 0.25 m from the office origin: red on the left half, noise (so the COG is megabytes)."""
    rng = np.random.default_rng(7)
    data = rng.integers(0, 255, (4, size, size), dtype=np.uint8)
    data[0, :, : size // 2] = 230
    data[1:3, :, : size // 2] //= 8
    data[3] = 255
    profile = {
        "driver": "GTiff", "width": size, "height": size, "count": 4, "dtype": "uint8",
        "crs": "EPSG:32647", "transform": from_origin(ORIGIN_E, ORIGIN_N, 0.25, 0.25),
        "tiled": True, "blockxsize": 256, "blockysize": 256, "photometric": "RGB",
    }  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.colorinterp = [rasterio.enums.ColorInterp[c] for c in ("red", "green", "blue", "alpha")]
        dst.write(data)
    return path.read_bytes()


def _upload(client, data: bytes, chunk: int) -> dict:
    body = {
        "organisation": "pangmu", "filename": "flight.tif", "size": len(data), "captured": "2026-02-01",
        "kind": "ortho", "title": "Flight S3", "sha256": hashlib.sha256(data).hexdigest(),
    }  # fmt: skip
    started = client.post(
        reverse("drone_ingest:upload-start"), json.dumps(body), content_type="application/json"
    )
    assert started.status_code == 201, started.content
    session = started.json()
    for start in range(0, len(data), chunk):
        end = min(start + chunk, len(data))
        put = client.put(
            session["url"], data[start:end], content_type="application/octet-stream",
            headers={"Content-Range": f"bytes {start}-{end - 1}/{len(data)}"},
        )  # fmt: skip
        assert put.status_code == 200, put.content
    return session


def test_upload_cog_and_tiles_go_through_the_object_store(
    client, make_user, pangmu, imagery_root, object_store, tmp_path, django_capture_on_commit_callbacks
):
    data = noisy_tiff(tmp_path / "flight.tif")
    client.force_login(make_user("surveyor-s3", pangmu, SURVEYOR))
    session = _upload(client, data, chunk=4 * 1024 * 1024)
    # Chunks in progress stay on the local disk of the web server that receives them…
    assert [p.name for p in files_under(imagery_root)] == [f"{session['id']}.part"]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        done = client.post(session["finalize_url"])
    assert done.status_code == 201, done.content
    assert len(queued) == 1  # processing is queued for a worker
    ortho = Orthomosaic.objects.get(pk=done.json()["id"])
    # …the finished original goes to the store, and nothing of it stays here.
    original = f"pangmu/media/imagery/{ortho.source_path}"
    assert object_store.keys("pangmu/media/imagery/") == [original]
    assert object_store.read(original) == data
    assert files_under(imagery_root) == []

    # A worker (here: this process, with an empty local disk) fetches, converts and uploads the COG.
    assert services.process_orthomosaic(ortho.pk) == ImageryStatus.READY
    ortho.refresh_from_db()
    cog = f"pangmu/media/imagery/{ortho.cog_path}"
    assert object_store.keys("pangmu/media/imagery/") == [cog]  # the original is gone once ready
    assert ortho.cog_size == len(object_store.read(cog)) > 1_000_000
    assert files_under(imagery_root) == [], "no work file left behind"
    assert ortho.footprint is not None and ortho.footprint_area_m2 > 0

    # Tiles: GDAL reads the COG from the store in ranges, never whole.
    point = utm_point(100, -256)  # in the red half
    tile = TMS.tile(point.x, point.y, 19)
    bounds = TMS.xy_bounds(tile)
    mx, my = TO_3857.transform(point.x, point.y)
    px = int((mx - bounds.left) / (bounds.right - bounds.left) * 256)
    py = int((bounds.top - my) / (bounds.top - bounds.bottom) * 256)
    client.force_login(make_user("viewer-s3", pangmu, VIEWER))
    object_store.server.log.clear()
    url = reverse(
        "tiles:ortho-tile", kwargs={"pk": ortho.pk, "z": tile.z, "x": tile.x, "y": tile.y, "ext": "png"}
    )
    response = client.get(url)
    assert response.status_code == 200, response.content[:200]
    r, g, b, a = Image.open(io.BytesIO(response.content)).convert("RGBA").getpixel((px, py))
    assert a == 255 and r > 180 and g < 80 and b < 80
    reads = object_store.server.requests_for(ortho.cog_path)
    assert reads and all(r.range and r.range.startswith("bytes=") for r in reads), reads
    assert sum(r.sent for r in reads) < ortho.cog_size / 4, (sum(r.sent for r in reads), ortho.cog_size)

    # The newest-imagery mosaic and the record's deletion work on the store too.
    mosaic = client.get(
        reverse("tiles:ortho-latest", kwargs={"z": tile.z, "x": tile.x, "y": tile.y, "ext": "jpg"})
    )
    assert mosaic.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_orthomosaic(ortho)
    assert object_store.keys("pangmu/media/imagery/") == []


def test_command_line_ingest_keeps_the_surveyors_file_and_puts_a_copy_in_the_store(
    pangmu, imagery_root, object_store, make_tiff, capsys
):
    path = make_tiff()
    before = path.read_bytes()
    call_command("ingest_ortho", str(path), org="pangmu", captured="2026-01-15")
    ortho = Orthomosaic.objects.get(organisation=pangmu)
    assert ortho.status == ImageryStatus.READY and "ready" in capsys.readouterr().out
    assert path.read_bytes() == before  # the surveyor's own file is untouched
    assert object_store.keys("pangmu/media/imagery/") == [f"pangmu/media/imagery/{ortho.cog_path}"]
    assert files_under(imagery_root) == []


def test_refused_and_missing_originals_with_the_store(
    pangmu, imagery_root, object_store, make_tiff, django_capture_on_commit_callbacks
):
    # No valid pixel at all: found while converting; the record goes, the original leaves the store.
    empty = services.ingest_file(
        organisation=pangmu, path=make_tiff(valid=None), captured_on=dt.date(2026, 1, 1), queue=False
    )
    assert object_store.keys("pangmu/media/imagery/originals/")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.process_orthomosaic(empty.pk) == ImageryStatus.FAILED
    assert RefusedImagery.objects.filter(orthomosaic_id=empty.pk, error_code="empty_footprint").exists()
    assert object_store.keys("pangmu/media/imagery/") == []
    assert files_under(imagery_root) == []

    # An original that vanished from the store: the job fails with a clear, non-retryable message.
    lost = services.ingest_file(
        organisation=pangmu, path=make_tiff(), captured_on=dt.date(2026, 1, 2), queue=False
    )
    object_store.s3.delete_object(Bucket=object_store.name, Key=f"pangmu/media/imagery/{lost.source_path}")
    assert services.process_orthomosaic(lost.pk) is None
    lost.refresh_from_db()
    assert lost.status == ImageryStatus.FAILED and lost.error_code == "original_missing"
    assert not lost.retryable and lost.error_th and lost.error_en


def test_a_store_that_fails_mid_job_keeps_the_original_for_a_retry(
    pangmu, imagery_root, object_store, make_tiff, monkeypatch
):
    ortho = services.ingest_file(
        organisation=pangmu, path=make_tiff(), captured_on=dt.date(2026, 1, 3), queue=False
    )
    from gis_portal import storage

    def broken(*args, **kwargs):
        raise OSError("connection reset by the object store")

    monkeypatch.setattr(storage, "upload", broken)
    assert services.process_orthomosaic(ortho.pk) == ImageryStatus.FAILED
    ortho.refresh_from_db()
    assert ortho.retryable and ortho.error_code == "processing_error" and "object store" in ortho.error_en
    assert object_store.keys("pangmu/media/imagery/") == [f"pangmu/media/imagery/{ortho.source_path}"]
    assert files_under(imagery_root) == []
    monkeypatch.undo()
    services.requeue(ortho)
    assert services.process_orthomosaic(ortho.pk) == ImageryStatus.READY


def test_readiness_checks_the_object_store(client, object_store, settings, s3_server):
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["media"]["ok"] is True
    assert object_store.keys() == []  # the probe's object is removed again
    settings.OBJECT_STORE_ENDPOINT = "http://127.0.0.1:1"  # nothing listens there
    down = client.get("/readyz")
    assert down.status_code == 503 and down.json()["checks"]["media"]["ok"] is False
