"""Field check-in in a real browser: the upload with its progress bar, the conflict shown side by
side on two maps, and the person's choice written to the register."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fieldwork.models import CheckInItem, ItemStatus
from gis_portal import roles
from parcels import services
from parcels.models import Building
from tests.api.register import build_register
from tests.e2e.conftest import login
from tests.fieldwork.conftest import edit_gpkg, make_packet, unpack

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_conflict_resolved_in_the_browser_updates_the_register(
    live_server, new_page, page_watch, pangmu, make_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    register = build_register(pangmu)
    field_editor = make_user("field-editor", pangmu, roles.GIS_EDITOR)
    shop = register["shop"]
    packet = make_packet(pangmu, register["village"], field_editor, team="ทีม ข")
    gpkg = unpack(packet, tmp_path / "phone") / f"{packet.slug}.gpkg"
    edit_gpkg(gpkg, "buildings", shop.pk, material="steel")  # the field team
    edit_gpkg(gpkg, "buildings", register["house"].pk, storeys=2)
    services.building_update(building=shop, user=field_editor, storeys=3, reason="office")  # the office

    page = new_page(1366, 768)
    login(page, live_server.url, "field-editor")
    page.goto(f"{live_server.url}/fieldwork/")
    row = f"tr[data-village='{register['village'].number}'] .packet-line"
    line = page.inner_text(row)  # the village's packets: who took it, when, and whether it came back
    assert f"#{packet.pk}" in line and "field-editor (ทีม ข)" in line
    assert timezone.localtime(packet.created_at).strftime("%Y-%m-%d %H:%M") in line
    assert "out in the field" in line
    page.goto(f"{live_server.url}/fieldwork/packets/{packet.pk}/")
    page.set_input_files("#checkin-file", str(gpkg))
    with page.expect_navigation(timeout=60_000):
        page.click("#checkin-form button[type=submit]")
    conflict_rows = page.locator("tr.item-conflict")
    assert conflict_rows.count() == 1
    assert conflict_rows.first.get_attribute("data-src") == str(shop.pk)
    assert page.locator("tr.item-merged").count() == 1
    page.screenshot(path="var/e2e-fieldwork-packet.png", full_page=True)
    page.goto(f"{live_server.url}/fieldwork/")
    assert "กลับมาแล้ว" in page.inner_text(row) and "out in the field" not in page.inner_text(row)
    page.goto(f"{live_server.url}/fieldwork/packets/{packet.pk}/")

    page.click("tr.item-conflict a.resolve")
    page.wait_for_selector("#compare[data-ready='1']", timeout=20_000)
    assert page.locator(".compare-map canvas").count() >= 2  # office and field maps side by side
    material = page.locator("tr[data-field='material'] td")
    assert "steel" in material.last.inner_text() and "concrete" in material.nth(1).inner_text()
    assert "3" in page.locator("tr[data-field='storeys'] td").nth(1).inner_text()
    page.screenshot(path="var/e2e-fieldwork-conflict.png", full_page=True)
    with page.expect_navigation():
        page.click("#take-field")
    assert page.locator("tr.item-took_field").count() == 1
    page_watch.assert_clean()

    shop.refresh_from_db()
    assert (shop.material, shop.storeys) == ("steel", 3)  # the field's material over the office's storeys
    record = Building.history.filter(id=shop.pk).latest("history_date")
    assert record.history_user == field_editor
    assert record.history_change_reason == f"field packet #{packet.pk}: conflict resolved, field version"
    item = CheckInItem.objects.get(src_id=shop.pk)
    assert item.status == ItemStatus.TOOK_FIELD and item.decided_by == field_editor
