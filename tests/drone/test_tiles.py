"""Raster tiles of orthomosaics: pixels, transparency outside the footprint, 204, ETag, scoping, mosaic."""

from __future__ import annotations

import datetime as dt
import io

import morecantile
import pytest
from django.urls import reverse
from PIL import Image
from pyproj import Transformer

from drone_ingest import services
from drone_ingest.selectors import imagery_layers
from gis_portal.roles import VIEWER
from tests.conftest import utm_point

pytestmark = pytest.mark.django_db
TMS = morecantile.tms.get("WebMercatorQuad")
TO_3857 = Transformer.from_crs(4326, 3857, always_xy=True)
Z = 18


def _ready(org, make_tiff, colour, captured, dx=0.0):  # noqa: ANN001, ANN202
    path = make_tiff(colour=colour, valid=(0, 0, 200, 200), dx=dx)  # 100 m × 100 m valid from the origin
    ortho = services.ingest_file(organisation=org, path=path, captured_on=captured, queue=False)
    assert services.process_orthomosaic(ortho.pk) == "ready"
    ortho.refresh_from_db()
    return ortho


def _tile_and_pixel(x_m: float, y_m: float, z: int = Z) -> tuple[morecantile.Tile, tuple[int, int]]:
    point = utm_point(x_m, y_m)
    tile = TMS.tile(point.x, point.y, z)
    bounds = TMS.xy_bounds(tile)
    mx, my = TO_3857.transform(point.x, point.y)
    px = int((mx - bounds.left) / (bounds.right - bounds.left) * 256)
    py = int((bounds.top - my) / (bounds.top - bounds.bottom) * 256)
    return tile, (px, py)


def _image(response) -> Image.Image:  # noqa: ANN001
    return Image.open(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )


@pytest.fixture
def viewer(make_user, pangmu):  # noqa: ANN001, ANN201
    return make_user("viewer1", pangmu, VIEWER)


def test_tile_has_the_image_inside_and_is_transparent_outside_the_footprint(
    client, viewer, pangmu, imagery_root, make_tiff, django_assert_max_num_queries
):
    ortho = _ready(pangmu, make_tiff, (220, 30, 30), dt.date(2026, 1, 1))
    tile, (px, py) = _tile_and_pixel(50, -50)
    url = reverse(
        "tiles:ortho-tile", kwargs={"pk": ortho.pk, "z": tile.z, "x": tile.x, "y": tile.y, "ext": "png"}
    )
    client.force_login(viewer)
    client.get(url)  # the session's first tile keeps its organisation scope in the cache
    with django_assert_max_num_queries(1):  # then only the imagery row
        response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "max-age" in response["Cache-Control"] and response["ETag"]
    image = _image(response).convert("RGBA")
    assert image.size == (256, 256)
    r, g, b, a = image.getpixel((px, py))
    assert a == 255 and r > 180 and g < 80 and b < 80
    alphas = [image.getpixel((x, y))[3] for x in range(0, 256, 8) for y in range(0, 256, 8)]
    assert 0 in alphas, "pixels outside the footprint are transparent"

    again = client.get(url, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304

    for ext, media in (("jpg", "image/jpeg"), ("webp", "image/webp")):
        other = client.get(url.replace(".png", f".{ext}"))
        assert other.status_code == 200 and other["Content-Type"] == media


def test_tile_outside_the_bounds_is_204(client, viewer, pangmu, imagery_root, make_tiff):
    ortho = _ready(pangmu, make_tiff, (220, 30, 30), dt.date(2026, 1, 1))
    tile, _ = _tile_and_pixel(3000, 3000)
    client.force_login(viewer)
    url = reverse(
        "tiles:ortho-tile", kwargs={"pk": ortho.pk, "z": tile.z, "x": tile.x, "y": tile.y, "ext": "png"}
    )
    response = client.get(url)
    assert response.status_code == 204 and response["ETag"]


def test_tiles_of_another_organisation_are_not_found(
    client, make_user, pangmu, mokchampae, imagery_root, make_tiff
):
    ortho = _ready(pangmu, make_tiff, (220, 30, 30), dt.date(2026, 1, 1))
    tile, _ = _tile_and_pixel(50, -50)
    client.force_login(make_user("outsider", mokchampae, VIEWER))
    url = reverse(
        "tiles:ortho-tile", kwargs={"pk": ortho.pk, "z": tile.z, "x": tile.x, "y": tile.y, "ext": "png"}
    )
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_latest_mosaic_shows_the_newest_imagery_covering_each_pixel(
    client, viewer, pangmu, imagery_root, make_tiff
):
    _ready(pangmu, make_tiff, (220, 30, 30), dt.date(2026, 1, 1))  # red, older: x 0..100 m
    _ready(pangmu, make_tiff, (30, 30, 220), dt.date(2026, 2, 1), dx=60)  # blue, newer: x 60..160 m
    client.force_login(viewer)

    def colour_at(x_m: float, y_m: float) -> tuple[int, int, int]:
        tile, pixel = _tile_and_pixel(x_m, y_m, 17)
        url = reverse("tiles:ortho-latest", kwargs={"z": tile.z, "x": tile.x, "y": tile.y, "ext": "jpg"})
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        return _image(response).convert("RGB").getpixel(pixel)

    r, g, b = colour_at(80, -50)  # covered by both: the newer (blue) wins
    assert b > 150 and r < 100
    r, g, b = colour_at(20, -50)  # only the older covers it
    assert r > 150 and b < 100
    far, _ = _tile_and_pixel(5000, 5000, 17)
    url = reverse("tiles:ortho-latest", kwargs={"z": far.z, "x": far.x, "y": far.y, "ext": "jpg"})
    assert client.get(url).status_code == 204


def test_imagery_layers_for_the_staff_map(pangmu, viewer, mokchampae, imagery_root, make_tiff):
    old = _ready(pangmu, make_tiff, (220, 30, 30), dt.date(2026, 1, 1))
    new = _ready(pangmu, make_tiff, (30, 30, 220), dt.date(2026, 2, 1), dx=60)
    layers = imagery_layers(viewer)
    assert [item["id"] for item in layers] == [new.pk, old.pk]
    first = layers[0]
    assert first["captured"] == dt.date(2026, 2, 1) and first["kind"] == "ortho"
    assert first["tile_url_template"] == f"/tiles/ortho/{new.pk}/{{z}}/{{x}}/{{y}}.webp"
    west, south, east, north = first["bounds_4326"]
    assert 97 < west < east < 99 and 19 < south < north < 20
    assert first["footprint"]["type"] == "MultiPolygon"
    assert imagery_layers(pangmu) == layers
    assert imagery_layers(mokchampae) == []


def test_gdal_block_cache_is_megabytes_not_bytes():
    """rasterio.Env takes GDAL_CACHEMAX in bytes: the configured megabytes must arrive as such."""
    import rasterio
    from rasterio.env import get_gdal_config

    from drone_ingest import conf
    from drone_ingest.raster import processing_env
    from tiles.raster import gdal_env_options

    with rasterio.Env(**gdal_env_options()):
        assert int(get_gdal_config("GDAL_CACHEMAX")) == conf.tile_cachemax_mb() * 1024 * 1024
    with processing_env():
        assert int(get_gdal_config("GDAL_CACHEMAX")) == conf.gdal_cachemax_mb() * 1024 * 1024
    assert conf.tile_cachemax_mb() >= 64 and conf.gdal_cachemax_mb() >= 16


def test_rendered_ortho_tiles_are_served_from_the_cache_and_scoped(
    client, viewer, make_user, pangmu, mokchampae, imagery_root, make_tiff, django_assert_max_num_queries
):
    ortho = _ready(pangmu, make_tiff, (220, 30, 30), dt.date(2026, 1, 1))
    tile, _ = _tile_and_pixel(50, -50)
    url = reverse(
        "tiles:ortho-tile", kwargs={"pk": ortho.pk, "z": tile.z, "x": tile.x, "y": tile.y, "ext": "png"}
    )
    client.force_login(viewer)
    first = client.get(url)
    assert first.status_code == 200 and first["X-Tile-Cache"] == "miss"
    with django_assert_max_num_queries(1):
        again = client.get(url)
    assert again["X-Tile-Cache"] == "hit" and again.content == first.content
    assert again["ETag"] == first["ETag"]
    # The cache never answers for someone who may not see the image.
    client.force_login(make_user("outsider2", mokchampae, VIEWER))
    assert client.get(url).status_code == 404
    # Reprocessed imagery (a new processing time) is never served from the old entry.
    from drone_ingest.models import Orthomosaic

    Orthomosaic.objects.filter(pk=ortho.pk).update(processed_at=ortho.processed_at + dt.timedelta(seconds=1))
    client.force_login(viewer)
    assert client.get(url)["X-Tile-Cache"] == "miss"
