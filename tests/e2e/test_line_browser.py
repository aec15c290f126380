"""A resident links LINE from the household page and hears of a request's status change on LINE."""

from __future__ import annotations

import json
import urllib.request

import pytest

from eservices.catalogue import seed_services
from eservices.models import ServiceRequest
from notifications import line
from notifications.models import LineChannel, LineLink
from tests.e2e.conftest import login
from tests.eservices.conftest import make_home
from tests.fakes import ProviderServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECRET = "fedcba9876543210fedcba9876543210"
LINE_USER = "U1234567890abcdef1234567890abcdef"


@pytest.fixture
def line_server(settings):
    from gis_portal.celery import app

    server = ProviderServer()
    settings.LINE_API_BASE = server.url
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield server
    app.conf.task_always_eager = eager
    server.close()


def post_webhook(url: str, body: dict, secret: str = SECRET) -> int:
    raw = json.dumps(body).encode()
    req = urllib.request.Request(  # noqa: S310 - the local live server
        url,
        data=raw,
        method="POST",
        headers={"Content-Type": "application/json", "X-Line-Signature": line.signature(raw, secret)},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - the local live server
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_resident_links_line_and_hears_a_status_change(
    live_server, new_page, page_watch, make_user, village, line_server
):
    org = village.organisation
    seed_services(org)
    LineChannel.objects.create(
        organisation=org, channel_secret=SECRET, access_token="line-token", basic_id="@pangmu"
    )
    home = make_home(org, village, dx=0, number="12", id_prefix="3580")
    make_user("officer", org, "service officer")

    page = new_page(width=360, height=740)
    page.goto(f"{live_server.url}/h/{home.token}/")
    page.fill("input[name=id_last4]", home.head.national_id[-4:])
    page.fill("input[name=birth_year]", str(home.head.birth_date.year + 543))
    page.click("#verify button[type=submit] >> nth=0")
    page.wait_for_selector("#private")
    page.click("#notify a")
    page.click("#line-link")
    code = page.inner_text("#line-code").strip()
    assert len(code) == 8
    assert page.get_attribute("#line-open", "href") == f"https://line.me/R/oaMessage/%40pangmu/?{code}"

    # LINE's platform delivers the resident's message with the code: a forged one first.
    hook = f"{live_server.url}/notify/line/pangmu/webhook"
    event = {
        "destination": "Ubot",
        "events": [
            {
                "type": "message",
                "mode": "active",
                "timestamp": 1764662400000,
                "replyToken": "r" * 32,
                "source": {"type": "user", "userId": LINE_USER},
                "message": {"id": "1", "type": "text", "text": code},
            }
        ],
    }
    assert post_webhook(hook, event, secret="not-the-channel-secret") == 403
    assert not LineLink.objects.exists()
    assert post_webhook(hook, event) == 200
    assert "12/1" in line_server.replied[0]["messages"][0]["text"]
    page.reload()
    assert page.locator("#line-links li").count() == 1

    # The resident files a request; the officer accepts it in the staff queue.
    page.goto(f"{live_server.url}/h/{home.token}/s/water_connection/")
    page.fill("input[name=phone]", "0812223333")
    page.click("form[data-once] button[type=submit]")
    page.wait_for_selector("#status")
    req = ServiceRequest.objects.get()
    staff = new_page(1366, 768)
    login(staff, live_server.url, "officer")
    staff.goto(f"{live_server.url}/services/requests/{req.pk}/")
    staff.select_option("#new-status", "accepted")
    staff.fill("textarea[name=comment]", "ช่างประปาจะไปวันพุธ")
    staff.click("form.eserv-form button >> nth=0")
    staff.wait_for_load_state("networkidle")
    [push] = line_server.pushed
    assert push["to"] == LINE_USER
    assert req.reference in push["texts"][0] and "รับเรื่องแล้ว" in push["texts"][0]
    assert "ช่างประปาจะไปวันพุธ" in push["texts"][0]
    page_watch.assert_clean()
