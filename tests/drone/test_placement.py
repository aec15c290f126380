"""Imagery that is not a drone survey of the organisation is refused before anything is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from pyproj import Transformer
from rasterio.transform import from_origin

from drone_ingest import raster, services
from drone_ingest.models import Orthomosaic, RefusedImagery, Survey, UploadSession
from gis_portal.roles import SURVEYOR

from .conftest import files_under

DAY = dt.date(2026, 1, 15)
pytestmark = pytest.mark.django_db
TO_3857 = Transformer.from_crs(4326, 3857, always_xy=True)


def _sparse_rgb(path: Path, *, crs: str, transform: object, width: int, height: int) -> Path:
    """An RGB GeoTIFF of the given grid with one written block (the others sparse): small on disk."""
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 3,
        "dtype": "uint8",
        "crs": crs,
        "transform": transform,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "sparse_ok": True,
        "compress": "deflate",
    }
    with rasterio.open(path, "w", **profile) as dst:
        window = rasterio.windows.Window(0, 0, min(256, width), min(256, height))
        dst.write(np.full((3, window.height, window.width), 90, "uint8"), window=window)
    return path


def caribbean_3857(tmp_path: Path) -> Path:
    """A sharp (0.3 m) web-mercator orthomosaic of Kingston, Jamaica."""
    x, y = TO_3857.transform(-76.79, 17.99)
    return _sparse_rgb(
        tmp_path / "kingston.tif",
        crs="EPSG:3857",
        transform=from_origin(x, y, 0.3, 0.3),
        width=2000,
        height=1500,
    )


def web_map_of_a_country(tmp_path: Path) -> Path:
    """76 m-per-pixel web-map image of about 250,000 km² centred on Pang Mu (it does cover the office)."""
    x, y = TO_3857.transform(97.95, 19.35)
    side_px = 6900  # 6900 × 76 m ≈ 524 km (web-mercator metres) ≈ 500 km on the ground at 19° N
    half = side_px * 76 / 2
    return _sparse_rgb(
        tmp_path / "webmap.tif",
        crs="EPSG:3857",
        transform=from_origin(x - half, y + half, 76, 76),
        width=side_px,
        height=side_px,
    )


def test_a_web_mercator_image_of_the_caribbean_is_refused_with_its_distance(pangmu, imagery_root, tmp_path):
    path = caribbean_3857(tmp_path)
    with pytest.raises(raster.ImageryInputError) as caught:
        services.ingest_file(organisation=pangmu, path=path, captured_on=DAY, queue=False)
    error = caught.value
    assert error.code == "outside_organisation"
    # Kingston to Mae Hong Son is about 16,000 km along the great circle.
    assert 15_000 < error.details["distance_km"] < 17_500
    assert f"{error.details['distance_km']:,.0f} km" in error.message_en
    assert "กม." in error.message_th and f"{error.details['distance_km']:,.0f}" in error.message_th
    assert not Orthomosaic.objects.exists() and not RefusedImagery.objects.exists()
    assert files_under(imagery_root) == []


def test_a_76_m_web_map_image_of_250000_km2_is_refused_although_it_covers_the_office(
    pangmu, imagery_root, tmp_path
):
    path = web_map_of_a_country(tmp_path)
    info = raster.inspect_raster(path, "ortho")
    west, south, east, north = info.bounds_4326
    assert west < 97.95 < east and south < 19.35 < north  # it does overlap Pang Mu
    with pytest.raises(raster.ImageryInputError) as caught:
        services.ingest_file(organisation=pangmu, path=path, captured_on=DAY, queue=False)
    error = caught.value
    assert error.code == "pixel_too_coarse"
    assert 70 < error.details["pixel_size_m"] < 74  # 76 web-mercator metres ≈ 72 m on the ground at 19° N
    shown = f"{error.details['pixel_size_m']:.2f}"
    assert shown in error.message_en and shown in error.message_th and "เมตร" in error.message_th
    assert not Orthomosaic.objects.exists()
    assert files_under(imagery_root) == []


def test_a_drone_orthomosaic_of_the_office_in_web_mercator_is_accepted(pangmu, imagery_root, tmp_path):
    x, y = TO_3857.transform(97.95, 19.35)
    path = _sparse_rgb(
        tmp_path / "ok.tif", crs="EPSG:3857", transform=from_origin(x, y, 0.05, 0.05), width=600, height=400
    )
    ortho = services.ingest_file(organisation=pangmu, path=path, captured_on=DAY, queue=False)
    assert ortho.ground_resolution_m == pytest.approx(0.05 * 0.9435, rel=1e-3)  # cos(19.35°)


def test_imagery_of_the_neighbouring_organisation_is_refused_for_this_one(
    mokchampae, imagery_root, make_tiff
):
    """The test scenes lie in Pang Mu; Mok Champae is next door: a short distance, still refused."""
    with pytest.raises(raster.ImageryInputError) as caught:
        services.ingest_file(organisation=mokchampae, path=make_tiff(), captured_on=DAY, queue=False)
    assert caught.value.code == "outside_organisation"
    assert 0 < caught.value.details["distance_km"] < 50
    assert not Orthomosaic.objects.exists()


def test_elevation_models_may_be_coarser_than_orthomosaics_up_to_5_m(pangmu, imagery_root, make_tiff):
    dsm = make_tiff(bands=1, dtype="float32", resolution=2.0, width=100, height=80)
    assert services.ingest_file(organisation=pangmu, path=dsm, captured_on=DAY, kind="dsm", queue=False).pk
    coarse = make_tiff(bands=1, dtype="float32", resolution=8.0, width=40, height=30)
    with pytest.raises(raster.ImageryInputError) as caught:
        services.ingest_file(organisation=pangmu, path=coarse, captured_on=DAY, kind="dsm", queue=False)
    assert caught.value.code == "pixel_too_coarse" and caught.value.details["limit_m"] == 5.0
    ortho = make_tiff(resolution=2.0, width=100, height=80)
    with pytest.raises(raster.ImageryInputError):
        services.ingest_file(organisation=pangmu, path=ortho, captured_on=DAY, queue=False)
    assert Orthomosaic.objects.count() == 1


def test_the_command_line_refuses_the_caribbean_image(pangmu, imagery_root, tmp_path):
    with pytest.raises(CommandError, match="km"):
        call_command("ingest_ortho", str(caribbean_3857(tmp_path)), org="pangmu", captured="2026-01-15")
    assert not Orthomosaic.objects.exists()


@pytest.mark.parametrize("builder", [caribbean_3857, web_map_of_a_country], ids=["caribbean", "web-map"])
def test_the_upload_page_refuses_them_and_keeps_nothing(
    client, make_user, pangmu, imagery_root, tmp_path, builder
):
    client.force_login(make_user("surveyor1", pangmu, SURVEYOR))
    data = builder(tmp_path).read_bytes()
    body = {
        "organisation": "pangmu",
        "filename": "flight.tif",
        "size": len(data),
        "captured": "2026-01-15",
        "kind": "ortho",
        "sha256": hashlib.sha256(data).hexdigest(),
        "survey": {"surveyor": "Somchai"},
    }
    session = client.post(
        reverse("drone_ingest:upload-start"), json.dumps(body), content_type="application/json"
    ).json()
    put = client.put(
        session["url"],
        data,
        content_type="application/octet-stream",
        headers={"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"},
    )
    assert put.status_code == 200
    refused = client.post(session["finalize_url"])
    assert refused.status_code == 400
    assert refused.json()["code"] in ("outside_organisation", "pixel_too_coarse")
    assert (
        not Orthomosaic.objects.exists()
        and not UploadSession.objects.exists()
        and not Survey.objects.exists()
    )
    assert files_under(imagery_root) == []
