"""Leaders and volunteers: their villages only, consent recorded from a member, revoked, acts logged."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from community import selectors, services
from community.models import HouseholdConsent, ProxyAct
from gis_portal.errors import DomainError, PermissionDeniedError
from parcels import services as register
from tests.conftest import utm_rect
from tests.health.conftest import add_households, add_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(pangmu, village):
    hh = add_households(pangmu, village, 1)[0]
    return hh, add_person(pangmu, hh, "ยายแสง", date(1950, 1, 1), is_household_head=True)


def test_consent_is_recorded_from_a_member_and_acts_are_logged(home, leader):
    hh, head = home
    assert selectors.active_consent(leader, hh) is None
    with pytest.raises(PermissionDeniedError):
        services.require_consent(leader, hh)
    consent = services.consent_record(
        household=hh, helper=leader, given_by=head, evidence="ย.1/2569", recorded_by=leader
    )
    assert services.require_consent(leader, hh) == consent
    services.act_log(user=leader, household=hh, consent=consent, action="request", target="R000001")
    assert [a.target for a in selectors.household_acts(hh)] == ["R000001"]
    services.consent_revoke(consent=consent)
    assert selectors.active_consent(leader, hh) is None


def test_consent_needs_evidence_a_member_and_a_helper_of_the_village(
    home, leader, make_user, pangmu, volunteer
):
    hh, head = home
    with pytest.raises(DomainError):
        services.consent_record(household=hh, helper=leader, given_by=head, evidence="  ", recorded_by=leader)
    stranger_home = add_households(pangmu, hh.village, 1, start=50)[0]
    stranger = add_person(pangmu, stranger_home, "คนอื่น", date(1980, 1, 1))
    with pytest.raises(DomainError):
        services.consent_record(
            household=hh, helper=leader, given_by=stranger, evidence="x", recorded_by=leader
        )
    outsider = make_user("outsider", None, staff=False)
    with pytest.raises(PermissionDeniedError):
        services.consent_record(
            household=hh, helper=outsider, given_by=head, evidence="x", recorded_by=outsider
        )
    with pytest.raises(DomainError):
        services.consent_record(
            household=hh,
            helper=leader,
            given_by=head,
            evidence="x",
            recorded_by=leader,
            expires_on=date.today() - timedelta(days=1),
        )
    assert not HouseholdConsent.objects.exists() and not ProxyAct.objects.exists()


def test_a_helper_moved_out_of_the_village_loses_the_consent(home, leader):
    hh, head = home
    services.consent_record(household=hh, helper=leader, given_by=head, evidence="x", recorded_by=leader)
    leader.village_roles.update(active=False)
    assert selectors.active_consent(leader, hh) is None


def test_pages_show_only_the_helpers_villages(client, home, leader, pangmu):
    hh, head = home
    other = register.village_create(
        organisation=pangmu, number=2, name_th="บ้านสอง", boundary=utm_rect(3000, -2000, 2000, 2000)
    )
    client.force_login(leader)
    assert f"/community/v/{hh.village_id}/requests/" in client.get("/community/").content.decode()
    assert client.get(f"/community/v/{other.pk}/requests/").status_code == 404
    assert client.get(f"/community/v/{hh.village_id}/households/").status_code == 200
    resp = client.post(f"/community/h/{hh.pk}/", {"given_by": head.pk, "evidence": ""})
    assert resp.status_code == 400 and not HouseholdConsent.objects.exists()
    resp = client.post(f"/community/h/{hh.pk}/", {"given_by": head.pk, "evidence": "ย.1/2569"})
    assert resp.status_code == 302 and HouseholdConsent.objects.filter(household=hh, helper=leader).exists()


def test_a_request_filed_for_a_household_needs_its_consent_and_is_logged(client, home, leader, pangmu):
    from eservices.catalogue import seed_services
    from eservices.models import ServiceRequest

    seed_services(pangmu)
    hh, head = home
    client.force_login(leader)
    assert client.get(f"/community/h/{hh.pk}/s/").status_code == 403
    services.consent_record(
        household=hh, helper=leader, given_by=head, evidence="ย.2/2569", recorded_by=leader
    )
    assert "water_connection" in client.get(f"/community/h/{hh.pk}/s/").content.decode()
    bad = client.post(f"/community/h/{hh.pk}/s/water_connection/", {"nonce": "n-1", "phone": ""})
    assert bad.status_code == 400 and not ServiceRequest.objects.exists() and not ProxyAct.objects.exists()
    ok = client.post(f"/community/h/{hh.pk}/s/water_connection/", {"nonce": "n-2", "phone": "0812345678"})
    assert ok.status_code == 302
    req = ServiceRequest.objects.get()
    assert ProxyAct.objects.get().target == req.reference
    client.post(
        f"/community/h/{hh.pk}/s/water_connection/", {"nonce": "n-2", "phone": "0812345678"}
    )  # replay
    assert ServiceRequest.objects.count() == 1 and ProxyAct.objects.count() == 1
