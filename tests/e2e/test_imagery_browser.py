"""Imagery in a real browser: the demo orthomosaic's tiles draw on the map; an upload survives a drop."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from drone_ingest.demo import ingest_demo_orthomosaic
from drone_ingest.models import ImageryStatus, Orthomosaic
from gis_portal.roles import SURVEYOR, VIEWER
from parcels import services
from tests.conftest import utm_rect
from tests.drone.conftest import write_tiff
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def imagery_root(settings, tmp_path):  # noqa: ANN001, ANN201
    settings.IMAGERY_ROOT = str(tmp_path / "imagery")
    return tmp_path / "imagery"


def test_demo_orthomosaic_tiles_draw_on_the_map(
    live_server, new_page, page_watch, make_user, village, imagery_root
):
    org = village.organisation
    parcel = services.parcel_create(
        organisation=org, code="01A001", geom=utm_rect(0, 0, 120, 90), village=village
    )
    services.parcel_create(organisation=org, code="01A002", geom=utm_rect(140, 0, 100, 90), village=village)
    services.building_create(
        parcel=parcel, footprint=utm_rect(30, 30, 20, 12), building_type="house", material="wood"
    )
    ortho = ingest_demo_orthomosaic(org, progress=lambda _m: None, resolution=0.5, max_side_m=400)
    assert ortho.status == ImageryStatus.READY

    make_user("viewer", org, VIEWER)
    page = new_page(900, 700)
    tiles: list[tuple[int, str]] = []
    page.on(
        "response",
        lambda r: (
            tiles.append((r.status, r.headers.get("content-type", ""))) if "/tiles/ortho/" in r.url else None
        ),
    )
    login(page, live_server.url, "viewer")
    with page.expect_response(lambda r: "/tiles/ortho/" in r.url and r.status == 200, timeout=20_000):
        page.goto(f"{live_server.url}/imagery/{ortho.pk}/")
    page.wait_for_selector("#ortho-map[data-ready='1']", timeout=10_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    page.screenshot(path="var/e2e-imagery-demo.png")
    assert any(status == 200 and ctype.startswith("image/") for status, ctype in tiles), (
        tiles,
        page.inner_html("#ortho-map")[:500],
        page_watch.console_errors,
    )
    shot = Image.open(io.BytesIO(page.locator("#ortho-map").screenshot())).convert("RGB")
    pixels = [shot.getpixel((x, y)) for x in range(0, shot.width, 3) for y in range(0, shot.height, 3)]
    fields = sum(1 for r, g, b in pixels if g > b + 25 and r > 60)  # crop rows, bunds, tracks
    forest = sum(1 for r, g, b in pixels if g > r + 15 and g > b + 15 and r < 90)
    assert fields / len(pixels) > 0.05, "the fields drawn from the parcels are visible"
    assert forest / len(pixels) > 0.05, "the forest texture around them is visible"
    page_watch.assert_clean()


def test_upload_survives_a_dropped_chunk_and_shows_progress(
    live_server, new_page, page_watch, make_user, pangmu, imagery_root, settings, tmp_path
):
    from gis_portal.celery import app

    settings.IMAGERY_UPLOAD_CHUNK_BYTES = 64 * 1024
    path = write_tiff(tmp_path / "flight.tif", width=600, height=500, valid=(50, 50, 400, 300))
    assert path.stat().st_size > 3 * 64 * 1024
    make_user("surveyor", pangmu, SURVEYOR)
    page = new_page()
    dropped: list[str] = []

    def drop_second_chunk(route):  # noqa: ANN001, ANN202
        request = route.request
        header = request.headers.get("content-range", "")
        if request.method == "PUT" and header.startswith(f"bytes {64 * 1024}-") and not dropped:
            dropped.append(header)
            return route.abort("connectionreset")
        return route.fallback()

    page.route("**/imagery/uploads/**", drop_second_chunk)
    login(page, live_server.url, "surveyor")
    page.goto(f"{live_server.url}/imagery/")
    page.fill("input[name=title]", "เที่ยวบิน 1")
    page.fill("input[name=surveyor]", "สมชาย")
    page.set_input_files("input[name=file]", str(path))
    app.conf.task_always_eager = True
    try:
        page.click("#ortho-upload button[type=submit]")
        page.wait_for_selector("#upload-message >> text=Ready", timeout=60_000)
    finally:
        app.conf.task_always_eager = False
    assert dropped, "a chunk was dropped on the way"
    assert page.evaluate("document.getElementById('upload-bar').value") == 100
    assert page.evaluate("document.getElementById('process-bar').value") == 100
    ortho = Orthomosaic.objects.get()
    assert ortho.status == ImageryStatus.READY and ortho.file_size == path.stat().st_size
    assert ortho.survey.surveyor == "สมชาย"
    # The only console noise allowed is the request this test cut off on purpose.
    page_watch.console_errors[:] = [e for e in page_watch.console_errors if "ERR_CONNECTION_RESET" not in e]
    page_watch.assert_clean()


def test_upload_of_an_image_with_no_valid_pixel_is_refused_with_its_reason(
    live_server, new_page, page_watch, make_user, pangmu, imagery_root, settings, tmp_path
):
    from drone_ingest.models import RefusedImagery
    from gis_portal.celery import app

    path = write_tiff(tmp_path / "blank.tif", width=300, height=200, valid=None)
    make_user("surveyor", pangmu, SURVEYOR)
    page = new_page()
    login(page, live_server.url, "surveyor")
    page.goto(f"{live_server.url}/imagery/")
    page.set_input_files("input[name=file]", str(path))
    app.conf.task_always_eager = True
    try:
        page.click("#ortho-upload button[type=submit]")
        page.wait_for_selector("#upload-message >> text=zero area", timeout=60_000)
    finally:
        app.conf.task_always_eager = False
    assert "ศูนย์" in page.inner_text("#upload-message")
    assert not Orthomosaic.objects.exists()
    assert RefusedImagery.objects.get().source_name == "blank.tif"
    assert not [p for p in imagery_root.rglob("*") if p.is_file()]
    # The status URL answers 410 Gone by design: the browser notes it as a failed resource load.
    page_watch.console_errors[:] = [e for e in page_watch.console_errors if "status of 410" not in e]
    page_watch.assert_clean()
