"""The tax officer's year in headless Chromium on a small register: appraise (CSV import), assess,
review, issue (after setting the office's due dates: 2026's own have passed), collect at the counter,
and the tax-status map turning from unpaid to paid.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from gis_portal.roles import TAX_OFFICER
from taxes.models import Assessment
from tests.e2e.conftest import login
from tests.taxes.conftest import register  # noqa: F401 - the small register fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _map_statuses(page, live_server_url, slug):
    page.goto(f"{live_server_url}/tax/{slug}/2026/reports/")
    page.wait_for_function(
        "() => { const m = document.getElementById('tax-map');"
        " return m && m.dataset.statuses && Object.keys(JSON.parse(m.dataset.statuses)).length > 0; }",
        timeout=20_000,
    )
    page.wait_for_load_state("networkidle")
    return json.loads(page.get_attribute("#tax-map", "data-statuses"))


def test_tax_year_flow_in_the_browser(register, make_user, new_page, page_watch, live_server, tmp_path):  # noqa: F811
    make_user("taxofficer", register.org, TAX_OFFICER)
    slug = register.org.slug
    page = new_page()
    login(page, live_server.url, "taxofficer")

    # appraise: import the building-cost table from CSV
    page.goto(f"{live_server.url}/tax/")
    page.click("text=พ.ศ. 2569")
    page.click("text=1 ราคาประเมิน / Appraisal")
    csv = tmp_path / "costs.csv"
    csv.write_text("building_type,cost_per_m2\nhouse,8000\nshophouse,9000\n", encoding="utf-8")
    page.select_option("select[name=kind]", "building")
    page.set_input_files("input[name=file]", str(csv))
    page.click("text=นำเข้า / Import")
    assert page.locator("text=นำเข้า 2 แถว").count() == 1

    # the map before assessing: every parcel not assessed
    assert set(_map_statuses(page, live_server.url, slug)) == {"not_assessed"}

    # assess, review, issue all
    page.goto(f"{live_server.url}/tax/{slug}/2026/")
    page.click("#run-assess")
    page.wait_for_selector("#review-table")
    assert page.locator("#review-table tr").count() == 6  # header + five drafts
    assert page.locator("#review-table", has_text="30,000.00").count() == 1
    page.click("#issue-all")
    page.click("#confirm-issue")
    # 2026's dates (June-August) have passed: the notices would be overdue the day they are issued
    page.wait_for_selector("text=could not pay in time")
    assert Assessment.objects.filter(status="issued").count() == 0
    page.goto(f"{live_server.url}/tax/{slug}/2026/office-dates/")
    today = timezone.localdate()
    inputs = page.locator("#office-dates-form input[name=due_date]")
    for i, days in enumerate((40, 70, 100)):
        inputs.nth(i).fill((today + timedelta(days=days)).isoformat())
    page.fill("#office-dates-form input[name=reason]", "ออกแบบแจ้งล่าช้า / notices issued late")
    page.click("#save-office-dates")
    page.wait_for_selector("text=office due dates saved")
    page.goto(f"{live_server.url}/tax/{slug}/2026/review/")
    page.click("#issue-all")
    # the count and the amount are confirmed first
    assert page.inner_text("#confirm-count") == "5"
    page.click("#confirm-issue")
    page.wait_for_selector("text=ออกแบบแจ้งแล้ว 5 ฉบับ")

    # B's and C's notices are issued and not yet due; the exempt ones count as paid
    before = _map_statuses(page, live_server.url, slug)
    assert before == {"issued_unpaid": 2, "paid": 2}

    # collect C at the counter: the form is prefilled with what is due today
    c = Assessment.objects.get(party=register.c)
    page.goto(f"{live_server.url}/tax/assessments/{c.pk}/")
    page.click("#pay")
    page.wait_for_selector("text=รับชำระแล้ว ใบเสร็จ")
    c.refresh_from_db()
    assert c.paid == c.total and c.surcharge_paid == 0 and c.penalty_paid == 0

    after = _map_statuses(page, live_server.url, slug)
    assert after == {"issued_unpaid": 1, "paid": 3}

    # the staff map has the same layer: switch it on and see the same colours
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#tax-tools:not([hidden])")
    assert page.input_value("#tax-year") == "2026"
    page.check("#tax-layer")
    page.fill("#search", "01A002")  # the map zooms to the demo year's parcels
    page.press("#search", "Enter")
    page.wait_for_selector("#panel-title:has-text('01A002')")
    # its panel shows the parcel's notice with its tax status (the tax officer sees tax data)
    page.wait_for_selector(
        "#details h3:has-text('ภาษีที่ดินและสิ่งปลูกสร้าง'), #details h3:has-text('Land and building tax')"
    )
    assert "issued, unpaid" in page.inner_text("#details")  # B's notice, not paid (bilingual status)
    page.evaluate("pangmuMap.map.getView().setZoom(16)")
    page.wait_for_function(
        "() => { const l = document.getElementById('tax-legend'); return l && !l.hidden"
        " && l.dataset.statuses && Object.keys(JSON.parse(l.dataset.statuses)).length > 0; }",
        timeout=20000,
    )
    on_map = json.loads(page.get_attribute("#tax-legend", "data-statuses"))
    assert on_map == {"issued_unpaid": 1, "paid": 3}
    page_watch.assert_clean()
