"""The staff portal and the admin's map widget work in a real browser, offline."""

from __future__ import annotations

import pytest

from parcels import services
from tests.conftest import utm_rect
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_front_page_and_admin_map_widget(live_server, new_page, page_watch, make_user, village):
    services.parcel_create(organisation=village.organisation, code="01A001", geom=utm_rect(0, 0, 40, 30))
    make_user("editor", village.organisation, "GIS editor")
    page = new_page()
    login(page, live_server.url, "editor")
    assert "บ้านปางหมู" in page.content()
    page.goto(f"{live_server.url}/admin/parcels/parcel/")
    page.click("text=01A001")
    page.wait_for_selector(".dj_map canvas, .dj_map .ol-layer", timeout=10_000)
    # OpenLayers came from our static files and drew the parcel on the map.
    assert page.evaluate("typeof ol !== 'undefined' && typeof ol.Map === 'function'")
    assert page.evaluate("document.querySelector('#id_geom').value.includes('MultiPolygon')")
    page.screenshot(path="var/e2e-admin-parcel.png")
    page_watch.assert_clean()


def test_csp_blocks_inline_script(live_server, new_page, page_watch, db):
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__inline_ran = true';"
        " document.body.appendChild(s); }"
    )
    assert page.evaluate("window.__inline_ran === true") is False
    assert any("Content Security Policy" in e for e in page_watch.console_errors)
