"""Smart Kids: eligibility from the register's birth dates, seats, waiting list; bad input refused."""

from __future__ import annotations

from datetime import date

import pytest

from community.models import ProxyAct
from community.services import consent_record
from gis_portal.errors import ConflictError, DomainError
from kids import services
from kids.models import ChildCentre, Enrolment
from tests.eservices.conftest import id_answer
from tests.health.conftest import add_person

pytestmark = pytest.mark.django_db
YEAR = 2027  # the school year starting 16 May 2027 (B.E. 2570)


@pytest.fixture
def centre(seeded):
    return ChildCentre.objects.create(organisation=seeded, name_th="ศพด.บ้านปางหมู", capacity=1)


def test_age_in_months_counts_whole_months():
    assert services.age_in_months(date(2024, 5, 16), date(2027, 5, 16)) == 36
    assert services.age_in_months(date(2024, 5, 17), date(2027, 5, 16)) == 35
    assert services.age_in_months(date(2025, 2, 28), date(2027, 5, 16)) == 26


def test_eligible_children_apply_and_the_seats_fill(centre, home):
    born_ok = date(YEAR - 3, 1, 10)  # 3 y 4 m on 16 May
    a = add_person(centre.organisation, home.household, "น้องฟ้า", born_ok)
    b = add_person(centre.organisation, home.household, "น้องดิน", born_ok)
    first = services.enrol(
        centre=centre, child=a, household=home.household, school_year=YEAR, by_resident=True
    )
    assert (first.status, first.age_months) == ("applied", 40)
    services.enrolment_set_status(enrolment=first, status="accepted")
    second = services.enrol(centre=centre, child=b, household=home.household, school_year=YEAR)
    assert second.status == "waitlisted"  # one seat, taken
    with pytest.raises(ConflictError):
        services.enrolment_set_status(enrolment=second, status="accepted")
    with pytest.raises(ConflictError):
        services.enrol(centre=centre, child=a, household=home.household, school_year=YEAR)


@pytest.mark.parametrize("born", [date(YEAR - 1, 1, 1), date(YEAR - 6, 1, 1), date(YEAR - 2, 5, 17)])
def test_a_child_outside_the_age_range_is_refused(centre, home, born):
    kid = add_person(centre.organisation, home.household, "น้องนอกเกณฑ์", born)
    with pytest.raises(DomainError) as exc:
        services.enrol(centre=centre, child=kid, household=home.household, school_year=YEAR)
    assert (
        exc.value.code == "age_out_of_range" and "ศูนย์รับอายุ 2 ปี 0 เดือน ถึง 4 ปี 11 เดือน" in exc.value.message_th
    )
    assert not Enrolment.objects.exists()


def test_a_child_of_another_household_or_without_birth_date_is_refused(centre, home, other_home):
    with pytest.raises(DomainError):
        services.enrol(centre=centre, child=other_home.child, household=home.household, school_year=YEAR)
    nobody = add_person(centre.organisation, home.household, "ไม่มีวันเกิด", None)
    with pytest.raises(DomainError):
        services.enrol(centre=centre, child=nobody, household=home.household, school_year=YEAR)
    assert not Enrolment.objects.exists()


def test_the_household_applies_behind_its_sticker(client, centre, home):
    kid = add_person(centre.organisation, home.household, "น้องฟ้า", date(YEAR - 3, 1, 10))
    assert client.get(f"/h/{home.token}/kids/").status_code == 302
    client.post(f"/h/{home.token}/verify/", {"method": "id_year", **id_answer(home)})
    page = client.get(f"/h/{home.token}/kids/?year={YEAR}").content.decode()
    assert "น้องฟ้า" in page
    resp = client.post(f"/h/{home.token}/kids/", {"centre": centre.pk, "child": kid.pk, "year": YEAR + 543})
    assert resp.status_code == 302 and Enrolment.objects.get().by_resident
    bad = client.post(f"/h/{home.token}/kids/", {"centre": centre.pk, "child": home.elder.pk, "year": YEAR})
    assert bad.status_code == 400 and Enrolment.objects.count() == 1


def test_a_leader_applies_for_a_household_only_with_its_consent_and_the_act_is_logged(
    client, centre, home, leader
):
    kid = add_person(centre.organisation, home.household, "น้องฟ้า", date(YEAR - 3, 1, 10))
    client.force_login(leader)
    assert client.get(f"/kids/for/{home.household.pk}/").status_code == 403
    consent_record(
        household=home.household, helper=leader, given_by=home.head, evidence="ย.7/2569", recorded_by=leader
    )
    resp = client.post(
        f"/kids/for/{home.household.pk}/", {"centre": centre.pk, "child": kid.pk, "year": YEAR}
    )
    assert resp.status_code == 302
    enrolment = Enrolment.objects.get()
    assert enrolment.applied_by_user == leader
    assert ProxyAct.objects.get().target == f"E{enrolment.pk}"


def test_staff_see_their_centres_only(client, centre, home, officer, make_user, mokchampae):
    client.force_login(officer)
    assert centre.name_th in client.get(f"/kids/?year={YEAR}").content.decode()
    assert client.get(f"/kids/c/{centre.pk}/?year={YEAR}").status_code == 200
    client.force_login(make_user("other", mokchampae, "service officer"))
    assert centre.name_th not in client.get("/kids/").content.decode()
    assert client.get(f"/kids/c/{centre.pk}/").status_code == 404
