"""The resident page behind a sticker on a small phone (360×740): scan, verify, request, staff reply."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from eservices.catalogue import seed_services
from eservices.models import RequestAttachment, ServiceRequest
from parcels import services as register
from taxes import services as tax_services
from taxes.models import Assessment, LandPrice
from taxes.promptpay import parse_payload
from tests.conftest import utm_rect
from tests.e2e.conftest import login
from tests.eservices.conftest import jpeg_bytes, make_home

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
BUDGET = 300 * 1024


def test_scan_verify_request_and_staff_reply(
    live_server, new_page, page_watch, make_user, village, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    org = village.organisation
    org.phone = "053-613341"
    org.save(update_fields=["phone"])
    seed_services(org)
    home = make_home(org, village, dx=0, number="12", id_prefix="3580")
    make_user("officer", org, "service officer")
    photo = tmp_path / "pipe.jpg"
    photo.write_bytes(jpeg_bytes((1200, 900)))
    # The head of the household also holds a shop plot: 400 sq wah at 1,000 baht = 400,000 × 0.3 %.
    org.tax_id = "0994000158041"
    org.save(update_fields=["tax_id"])
    shop = register.parcel_create(
        organisation=org,
        code="01A099",
        geom=utm_rect(0, 200, 40, 40),
        doc_type="chanote",
        land_uses=[register.LandUseShare("other", Decimal(100))],
    )
    register.parcel_right_add(parcel=shop, party=home.head)
    tax_year = tax_services.tax_year_create(organisation=org, year=2026)
    LandPrice.objects.create(tax_year=tax_year, zone="01", block="A", price_per_sq_wah=Decimal("1000"))
    tax_services.assess_year(organisation=org, year=2026)
    # 2026's own dates have passed: the office sets dates the taxpayer can still meet (Sec. 14)
    today = timezone.localdate()
    tax_services.tax_year_set_office_dates(
        tax_year=tax_year,
        dates=[today + timedelta(days=n) for n in (40, 70, 100)],
        reason="notices issued late",
    )
    tax_services.assessments_issue(tax_year=tax_year)
    notice = Assessment.objects.get(party=home.head)
    assert notice.total >= Decimal("1200.00")  # the shop's 1,200 plus whatever else the head owes

    # 1. Scan: the page and everything it loads stay far under the 300 KB budget.
    page = new_page(**PHONE)
    missing: list[str] = []
    page.on("response", lambda resp: missing.append(resp.url) if resp.status == 404 else None)
    loaded: list[int] = []
    page.on("response", lambda resp: loaded.append(len(resp.body())) if resp.ok else None)
    page.goto(f"{live_server.url}/h/{home.token}/")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("h1").strip().endswith("12/1")
    assert page.locator("svg.minimap path.parcel").count() == 2  # the home plot and the shop plot
    assert sum(loaded) < BUDGET, f"first load {sum(loaded)} bytes"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert home.head.first_name not in page.content()

    # English and back.
    page.click("a.lang")
    assert "House no." in page.inner_text("h1")
    page.click("a.lang")

    # 2. Verify with the last 4 ID digits and the birth year (Buddhist Era).
    page.fill("input[name=id_last4]", home.head.national_id[-4:])
    page.fill("input[name=birth_year]", str(home.head.birth_date.year + 543))
    page.click("#verify button[type=submit] >> nth=0")
    page.wait_for_selector("#private")
    assert home.head.first_name in page.inner_text("#private")
    assert "01A012" in page.inner_text("#private")
    # 3. Bills: the issued notice of the head of the household, with a PromptPay QR that a real
    # decoder reads back to the notice's number and amount.
    bills = page.inner_text("#bills")
    assert notice.notice_number in bills and f"{notice.total}" in bills
    qr_png = tmp_path / "payqr.png"
    page.locator("#bills figure.payqr").first.screenshot(path=str(qr_png))
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", str(qr_png)], capture_output=True, text=True, check=True
    ).stdout.strip()
    payload = parse_payload(decoded)
    assert payload["amount"] == notice.total
    assert payload["bill_payment"]["ref1"] == notice.notice_number
    assert home.elder.first_name in page.inner_text("#welfare")

    # 4. Septic pumping with a moved pin and a photo.
    page.click("a[href='s/septic_pumping/']")
    page.select_option("select[name=tank_size]", "large")
    page.fill("input[name=phone]", "0812223333")
    picker = page.locator("svg.picker")
    box = picker.bounding_box()
    picker.click(position={"x": box["width"] * 0.8, "y": box["height"] * 0.25})
    assert page.is_visible("#pin-state")
    assert page.input_value("#pin_lon") != ""
    page.set_input_files("input[name=photo]", str(photo))
    page.click("form[data-once] button[type=submit]")
    page.wait_for_selector("#status")
    req = ServiceRequest.objects.get()
    assert req.pin_moved and req.data["tank_size"] == "large"
    assert RequestAttachment.objects.filter(request=req).count() == 1
    assert page.inner_text("#status") == "ยื่นคำขอแล้ว"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # 5. Staff see it on the queue and the map, and change its status with a comment.
    staff = new_page(1366, 768)
    login(staff, live_server.url, "officer")
    staff.goto(f"{live_server.url}/services/queue/")
    assert req.reference in staff.inner_text("table.eserv-queue")
    staff.goto(f"{live_server.url}/services/queue/map/")
    staff.wait_for_selector("#queue-map[data-count='1']", state="attached", timeout=15_000)
    staff.goto(f"{live_server.url}/services/requests/{req.pk}/")
    assert staff.locator("img.eserv-photo").evaluate("img => img.naturalWidth") > 0
    staff.select_option("#new-status", "accepted")
    staff.fill("textarea[name=comment]", "รถสูบจะไปวันพฤหัส")
    staff.click("form.eserv-form button >> nth=0")
    staff.wait_for_load_state("networkidle")
    assert staff.inner_text("#status") == "รับเรื่องแล้ว"

    # 6. The resident sees the new status and the comment.
    page.reload()
    assert page.inner_text("#status") == "รับเรื่องแล้ว"
    assert "รถสูบจะไปวันพฤหัส" in page.inner_text(".timeline")
    page.goto(f"{live_server.url}/h/{home.token}/")
    assert "รับเรื่องแล้ว" in page.inner_text("#requests")
    page.screenshot(path="var/e2e-resident.png", full_page=True)
    assert not missing, missing
    page_watch.assert_clean()


def test_emergency_sends_phone_gps_and_bad_sticker_page(live_server, new_page, page_watch, village):
    org = village.organisation
    seed_services(org)
    home = make_home(org, village, dx=0, number="7", id_prefix="3582")
    page = new_page(
        **PHONE, geolocation={"latitude": 19.3301, "longitude": 97.9602}, permissions=["geolocation"]
    )
    page.goto(f"{live_server.url}/h/{home.token}/s/emergency/")
    assert page.locator("a.sos").get_attribute("href") == "tel:1669"
    page.wait_for_selector("#gps-state[data-state=ok]", timeout=10_000)
    assert page.input_value("#gps_lat") != ""
    page.click("button.big")
    page.wait_for_selector("#status")
    req = ServiceRequest.objects.get()
    assert abs(req.gps.y - 19.3301) < 1e-6 and abs(req.gps.x - 97.9602) < 1e-6
    response = page.goto(f"{live_server.url}/h/not-a-real-sticker-token/")
    assert response.status == 404 and "สติกเกอร์ไม่ถูกต้อง" in page.inner_text("h1")
    page_watch.console_errors = [e for e in page_watch.console_errors if "404" not in e]
    page_watch.assert_clean()


def test_wrong_answers_are_said_where_the_phone_is_looking(live_server, new_page, page_watch, village):
    """On a 360 px phone, a wrong answer and then the lock are shown inside the verification card,
    in view and focused; a second phone of the same family (same address) still verifies."""
    from eservices import conf

    seed_services(village.organisation)
    home = make_home(village.organisation, village, dx=0, number="14", id_prefix="3581")
    page = new_page(**PHONE)
    page.goto(f"{live_server.url}/h/{home.token}/")

    def answer_wrong() -> None:
        page.fill("input[name=id_last4]", "0000")
        page.fill("input[name=birth_year]", "2500")
        page.click("#verify button[type=submit] >> nth=0")
        page.wait_for_selector("#verify-message")

    def in_view_and_focused() -> bool:
        return page.evaluate(
            """() => { const m = document.getElementById('verify-message');
                       const r = m.getBoundingClientRect();
                       return r.top >= 0 && r.bottom <= window.innerHeight
                              && document.activeElement === m; }"""
        )

    answer_wrong()
    assert "ข้อมูลไม่ตรงกับทะเบียน" in page.inner_text("#verify-message")
    assert in_view_and_focused()
    for _ in range(conf.VERIFY_MAX_FAILURES_PER_DEVICE):
        answer_wrong()
    assert "ตอบผิดหลายครั้งเกินไปบนโทรศัพท์เครื่องนี้" in page.inner_text("#verify-message")
    assert in_view_and_focused()
    assert page.locator("main > p.msg").count() == 0  # not (also) at the top, off screen

    family = new_page(**PHONE)  # another phone: its own cookies, the same address
    family.goto(f"{live_server.url}/h/{home.token}/")
    family.fill("input[name=id_last4]", home.head.national_id[-4:])
    family.fill("input[name=birth_year]", str(home.head.birth_date.year + 543))
    family.click("#verify button[type=submit] >> nth=0")
    family.wait_for_selector("#private")
    page_watch.assert_clean()
