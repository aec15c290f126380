"""A health volunteer records larval surveys on a 360 px phone; the village's indices and map change."""

from __future__ import annotations

import pytest

from community.models import VillageHelper
from health.catalogue import seed_health
from health.models import LarvalSurvey
from tests.e2e.conftest import login
from tests.health.conftest import add_households

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_volunteer_records_a_survey_on_a_phone(live_server, new_page, page_watch, make_user, village):
    org = village.organisation
    seed_health(org)
    houses = add_households(org, village, 6)
    user = make_user("osm1", None, staff=False)
    VillageHelper.objects.create(user=user, organisation=org, village=village, kind="volunteer")

    page = new_page(**PHONE)
    login(page, live_server.url, "osm1")
    page.goto(f"{live_server.url}/community/")
    page.click(f"a[href='/health/yunglai/v/{village.pk}/']")
    page.wait_for_selector("#indices")
    assert page.inner_text("#indices [data-index=HI] b") == "–"
    assert page.locator("#villagemap circle.hh.pos").count() == 0
    assert page.locator("#villagemap circle.hh.none").count() == 6

    # House 3: three water jars, one with larvae, and an old tyre with larvae; entered with the buttons.
    page.click("#households a:text-is('3')")
    page.wait_for_selector("#survey")
    for _ in range(3):
        page.click("button[data-for=i_jar][data-step='1']")
    page.click("button[data-for=p_jar][data-step='1']")
    page.fill("#i_tyre", "1")
    page.click("button[data-for=p_tyre][data-step='1']")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("#survey button[type=submit]")
    page.wait_for_selector("#indices")
    assert page.inner_text("#indices [data-index=HI] b") == "100.0"
    assert page.inner_text("#indices [data-index=CI] b") == "50.0"  # 2 of 4 containers
    assert page.inner_text("#indices [data-index=BI] b") == "200.0"  # 2 positive containers in 1 house
    assert page.locator("#villagemap circle.hh.pos[data-house='3']").count() == 1

    # House 5: two jars, no larvae: the house index halves, the map shows it green.
    page.click("#households a:text-is('5')")
    page.wait_for_selector("#survey")
    page.fill("#i_jar", "2")
    page.click("#survey button[type=submit]")
    page.wait_for_selector("#indices")
    assert page.inner_text("#indices [data-index=HI] b") == "50.0"
    assert page.locator("#villagemap circle.hh.neg[data-house='5']").count() == 1
    assert page.locator("#villagemap circle.hh.none").count() == 4

    page_watch.assert_clean()
    # A slip (more with larvae than inspected) is refused (400) and changes nothing.
    page.click("#households a:text-is('1')")
    page.wait_for_selector("#survey")
    page.fill("#i_vase", "1")
    page.fill("#p_vase", "2")
    page.click("#survey button[type=submit]")
    page.wait_for_selector(".msg.error")
    assert "พบลูกน้ำ 2 ภาชนะ แต่สำรวจเพียง 1 ภาชนะ" in page.inner_text(".msg.error")
    assert LarvalSurvey.objects.count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="var/e2e-yunglai.png", full_page=True)
    assert all("400 (Bad Request)" in e for e in page_watch.console_errors), page_watch.console_errors
    assert houses
