"""The small map's imagery: one image cut from the newest orthomosaic under the household, by token only."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pytest
import rasterio
from PIL import Image
from rasterio.transform import from_origin

from drone_ingest.models import Orthomosaic
from tests.conftest import ORIGIN_E, ORIGIN_N, utm_rect

pytestmark = pytest.mark.django_db


@pytest.fixture
def ortho(pangmu, settings, tmp_path):
    settings.IMAGERY_ROOT = str(tmp_path)
    path = tmp_path / "cogs" / "t.tif"
    path.parent.mkdir()
    size = 200  # 200 px × 1 m around the office: a green field with a red square
    data = np.zeros((3, size, size), dtype="uint8")
    data[1] = 150
    data[0, 60:100, 60:100] = 220
    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 3,
        "dtype": "uint8",
        "crs": "EPSG:32647",
        "transform": from_origin(ORIGIN_E - 50, ORIGIN_N + 150, 1, 1),
        "tiled": True,
        "blockxsize": 128,
        "blockysize": 128,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
    footprint = utm_rect(-50, -50, 200, 200)
    return Orthomosaic.objects.create(
        organisation=pangmu,
        captured_on=date(2026, 1, 15),
        status="ready",
        source_name="t.tif",
        file_size=1,
        sha256="0" * 64,
        cog_path="cogs/t.tif",
        footprint=footprint,
        bounds_4326=footprint[0],
    )


def test_map_image_under_the_household(client, home, ortho):
    body = client.get(f"/h/{home.token}/").content.decode()
    assert '<image href="map.webp"' in body
    r = client.get(f"/h/{home.token}/map.webp")
    assert r.status_code == 200 and r["Content-Type"] == "image/webp"
    assert len(r.content) < 60 * 1024
    with Image.open(io.BytesIO(r.content)) as img:
        assert img.size == (480, 480)
        r_, g, b, *_ = img.convert("RGBA").getpixel((240, 240))
        assert g > 100  # the field is under the house


def test_no_imagery_no_image(client, home):
    assert "<image" not in client.get(f"/h/{home.token}/").content.decode()
    assert client.get(f"/h/{home.token}/map.webp").status_code == 404


def test_bad_token_gets_no_imagery(client, home, ortho):
    assert client.get("/h/not-a-token/map.webp").status_code == 404
