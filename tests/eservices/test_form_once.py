"""A form that creates something does it once per form shown: the back button, a double click and two
posts arriving together give the first request, never a second (gis_portal.once)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from eservices import services
from eservices.models import RequestEvent, ServiceRequest, ServiceType
from gis_portal.once.models import FormSubmission
from gis_portal.once.services import submit_once

from .test_requests import _nonce, _septic

pytestmark = pytest.mark.django_db


def test_going_back_and_sending_again_shows_the_first_request(client, home):
    first_key = _nonce(client, home, fresh=False)
    first = _septic(client, home, first_key)
    assert first.status_code == 302
    # The back button fetches the form again (the page is never cached): same key, and it says so.
    page = client.get(f"/h/{home.token}/s/septic_pumping/").content.decode()
    req = ServiceRequest.objects.get()
    assert f'name="nonce" value="{first_key}"' in page
    assert 'id="form-sent"' in page and req.reference in page
    again = _septic(client, home, _nonce(client, home, fresh=False))
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert ServiceRequest.objects.count() == 1 and RequestEvent.objects.count() == 1


def test_a_new_form_on_purpose_makes_a_second_request(client, home):
    _septic(client, home, _nonce(client, home, fresh=False))
    fresh = client.get(f"/h/{home.token}/s/septic_pumping/?new=1").content.decode()
    key = fresh.split('name="nonce" value="', 1)[1].split('"', 1)[0]
    assert 'id="form-sent"' not in fresh
    assert _septic(client, home, key).status_code == 302
    assert ServiceRequest.objects.count() == 2


def test_a_refused_form_keeps_its_key_for_the_corrected_copy(client, home):
    key = _nonce(client, home, fresh=False)
    bad = _septic(client, home, key, tank_size="")
    assert bad.status_code == 400 and f'value="{key}"' in bad.content.decode()
    assert not FormSubmission.objects.exists() and not ServiceRequest.objects.exists()
    assert _septic(client, home, key).status_code == 302
    assert ServiceRequest.objects.count() == 1


def test_a_key_is_not_honoured_on_another_services_form(client, home):
    key = _nonce(client, home, fresh=False)
    _septic(client, home, key)
    other = client.post(
        f"/h/{home.token}/s/infrastructure/", {"nonce": key, "problem": "road", "details": "หลุม"}
    )
    assert other.status_code == 400 and "แบบฟอร์มหมดอายุ" in other.content.decode()
    assert ServiceRequest.objects.count() == 1


def test_a_key_longer_than_any_issued_or_with_nul_is_refused(client, home):
    for key in ("k" * 65, "abc\x00def"):
        r = _septic(client, home, key)
        assert r.status_code == 400
    assert not ServiceRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_copies_sent_at_once_make_one_request(home):
    """Two transactions on two connections with the same key: the second waits on the first's key
    row, then answers with the first's request."""
    st = ServiceType.objects.get(organisation=home.household.organisation, code="septic_pumping")
    form = {"tank_size": "small", "phone": "0811111111", "details": "ส้วมเต็ม"}
    barrier = threading.Barrier(2)
    results: list = []
    errors: list = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(
                services.service_request_submit(
                    household=home.household, service_type=st, nonce="same-form-key-123456", form=form
                )
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert ServiceRequest.objects.count() == 1 and RequestEvent.objects.count() == 1
    assert sorted(created for _req, created in results) == [False, True]
    assert len({req.pk for req, _created in results}) == 1


@pytest.mark.django_db(transaction=True)
def test_the_second_copy_really_waits_for_the_first(home):
    """The first copy is still inside its transaction when the second arrives: the second blocks on
    the key and, once the first commits, returns its object (no second row, no error)."""
    from parcels.models import Party

    first_inside = threading.Event()
    release = threading.Event()
    results: list = []

    def create_slowly() -> Party:
        party = Party.objects.create(
            organisation=home.household.organisation, kind="person", first_name="ช้า", last_name="ก"
        )
        first_inside.set()
        release.wait(10)
        return party

    def first() -> None:
        try:
            results.append(("first", submit_once(key="k-slow-0001", form="test:f", create=create_slowly)))
        finally:
            connection.close()

    def second() -> None:
        try:
            first_inside.wait(10)
            made = []
            results.append(
                ("second", submit_once(key="k-slow-0001", form="test:f", create=lambda: made.append(1)))
            )
            assert made == []
        finally:
            connection.close()

    a, b = threading.Thread(target=first), threading.Thread(target=second)
    a.start()
    b.start()
    first_inside.wait(10)
    b.join(1.0)
    assert b.is_alive()  # waiting on the first's key
    release.set()
    a.join(20)
    b.join(20)
    got = dict(results)
    assert got["first"][1] is True and got["second"][1] is False
    assert got["first"][0].pk == got["second"][0].pk
    assert Party.objects.filter(first_name="ช้า").count() == 1
