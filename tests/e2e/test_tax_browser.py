"""The tax officer's year in headless Chromium on a small register: appraise (CSV import), assess,
review, issue, collect at the counter, and the tax-status map turning from overdue to paid.
"""

from __future__ import annotations

import json

import pytest

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
    page.wait_for_selector("text=ออกแบบแจ้งแล้ว 5 ฉบับ")

    # the notices are past due (30 April 2026): B's and C's parcels are overdue, the exempt ones paid
    before = _map_statuses(page, live_server.url, slug)
    assert before == {"overdue": 2, "paid": 2}

    # collect C at the counter: the form is prefilled with the tax and surcharge due today
    c = Assessment.objects.get(party=register.c)
    page.goto(f"{live_server.url}/tax/assessments/{c.pk}/")
    page.click("#pay")
    page.wait_for_selector("text=รับชำระแล้ว ใบเสร็จ")
    c.refresh_from_db()
    assert c.paid == c.total and c.surcharge_paid > 0

    after = _map_statuses(page, live_server.url, slug)
    assert after == {"overdue": 1, "paid": 3}

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
    assert "overdue" in page.inner_text("#details")  # B's notice, not paid (the status text is bilingual)
    page.evaluate("pangmuMap.map.getView().setZoom(16)")
    page.wait_for_function(
        "() => { const l = document.getElementById('tax-legend'); return l && !l.hidden"
        " && l.dataset.statuses && Object.keys(JSON.parse(l.dataset.statuses)).length > 0; }",
        timeout=20000,
    )
    on_map = json.loads(page.get_attribute("#tax-legend", "data-statuses"))
    assert on_map == {"overdue": 1, "paid": 3}
    page_watch.assert_clean()
