"""Ingest and processing: COG, footprint, metadata; bad input refused; crashed jobs retryable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import rasterio
from django.utils import timezone

from drone_ingest import raster, services
from drone_ingest.models import ImageryStatus, Orthomosaic
from gis_portal.errors import PermissionDeniedError
from gis_portal.roles import SURVEYOR, VIEWER

from .conftest import files_under

DAY = dt.date(2026, 1, 15)
pytestmark = pytest.mark.django_db


def _ingest(org, path, **kw):  # noqa: ANN001, ANN003, ANN202
    return services.ingest_file(organisation=org, path=path, captured_on=DAY, queue=False, **kw)


def test_rgba_orthomosaic_becomes_a_valid_cog_with_footprint_of_valid_pixels(pangmu, imagery_root, make_tiff):
    src = make_tiff(valid=(50, 40, 200, 160))  # 100 m × 80 m of valid pixels in a 200 m × 150 m raster
    ortho = _ingest(pangmu, src, title="flight 1")
    assert ortho.status == ImageryStatus.UPLOADED
    assert (ortho.crs, ortho.width, ortho.height, ortho.band_count) == ("EPSG:32647", 400, 300, 4)
    assert ortho.ground_resolution_m == pytest.approx(0.5)
    assert len(ortho.sha256) == 64 and ortho.file_size == src.stat().st_size
    original = imagery_root / ortho.source_path
    assert original.is_file()

    assert services.process_orthomosaic(ortho.pk) == ImageryStatus.READY
    ortho.refresh_from_db()
    cog = imagery_root / ortho.cog_path
    raster.validate_cog(cog)  # rio-cogeo's validator, less its one-block-wide false positive
    with rasterio.open(cog) as ds:
        assert ds.crs.to_epsg() == 3857
        assert ds.block_shapes[0] == (512, 512)
        assert ds.compression.name.lower() == "jpeg"
        assert ds.overviews(1) or max(ds.width, ds.height) <= 512
        assert ds.mask_flag_enums[0] == [rasterio.enums.MaskFlags.per_dataset]
    # The footprint is the valid window (8000 m²), not the raster's bounding box (30000 m²).
    assert ortho.footprint_area_m2 == pytest.approx(8000, rel=0.08)
    assert ortho.footprint.area < ortho.bounds_4326.area
    assert not original.exists(), "the original is removed once the COG is verified"
    assert ortho.progress == 100 and ortho.processed_at is not None
    # Running the job again does nothing (idempotent).
    assert services.process_orthomosaic(ortho.pk) is None


def test_dsm_becomes_lerc_cog_with_value_range(pangmu, imagery_root, make_tiff):
    src = make_tiff(bands=1, dtype="float32", nodata=-9999.0)
    ortho = _ingest(pangmu, src, kind="dsm")
    assert services.process_orthomosaic(ortho.pk) == ImageryStatus.READY
    ortho.refresh_from_db()
    with rasterio.open(imagery_root / ortho.cog_path) as ds:
        assert ds.compression.name.lower().startswith("lerc")
        assert ds.dtypes[0] == "float32"
    assert 395 < ortho.value_min < ortho.value_max < 460
    # Three quarters of 200 m × 150 m are valid.
    assert ortho.footprint_area_m2 == pytest.approx(22500, rel=0.08)


def _not_a_tiff(tmp_path: Path) -> Path:
    path = tmp_path / "photo.tif"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 2000)
    return path


def _no_georef(make_tiff) -> Path:  # noqa: ANN001
    return make_tiff(crs=None, transform=None)


def _unknown_crs(make_tiff) -> Path:  # noqa: ANN001
    return make_tiff(crs=rasterio.crs.CRS.from_wkt('LOCAL_CS["site grid",UNIT["metre",1]]'))


def _truncated(make_tiff) -> Path:  # noqa: ANN001
    path = make_tiff(bands=3, width=1024, height=1024)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def _bomb(make_tiff) -> Path:  # noqa: ANN001
    """A small strip TIFF whose header claims 1,000,000 × 1,000,000 pixels."""
    path = make_tiff(bands=3, width=64, height=64)
    header = raster.read_tiff_header(path)
    data = bytearray(path.read_bytes())
    endian = "<" if data[:2] == b"II" else ">"
    import struct

    ifd = struct.unpack(endian + "I", data[4:8])[0]
    n = struct.unpack(endian + "H", data[ifd : ifd + 2])[0]
    for i in range(n):
        at = ifd + 2 + i * 12
        tag, typ = struct.unpack(endian + "HH", data[at : at + 4])
        if tag in (256, 257):  # ImageWidth, ImageLength → LONG 1,000,000
            data[at + 2 : at + 4] = struct.pack(endian + "H", 4)
            data[at + 8 : at + 12] = struct.pack(endian + "I", 10**6)
    path.write_bytes(bytes(data))
    assert raster.read_tiff_header(path).width > header.width
    return path


@pytest.mark.parametrize(
    ("builder", "code"),
    [
        (lambda make_tiff, tmp_path: _not_a_tiff(tmp_path), "not_tiff"),
        (lambda make_tiff, tmp_path: _no_georef(make_tiff), "no_georeference"),
        (lambda make_tiff, tmp_path: _unknown_crs(make_tiff), "unknown_crs"),
        (lambda make_tiff, tmp_path: _truncated(make_tiff), "truncated"),
        (lambda make_tiff, tmp_path: _bomb(make_tiff), "too_large"),
        (lambda make_tiff, tmp_path: make_tiff(bands=2, dtype="uint16"), "bands"),
    ],
    ids=["not-tiff", "no-georeference", "unknown-crs", "truncated", "bomb", "wrong-bands"],
)
def test_bad_input_is_refused_in_both_languages_and_leaves_nothing(
    pangmu, imagery_root, make_tiff, tmp_path, settings, builder, code
):
    settings.IMAGERY_MAX_PIXELS = 100_000_000
    path = builder(make_tiff, tmp_path)
    with pytest.raises(raster.ImageryInputError) as caught:
        _ingest(pangmu, path)
    assert caught.value.code == code
    assert (
        caught.value.message_th
        and caught.value.message_en
        and caught.value.message_th != caught.value.message_en
    )
    assert not Orthomosaic.objects.exists()
    assert files_under(imagery_root) == []


def test_bomb_is_refused_from_the_header_before_gdal_opens_it(pangmu, imagery_root, make_tiff, monkeypatch):
    path = _bomb(make_tiff)

    def no_open(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("GDAL must not open a decompression bomb")

    monkeypatch.setattr(raster.rasterio, "open", no_open)
    with pytest.raises(raster.ImageryInputError, match="limit"):
        _ingest(pangmu, path)


def test_zero_area_footprint_is_refused_leaving_no_record_or_file(
    pangmu, imagery_root, make_tiff, django_capture_on_commit_callbacks
):
    from drone_ingest.models import Orthomosaic, RefusedImagery

    before = Orthomosaic.objects.count()
    ortho = _ingest(pangmu, make_tiff(valid=None))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.process_orthomosaic(ortho.pk) == ImageryStatus.FAILED
    # Found only while processing (every pixel is no-data): the record and every file are gone ...
    assert not Orthomosaic.objects.filter(pk=ortho.pk).exists()
    assert Orthomosaic.objects.count() == before
    assert files_under(imagery_root) == []
    # ... and a note says what was refused and why, in Thai and English.
    note = RefusedImagery.objects.get(orthomosaic_id=ortho.pk)
    assert note.error_code == "empty_footprint" and note.organisation == pangmu
    assert "ศูนย์" in note.error_th and "zero area" in note.error_en
    assert note.sha256 == ortho.sha256 and note.source_name == ortho.source_name


def test_status_of_a_refused_file_says_why(client, pangmu, imagery_root, make_tiff, make_user):
    from drone_ingest.models import RefusedImagery

    ortho = _ingest(pangmu, make_tiff(valid=None))
    services.process_orthomosaic(ortho.pk)
    client.force_login(make_user("surveyor-r", pangmu, "surveyor"))
    response = client.get(f"/imagery/{ortho.pk}/status")
    assert response.status_code == 410
    body = response.json()
    assert body["status"] == "refused" and body["code"] == "empty_footprint"
    assert "zero area" in body["message_en"] and body["message_th"]
    page = client.get("/imagery/").content.decode()
    assert "Refused files" in page and ortho.source_name in page
    # Another organisation's user learns nothing about it.
    other = make_user("other-r", None)
    client.force_login(other)
    assert client.get(f"/imagery/{ortho.pk}/status").status_code == 404
    assert RefusedImagery.objects.count() == 1


def test_only_surveyors_and_gis_editors_ingest(pangmu, imagery_root, make_tiff, make_user):
    viewer = make_user("v", pangmu, VIEWER)
    with pytest.raises(PermissionDeniedError):
        _ingest(pangmu, make_tiff(), user=viewer)
    surveyor = make_user("s", pangmu, SURVEYOR)
    assert _ingest(pangmu, make_tiff(), user=surveyor).created_by == surveyor


def test_a_transient_failure_keeps_the_original_and_can_be_retried(
    pangmu, imagery_root, make_tiff, monkeypatch, django_capture_on_commit_callbacks, settings
):
    ortho = _ingest(pangmu, make_tiff())

    def crash(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise MemoryError("simulated")

    real = raster.to_cog
    monkeypatch.setattr(raster, "to_cog", crash)
    assert services.process_orthomosaic(ortho.pk) == ImageryStatus.FAILED
    ortho.refresh_from_db()
    assert ortho.retryable and ortho.error_code == "processing_error"
    assert (imagery_root / ortho.source_path).is_file()
    assert not list((imagery_root / "cogs").rglob("*.tmp*"))

    monkeypatch.setattr(raster, "to_cog", real)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from gis_portal.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert services.requeue_stale(include_failed=True) == [ortho.pk]
    finally:
        app.conf.task_always_eager = False
    ortho.refresh_from_db()
    assert ortho.status == ImageryStatus.READY and ortho.attempts == 2


def test_a_worker_killed_mid_job_leaves_it_retryable(pangmu, imagery_root, make_tiff, settings):
    ortho = _ingest(pangmu, make_tiff())
    # Worker A claims the job and dies: the row says processing, with A's token and a heartbeat.
    assert services.claim(ortho.pk, "celery-A") is not None
    leftover = imagery_root / "cogs" / str(pangmu.pk) / f"{ortho.pk}.dead.tmp.tif"
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"half a cog")
    # While A's heartbeat is fresh, another worker leaves it alone.
    assert services.process_orthomosaic(ortho.pk, token="celery-B") is None
    # Celery redelivers A's message (reject_on_worker_lost): the same token takes its own job over.
    assert services.process_orthomosaic(ortho.pk, token="celery-A") == ImageryStatus.READY
    assert not leftover.exists()


def test_a_stale_processing_job_is_requeued(
    pangmu, imagery_root, make_tiff, django_capture_on_commit_callbacks
):
    ortho = _ingest(pangmu, make_tiff())
    services.claim(ortho.pk, "celery-dead")
    Orthomosaic.objects.filter(pk=ortho.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.requeue_stale() == [ortho.pk]
    assert len(callbacks) == 1
    ortho.refresh_from_db()
    assert ortho.status == ImageryStatus.UPLOADED
    assert services.process_orthomosaic(ortho.pk, token="celery-new") == ImageryStatus.READY


def test_ingest_ortho_command_prints_progress_and_id(pangmu, imagery_root, make_tiff, capsys):
    from django.core.management import call_command

    call_command("ingest_ortho", str(make_tiff()), org="pangmu", captured="2026-01-15")
    out = capsys.readouterr().out
    ortho = Orthomosaic.objects.get()
    assert f"id={ortho.pk} ready" in out and "100% ready" in out
    assert ortho.status == ImageryStatus.READY and ortho.captured_on == DAY


def test_ingest_ortho_command_refuses_bad_input(pangmu, imagery_root, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ไม่ใช่ภาพ TIFF"):
        call_command("ingest_ortho", str(_not_a_tiff(tmp_path)), org="pangmu", captured="2026-01-15")
    assert not Orthomosaic.objects.exists()


def test_a_dtm_is_ingested_from_the_command_line_as_its_own_kind(pangmu, imagery_root, make_tiff, capsys):
    from django.core.management import call_command

    call_command(
        "ingest_ortho",
        str(make_tiff(bands=1, dtype="float32", nodata=-9999.0)),
        org="pangmu",
        captured="2026-01-15",
        kind="dtm",
    )
    ortho = Orthomosaic.objects.get()
    assert ortho.kind == "dtm" and ortho.status == ImageryStatus.READY
    assert ortho.get_kind_display() == "แบบจำลองภูมิประเทศ / DTM"
    assert 395 < ortho.value_min < ortho.value_max < 460
    with pytest.raises(raster.ImageryInputError) as caught:  # an RGB file is no terrain model
        _ingest(pangmu, make_tiff(), kind="dtm")
    assert caught.value.code == "bands" and "DTM" in caught.value.message_en
