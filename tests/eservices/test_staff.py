"""The service officers' queue: list, map, filters, assignment, status changes the resident sees, summary."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from eservices import services
from eservices.models import ServiceRequest, ServiceType

pytestmark = pytest.mark.django_db


def file_request(home, code="septic_pumping", **form):
    st = ServiceType.objects.get(organisation=home.household.organisation, code=code)
    form = form or {"tank_size": "small", "phone": "0811111111"}
    req, _ = services.service_request_submit(
        household=home.household, service_type=st, nonce=secrets.token_urlsafe(16), form=form
    )
    return req


def test_queue_needs_a_service_officer(client, make_user, pangmu, home):
    file_request(home)
    assert client.get("/services/queue/").status_code == 302  # to the login page
    client.force_login(make_user("viewer1", pangmu, "viewer"))
    assert client.get("/services/queue/").status_code == 403
    assert client.get("/services/queue/map.geojson").status_code == 403


def test_queue_lists_filters_and_highlights_overdue(
    client, officer, home, other_home, django_assert_max_num_queries
):
    septic = file_request(home)
    late = file_request(other_home, "public_health", details="ยุงเยอะ")
    ServiceRequest.objects.filter(pk=late.pk).update(
        created_at=timezone.now() - timedelta(days=10), due_at=timezone.now() - timedelta(days=3)
    )
    client.force_login(officer)
    with django_assert_max_num_queries(10):
        body = client.get("/services/queue/").content.decode()
    assert septic.reference in body and late.reference in body
    assert f'<tr class="overdue" data-id="{late.pk}">' in body
    assert f'<tr class="" data-id="{septic.pk}">' in body
    only_septic = client.get("/services/queue/?type=septic_pumping").content.decode()
    assert septic.reference in only_septic and late.reference not in only_septic
    old = client.get("/services/queue/?age=7").content.decode()
    assert late.reference in old and septic.reference not in old
    overdue = client.get("/services/queue/?overdue=1").content.decode()
    assert late.reference in overdue and septic.reference not in overdue
    assert septic.reference not in client.get("/services/queue/?village=2").content.decode()
    assert septic.reference in client.get("/services/queue/?village=1").content.decode()
    geo = client.get("/services/queue/map.geojson?overdue=1").json()
    assert [f["properties"]["ref"] for f in geo["features"]] == [late.reference]
    assert geo["features"][0]["properties"]["overdue"] is True


def test_status_change_with_comment_reaches_the_resident(client, officer, home):
    req = file_request(home)
    client.force_login(officer)
    r = client.post(
        f"/services/requests/{req.pk}/", {"action": "status", "status": "accepted", "comment": "พรุ่งนี้รถไป"}
    )
    assert r.status_code == 302
    client.post(f"/services/requests/{req.pk}/", {"action": "assign", "assignee": officer.pk})
    req.refresh_from_db()
    assert req.status == "accepted" and req.is_open and req.assigned_to == officer
    client.post(f"/services/requests/{req.pk}/", {"action": "status", "status": "done", "comment": ""})
    req.refresh_from_db()
    assert not req.is_open and req.closed_at is not None
    client.logout()
    page = client.get(f"/h/{home.token}/r/{req.pk}/").content.decode()
    assert "รับเรื่องแล้ว" in page and "พรุ่งนี้รถไป" in page and "เสร็จสิ้น" in page
    assert "เสร็จสิ้น" in client.get(f"/h/{home.token}/").content.decode()


def test_bad_status_and_bad_assignee_are_refused(client, officer, home, make_user, pangmu):
    req = file_request(home)
    client.force_login(officer)
    r = client.post(f"/services/requests/{req.pk}/", {"action": "status", "status": "teleported"})
    assert r.status_code == 400 and "ไม่รู้จักสถานะ" in r.content.decode()
    stranger = make_user("stranger", pangmu, "viewer")
    r = client.post(f"/services/requests/{req.pk}/", {"action": "assign", "assignee": stranger.pk})
    assert r.status_code == 400
    req.refresh_from_db()
    assert req.status == "submitted" and req.assigned_to is None and req.events.count() == 1


def test_officers_see_only_their_organisations_requests(client, make_user, mokchampae, home):
    req = file_request(home)
    client.force_login(make_user("north", mokchampae, "service officer"))
    assert req.reference not in client.get("/services/queue/").content.decode()
    assert client.get(f"/services/requests/{req.pk}/").status_code == 404
    assert client.get("/services/queue/map.geojson").json()["features"] == []


def test_map_page_loads_local_openlayers(client, officer, home):
    client.force_login(officer)
    body = client.get("/services/queue/map/").content.decode()
    assert "/static/vendor/ol/ol.js" in body and "/static/eservices/queue_map.js" in body
    assert "http://" not in body.replace("http://testserver", "") and "https://" not in body


def test_daily_summary_page_and_command(client, officer, home, other_home):
    a = file_request(home)
    file_request(other_home)
    services.request_change_status(request_id=a.pk, to_status="done", user=officer)
    client.force_login(officer)
    body = client.get("/services/summary/").content.decode()
    assert "ขอสูบสิ่งปฏิกูล" in body
    from io import StringIO

    out = StringIO()
    call_command("service_summary", "--org", "pangmu", stdout=out)
    text = out.getvalue()
    assert "septic_pumping" in text and "new 2" in text and "closed 1" in text and "open 1" in text


def test_seed_services_is_idempotent_and_keeps_office_edits(pangmu):
    from eservices.catalogue import SERVICES, seed_services

    assert seed_services(pangmu)[0] == len(SERVICES)
    ServiceType.objects.filter(code="septic_pumping").update(fee=450)
    assert seed_services(pangmu) == (0, 0)
    call_command("seed_services", "--org", "pangmu")
    assert ServiceType.objects.get(code="septic_pumping").fee == 450
    assert ServiceType.objects.filter(organisation=pangmu).count() == len(SERVICES)
