"""The staff map in headless Chromium: undo on a parcel nobody changed does nothing harmful; undo of
one's own edit is shown first and done on confirmation; a parcel retired with a reason is found,
shown and restored by a register supervisor."""

from __future__ import annotations

import re

import pytest

from gis_portal import roles
from parcels import services
from parcels.models import Parcel
from tests.conftest import utm_rect
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def refused(text: str) -> bool:
    """Chromium logs a refused call (HTTP 400/409) as a console error: the expected ones here."""
    return bool(re.search(r"status of (400|409)", text))


def test_undo_and_restore_on_the_map(live_server, new_page, page_watch, make_user, village):
    org = village.organisation
    head = make_user("head", org, roles.GIS_EDITOR, roles.REGISTER_SUPERVISOR)
    untouched = services.parcel_create(organisation=org, code="91A001", geom=utm_rect(0, 0, 40, 30))
    mine = services.parcel_create(organisation=org, code="91A002", geom=utm_rect(60, 0, 40, 30), user=head)
    services.parcel_update(parcel=mine, user=head, expected_version=1, doc_number="5555")

    page = new_page(1366, 768)
    login(page, live_server.url, "head")
    page.goto(f"{live_server.url}/map/")
    page.wait_for_function("() => window.pangmuMap !== undefined")

    def open_parcel(code: str, *, retired: bool = False) -> None:
        page.fill("#search", code)
        page.press("#search", "Enter")
        if retired:  # the active one (if any) is listed first; pick the retired one
            page.click(f"#results button:has-text('{code}'):has-text('retired')")
        page.wait_for_selector(f"#panel-title:has-text('{code}')")

    # 1. Undo on a parcel nobody changed (made by the import): refused, said next to it, nothing changes.
    open_parcel("91A001")
    page.click("#undo")
    page.wait_for_selector("#edit-message:not([hidden])")
    assert page.get_attribute("#edit-message", "data-code") == "not_your_change"
    assert page.locator("#undo-preview").count() == 0
    untouched.refresh_from_db()
    assert (untouched.status, untouched.version) == ("active", 1)
    assert Parcel.history.filter(id=untouched.pk).count() == 1

    # 2. Undo of one's own edit: first what it will do, then (confirmed) exactly that.
    open_parcel("91A002")
    page.click("#undo")
    page.wait_for_selector("#undo-preview")
    preview = page.inner_text("#undo-preview")
    assert "5555" in preview and ("ฉบับที่ 1" in preview or "version 1" in preview)
    mine.refresh_from_db()
    assert mine.doc_number == "5555" and mine.version == 2  # nothing done before confirming
    with page.expect_response(lambda r: "/undo/" in r.url and r.request.method == "POST") as answer:
        page.click("#confirm-undo")
    assert answer.value.status == 200
    mine.refresh_from_db()
    assert mine.doc_number == "" and mine.version == 3 and mine.status == "active"

    # 3. Retire with a reason, find the retired parcel, restore it.
    open_parcel("91A001")
    page.click("#retire")
    page.fill("#f-reason", "รังวัดซ้ำกับแปลงข้างเคียง")
    with page.expect_response(lambda r: "/retire/" in r.url) as answer:
        page.click("#form button[type=submit]")
    assert answer.value.status == 200
    untouched.refresh_from_db()
    assert untouched.status == "retired"
    open_parcel("91A001", retired=True)
    page.wait_for_selector("#retired-note")
    assert "รังวัดซ้ำกับแปลงข้างเคียง" in page.inner_text("#retired-note")
    assert page.locator("#undo").count() == 0 and page.locator("#retire").count() == 0
    assert page.evaluate("pangmuMap.map.getLayers().getArray().length") > 0
    page.click("#restore")
    page.fill("#f-reason", "ยกเลิกผิดแปลง")
    with page.expect_response(lambda r: "/restore/" in r.url) as answer:
        page.click("#form button[type=submit]")
    assert answer.value.status == 200
    untouched.refresh_from_db()
    assert untouched.status == "active" and untouched.retired_at is None
    page.wait_for_selector("#retired-note", state="detached")  # the panel shows it active again
    page.wait_for_selector("#panel-title:has-text('91A001')")
    page_watch.console_errors = [e for e in page_watch.console_errors if not refused(e)]
    page_watch.assert_clean()
