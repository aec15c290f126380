"""Smart Yunglai pages: who may see and record, the form refuses bad counts, the map and indices."""

from __future__ import annotations

import pytest

from community.models import VillageHelper
from health.models import LarvalSurvey
from parcels import services as register
from tests.conftest import utm_rect

pytestmark = pytest.mark.django_db


def test_volunteer_records_a_survey_and_the_village_page_shows_it(client, houses, volunteer):
    client.force_login(volunteer)
    village = houses[0].village
    page = client.get(f"/health/yunglai/v/{village.pk}/")
    assert page.status_code == 200 and 'class="hh none"' in page.content.decode()
    form = client.get(f"/health/yunglai/v/{village.pk}/h/{houses[2].pk}/")
    assert form.status_code == 200 and 'name="inspected_jar"' in form.content.decode()
    resp = client.post(
        f"/health/yunglai/v/{village.pk}/h/{houses[2].pk}/", {"inspected_jar": "3", "positive_jar": "1"}
    )
    assert resp.status_code == 302
    body = client.get(resp["Location"]).content.decode()
    assert 'class="hh pos"' in body and 'data-house="3"' in body
    assert "<b>10.0</b>" not in body and "<b>100.0</b>" in body  # 1 of 1 house inspected


def test_bad_counts_show_the_problem_and_store_nothing(client, houses, volunteer):
    client.force_login(volunteer)
    v = houses[0].village
    resp = client.post(
        f"/health/yunglai/v/{v.pk}/h/{houses[0].pk}/", {"inspected_jar": "1", "positive_jar": "5"}
    )
    assert resp.status_code == 400
    assert "พบลูกน้ำ 5 ภาชนะ แต่สำรวจเพียง 1 ภาชนะ" in resp.content.decode()
    assert not LarvalSurvey.objects.exists()


def test_other_villages_and_other_organisations_are_not_found(
    client, houses, volunteer, mokchampae, health_officer
):
    other_village = register.village_create(
        organisation=houses[0].organisation,
        number=2,
        name_th="บ้านสอง",
        boundary=utm_rect(3000, -2000, 2000, 2000),
    )
    client.force_login(volunteer)
    assert client.get(f"/health/yunglai/v/{other_village.pk}/").status_code == 404
    assert client.get("/health/yunglai/").status_code == 200
    # The health officer sees both villages of the organisation.
    client.force_login(health_officer)
    assert client.get(f"/health/yunglai/v/{other_village.pk}/").status_code == 200
    # An inactive helper sees nothing.
    VillageHelper.objects.filter(user=volunteer).update(active=False)
    client.force_login(volunteer)
    assert client.get(f"/health/yunglai/v/{houses[0].village.pk}/").status_code == 404
    assert client.get("/health/yunglai/").status_code == 403


def test_a_household_of_another_village_cannot_be_surveyed_through_this_one(client, houses, volunteer):
    other_village = register.village_create(
        organisation=houses[0].organisation,
        number=2,
        name_th="บ้านสอง",
        boundary=utm_rect(3000, -2000, 2000, 2000),
    )
    client.force_login(volunteer)
    resp = client.post(f"/health/yunglai/v/{other_village.pk}/h/{houses[0].pk}/", {"inspected_jar": "1"})
    assert resp.status_code == 404
