"""Smart Travel on a phone without login: the whole first load stays under 300 KB; a place's QR scans."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from urllib.parse import urlparse

import pytest

from eservices.conf import PUBLIC_BASE_URL
from tests.conftest import utm_point
from travel.models import Place
from travel.services import place_save

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BUDGET = 300 * 1024


def test_travel_page_loads_under_300_kb_and_the_qr_scans(
    live_server, new_page, page_watch, pangmu, tmp_path, settings
):
    kinds = ["place", "homestay", "event"]
    for i in range(30):  # a full list: 30 places, homestays and events
        kind = kinds[i % 3]
        place_save(
            place=Place(
                organisation=pangmu,
                kind=kind,
                name_th=f"สถานที่ {i}",
                name_en=f"Place {i}",
                description_th="น้ำตก ถ้ำ และทุ่งบัวตอง " * 5,
                location=utm_point(200 * (i % 6) - 600, 300 * (i // 6) - 600),
                starts_on=date.today() + timedelta(days=i) if kind == "event" else None,
            )
        )
    page = new_page(width=360, height=740)
    sizes: dict[str, int] = {}
    page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())) if r.ok else None)
    page.goto(f"{live_server.url}/travel/pangmu/")
    page.wait_for_load_state("networkidle")
    total = sum(sizes.values())
    print(f"Smart Travel first load: {total} bytes in {len(sizes)} responses")
    assert total < BUDGET, sizes
    assert page.locator("#travel-map circle").count() == 30
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.context.cookies() == []  # nothing to log in to, nothing stored

    page.click("nav.kinds a[href*='homestay']")
    assert page.locator("#places li").count() == 10
    page.click("#places li a >> nth=0")
    page.wait_for_selector("img.qr")
    qr = page.locator("img.qr")
    qr.scroll_into_view_if_needed()
    for _ in range(50):
        if qr.evaluate("img => img.complete && img.naturalWidth"):
            break
        page.wait_for_timeout(100)
    png = tmp_path / "qr.png"
    page.locator("img.qr").screenshot(path=str(png))
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, check=True)
    # The QR holds the public address (ESERVICES_PUBLIC_BASE_URL) of this very page.
    assert decoded.stdout.strip() == PUBLIC_BASE_URL + urlparse(page.url).path
    page_watch.assert_clean()
