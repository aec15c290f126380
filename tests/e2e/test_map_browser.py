"""The staff map in headless Chromium on the demo register: search, split, merge, reshape with
snapping and shared vertices, a refused overlap with its reason, the imagery date switch and swipe.
"""

from __future__ import annotations

import base64
import io
import json
import re
from datetime import date

import pytest
from django.db import connection
from PIL import Image
from pyproj import Transformer

from drone_ingest import selectors as drone_selectors
from parcels import services
from parcels.demo import seed_demo
from parcels.models import Organisation, Parcel
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TO_4326 = Transformer.from_crs(32647, 4326, always_xy=True)


def free_spot(org: Organisation) -> tuple[float, float]:
    """A UTM point of the organisation 300 m from its boundary and 400 m from any demo parcel."""
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH b AS (SELECT ST_Transform(boundary, 32647) AS g FROM parcels_organisation WHERE id = %s),
            c AS (SELECT ST_Transform(ST_Centroid(ST_Collect(geom)), 32647) AS g FROM parcels_parcel),
            pts AS (
                SELECT ST_SetSRID(ST_MakePoint(x, y), 32647) AS p
                FROM b, generate_series(floor(ST_XMin(b.g))::int, ceil(ST_XMax(b.g))::int, 250) x,
                        generate_series(floor(ST_YMin(b.g))::int, ceil(ST_YMax(b.g))::int, 250) y
            )
            SELECT ST_X(p), ST_Y(p) FROM pts, b, c
            WHERE ST_Contains(b.g, ST_Buffer(p, 300))
              AND NOT EXISTS (SELECT 1 FROM parcels_parcel q
                              WHERE ST_DWithin(ST_Transform(q.geom, 32647), pts.p, 400))
            ORDER BY ST_Distance(pts.p, c.g) LIMIT 1
            """,
            [org.pk],
        )
        return cur.fetchone()


class Spot:
    """Shapes in metres from a free spot, in EPSG:4326."""

    def __init__(self, e: float, n: float) -> None:
        self.e, self.n = e, n

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        return TO_4326.transform(self.e + x, self.n + y)

    def rect(self, x: float, y: float, w: float, h: float):
        from django.contrib.gis.geos import MultiPolygon, Polygon

        ring = [self.lonlat(*p) for p in ((x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y))]
        return MultiPolygon(Polygon(ring, srid=4326), srid=4326)


def png_data_url(colour: tuple[int, int, int]) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def refused_request_message(text: str) -> bool:
    """Chromium logs a refused save (HTTP 400/409) as a console error; those are the expected ones."""
    return bool(re.search(r"Failed to load resource: the server responded with a status of (400|409)", text))


def test_staff_map_on_the_demo(live_server, new_page, page_watch, make_user, monkeypatch):
    seed_demo(households=30)
    org = Organisation.objects.get(slug="pangmu")
    make_user("editor", org, "GIS editor")
    spot = Spot(*free_spot(org))
    make = lambda code, x, w: services.parcel_create(  # noqa: E731
        organisation=org, code=code, geom=spot.rect(x, 0, w, 30)
    )
    to_split = make("90A001", 0, 40)
    merge_a, merge_b = make("90A002", 60, 30), make("90A003", 90, 30)
    shared_a, shared_b, neighbour = make("90A004", 140, 40), make("90A005", 180, 40), make("90A006", 225, 40)
    # Two orthomosaic captures (tiny tiles made here), as the imagery app lists them.
    captures = [
        {
            "id": 1,
            "kind": "ortho",
            "captured": date(2025, 3, 1),
            "title": "red",
            "footprint": None,
            "tile_url_template": png_data_url((200, 40, 40)),
            "bounds_4326": list(org.boundary.extent),
        },
        {
            "id": 2,
            "kind": "ortho",
            "captured": date(2026, 2, 1),
            "title": "blue",
            "footprint": None,
            "tile_url_template": png_data_url((40, 40, 200)),
            "bounds_4326": list(org.boundary.extent),
        },
    ]
    # The imagery app's list is replaced at its seam (its real layers need an ingested GeoTIFF).
    monkeypatch.setattr(drone_selectors, "imagery_layers", lambda user: captures)

    page = new_page(1366, 768)
    login(page, live_server.url, "editor")
    with page.expect_response(lambda r: "/tiles/villages/" in r.url and r.status == 200):
        page.goto(f"{live_server.url}/map/")
    page.wait_for_function("() => window.pangmuMap !== undefined")
    page.wait_for_load_state("networkidle")
    page_watch.assert_clean()  # the page loads with no console error and nothing leaves the machine

    # Imagery: the newest capture is shown; the date switch and the swipe compare work.
    assert page.eval_on_selector_all("#imagery-date option", "els => els.length") == 2
    visible = "pangmuMap.imageryLayers.map(l => l.getVisible())"
    assert page.evaluate(visible) == [False, True]
    page.select_option("#imagery-date", "0")
    assert page.evaluate(visible) == [True, False]
    assert page.is_hidden("#swipe")
    page.select_option("#compare-date", "1")
    assert page.evaluate(visible) == [True, True] and page.is_visible("#swipe")
    page.fill("#swipe", "30")
    page.select_option("#compare-date", "")
    assert page.evaluate(visible) == [True, False] and page.is_hidden("#swipe")

    # Find a demo parcel by code: the map zooms to it and its panel opens.
    page.fill("#search", "01A001")
    page.press("#search", "Enter")
    page.wait_for_selector("#panel-title:has-text('01A001')")
    assert page.evaluate("pangmuMap.map.getView().getZoom()") > 16

    def px(x: float, y: float) -> tuple[float, float]:
        lon, lat = spot.lonlat(x, y)
        box = page.locator("#map").bounding_box()
        pixel = page.evaluate(f"pangmuMap.pixelOf({lon}, {lat})")
        return box["x"] + pixel[0], box["y"] + pixel[1]

    def wait_saved() -> None:
        try:
            page.wait_for_selector("#status.ok", timeout=15_000)
        except Exception:
            page.screenshot(path="var/e2e-map-failed.png")
            status, message = page.inner_text("#status"), page.inner_text("#edit-message")
            raise AssertionError(f"{status} | {message}") from None

    # Split: find our parcel, draw a line across it, name the two pieces.
    page.fill("#search", "90A001")
    page.press("#search", "Enter")
    page.wait_for_selector("#panel-title:has-text('90A001')")
    page.evaluate(f"pangmuMap.map.getView().setCenter(ol.proj.fromLonLat({list(spot.lonlat(130, 15))}))")
    page.evaluate("pangmuMap.map.getView().setZoom(19)")
    page.wait_for_load_state("networkidle")
    page.click("[data-mode=split]")
    page.wait_for_function("() => pangmuMap.editSource.getFeatures().length >= 6")
    page.mouse.click(*px(20, -10))
    page.mouse.dblclick(*px(20, 40))
    page.fill("#f-codes", "90A011, 90A012")
    page.click("#form button[type=submit]")
    wait_saved()
    page.screenshot(path="var/e2e-map-split.png")
    to_split.refresh_from_db()
    assert to_split.status == "retired"
    assert sorted(
        Parcel.objects.filter(code__in=["90A011", "90A012"], status="active").values_list("code", flat=True)
    ) == ["90A011", "90A012"]

    # Merge two neighbours: click both, give the new code.
    page.wait_for_load_state("networkidle")
    page.click("[data-mode=merge]")
    page.mouse.click(*px(75, 15))
    page.wait_for_selector("#merge-list:has-text('90A002')")
    page.mouse.click(*px(105, 15))
    page.wait_for_selector("#merge-list:has-text('90A003')")
    page.fill("#f-code", "90A020")
    page.click("#form button[type=submit]")
    wait_saved()
    merged = Parcel.objects.get(code="90A020", status="active")
    assert abs(merged.area_m2 - 1800) < 10
    assert {merge_a.pk, merge_b.pk} == set(merged.predecessor_links.values_list("predecessor_id", flat=True))

    # Reshape: move the vertex two parcels share (both follow), and snap a corner to the neighbour's.
    page.click("[data-mode=reshape]")
    page.wait_for_function("() => pangmuMap.editSource.getFeatures().length >= 6")

    def drag(start: tuple[float, float], end: tuple[float, float]) -> None:
        page.mouse.move(*start)
        page.mouse.down()
        page.mouse.move(start[0] + 3, start[1] + 3, steps=2)
        page.mouse.move(*end, steps=8)
        page.mouse.up()

    drag(px(180, 30), px(178, 34))
    drag(px(220, 0), px(224.3, 0.6))  # within the snap tolerance of the neighbour's corner (225, 0)
    page.click("#save-edits")
    wait_saved()
    shared_a.refresh_from_db()
    shared_b.refresh_from_db()
    neighbour.refresh_from_db()
    assert (shared_a.version, shared_b.version, neighbour.version) == (2, 2, 1)
    corner = TO_4326.transform(spot.e + 225, spot.n + 0)
    coords_b = shared_b.geom[0][0].coords
    assert any(abs(c[0] - corner[0]) < 1e-8 and abs(c[1] - corner[1]) < 1e-8 for c in coords_b), coords_b
    moved = [c for c in coords_b if c not in [spot.lonlat(180, 30)]]
    assert len(moved) == len(coords_b)  # the shared vertex left (180, 30) ...
    assert set(shared_a.geom[0][0].coords) & set(coords_b)  # ... and both parcels still share it
    page.click("#cancel-edits")

    # A new parcel drawn over a neighbour is refused, with the server's reason next to the shape.
    page.evaluate(f"pangmuMap.map.getView().setCenter(ol.proj.fromLonLat({list(spot.lonlat(220, 15))}))")
    page.wait_for_load_state("networkidle")
    page.click("[data-mode=draw-parcel]")
    page.wait_for_function("() => pangmuMap.editSource.getFeatures().length >= 4")
    for x, y in ((240, 10), (290, 10), (290, 25)):
        page.mouse.click(*px(x, y))
    page.mouse.dblclick(*px(240, 25))
    page.fill("#f-code", "90A030")
    page.click("#form button[type=submit]")
    page.wait_for_selector("#status.error")
    page.screenshot(path="var/e2e-map-refused.png")
    message = page.wait_for_selector("#edit-message:not([hidden])")
    assert "ทับซ้อน" in message.inner_text() and "90A006" in message.inner_text()
    assert message.get_attribute("data-code") in ("overlap", "invalid_input")
    assert not Parcel.objects.filter(code="90A030").exists()
    page.screenshot(path="var/e2e-map-refused.png")

    assert not page_watch.external_requests
    unexpected = [m for m in page_watch.console_errors if not refused_request_message(m)]
    assert not unexpected, unexpected


def test_map_fits_a_tablet_and_reads_english(live_server, new_page, page_watch, make_user, village):
    services.parcel_create(
        organisation=village.organisation, code="01A001", geom=village.boundary.buffer(-0.017)
    )
    make_user("viewer", village.organisation, "viewer")
    page = new_page(768, 1024, has_touch=True, locale="th-TH")
    login(page, live_server.url, "viewer")
    page.goto(f"{live_server.url}/map/")
    page.wait_for_function("() => window.pangmuMap !== undefined")
    assert page.inner_text("[data-mode=measure-area]") == "วัดพื้นที่"
    page.click("header.top button[name=language]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/map/")
    page.wait_for_function("() => window.pangmuMap !== undefined")
    assert page.inner_text("[data-mode=measure-area]") == "Measure area"
    assert page.is_hidden("#edit-tools")  # a viewer does not edit
    map_box = page.locator("#map").bounding_box()
    panel_box = page.locator("#panel").bounding_box()
    assert map_box["height"] > 350 and map_box["width"] >= 700
    assert panel_box["y"] >= map_box["y"] + map_box["height"] - 1  # the panel goes under the map
    assert page.evaluate("pangmuMap.formatRnw(1600 + 400 + 4 * 35.5)") == "1-1-35.5"
    utm = page.evaluate("pangmuMap.toUtm(97.96, 19.33, 47)")
    expected = Transformer.from_crs(4326, 32647, always_xy=True).transform(97.96, 19.33)
    assert abs(utm[0] - expected[0]) < 0.01 and abs(utm[1] - expected[1]) < 0.01
    # Measuring an area shows m² and rai-ngan-wah.
    page.click("[data-mode=measure-area]")
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in ((0, 0), (120, 0), (120, 120)):
        page.mouse.click(cx + dx, cy + dy)
    page.mouse.dblclick(cx, cy + 120)
    status = page.inner_text("#status")
    assert "m²" in status and "rai-ngan-wah" in status
    page.screenshot(path="var/e2e-map-tablet.png")
    page_watch.assert_clean()
    assert json.loads(page.text_content("#map-config"))["organisations"][0]["can_edit"] is False


def test_building_reshape_and_house_move_on_the_map(live_server, new_page, page_watch, make_user, village):
    """A GIS editor drags a building corner and a house point; a building pulled off its parcel is
    refused with the server's reason and nothing changes."""
    from django.contrib.gis.geos import Point

    from parcels.models import Building, Household
    from tests.conftest import utm_point, utm_rect

    org = village.organisation
    parcel = services.parcel_create(
        organisation=org, village=village, code="01A001", geom=utm_rect(0, 0, 60, 40)
    )
    building = services.building_create(
        parcel=parcel, footprint=utm_rect(10, 10, 20, 10), building_type="house", material="wood"
    )
    house = services.household_create(organisation=org, house_number="99/1", location=utm_point(40, 30))
    make_user("editor", org, "GIS editor")
    page = new_page(1366, 768)
    login(page, live_server.url, "editor")
    page.goto(f"{live_server.url}/map/")
    page.wait_for_function("() => window.pangmuMap !== undefined")

    def px(point: Point) -> tuple[float, float]:
        box = page.locator("#map").bounding_box()
        pixel = page.evaluate(f"pangmuMap.pixelOf({point.x}, {point.y})")
        return box["x"] + pixel[0], box["y"] + pixel[1]

    def drag(start: tuple[float, float], end: tuple[float, float]) -> None:
        page.mouse.move(*start)
        page.mouse.down()
        page.mouse.move(start[0] + 3, start[1] + 3, steps=2)
        page.mouse.move(*end, steps=8)
        page.mouse.up()

    def open_and_edit(query: str, title: str) -> None:
        page.fill("#search", query)
        page.press("#search", "Enter")
        page.wait_for_selector(f"#panel-title:has-text('{title}')")
        page.evaluate("pangmuMap.map.getView().setZoom(19)")
        page.click("#edit-shape")
        page.wait_for_function("() => pangmuMap.mode() === 'edit-shape'")
        page.wait_for_selector("#save-edits:not([hidden])")

    def edit_building() -> None:
        page.evaluate(
            "id => { document.getElementById('details').replaceChildren();"
            " pangmuMap.openPanel('buildings', id); }",
            building.pk,
        )
        page.wait_for_selector("#panel-title:has-text('อาคาร'), #panel-title:has-text('Building')")
        page.click("#edit-shape")
        page.wait_for_function("() => pangmuMap.mode() === 'edit-shape'")
        # editable once its neighbours (to snap to) have loaded
        page.wait_for_selector("#save-edits:not([hidden])")

    # The house point moves 8 m east.
    open_and_edit("99/1", "99/1")
    drag(px(utm_point(40, 30)), px(utm_point(48, 30)))
    page.click("#save-edits")
    page.wait_for_selector("#status.ok")
    page.wait_for_selector("#panel-title:has-text('99/1')")  # the house's panel, reopened after the save
    house.refresh_from_db()
    moved = house.location.transform(32647, clone=True)
    start = utm_point(40, 30).transform(32647, clone=True)
    assert abs(moved.x - start.x - 8) < 1.0 and abs(moved.y - start.y) < 1.0
    assert house.version == 2

    # A building corner pulled beyond its parcel is refused, with the reason next to it.
    edit_building()
    before = Building.objects.get(pk=building.pk).footprint.wkt
    drag(px(utm_point(30, 20)), px(utm_point(30, 55)))
    page.click("#save-edits")
    page.wait_for_selector("#edit-message:not([hidden])")
    assert Building.objects.get(pk=building.pk).footprint.wkt == before
    assert Building.objects.get(pk=building.pk).version == 1

    # Within its parcel it is saved, and the panel shows the new version.
    edit_building()
    drag(px(utm_point(30, 20)), px(utm_point(36, 24)))
    page.click("#save-edits")
    page.wait_for_selector("#status.ok")
    saved = Building.objects.get(pk=building.pk)
    assert saved.version == 2 and saved.footprint.wkt != before
    assert Household.objects.get(pk=house.pk).version == 2
    # The only console errors: Chromium's notes of the refused save (HTTP 400).
    assert [m for m in page_watch.console_errors if not refused_request_message(m)] == []
    assert not page_watch.external_requests
