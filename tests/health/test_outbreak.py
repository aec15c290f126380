"""Outbreak follow-up: isolation dates checked, daily check-ins, the end; only the roles that need it see
cases, and every view is in the PDPA audit log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gis_portal.audit.models import AuditEntry
from gis_portal.errors import DomainError, ValidationProblems
from health import outbreak
from health.models import Disease, IsolationCheckin, OutbreakCase

from .conftest import add_households, add_person

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def patient(health_org, village):
    hh = add_households(health_org, village, 1)[0]
    return hh, add_person(health_org, hh, "นางเมย", date(1980, 5, 1))


def covid(org) -> Disease:
    return Disease.objects.get(organisation=org, code="covid19")


def test_a_case_isolates_for_the_diseases_days_and_checks_in_daily(patient, health_officer):
    hh, person = patient
    case = outbreak.case_report(
        household=hh,
        person=person,
        disease=covid(hh.organisation),
        role="case",
        isolation_start=TODAY - timedelta(days=1),
        user=health_officer,
    )
    assert case.isolation_end == TODAY + timedelta(days=3)  # 5 days, the first included
    outbreak.checkin_record(
        case=case, day=TODAY, feeling="same", temperature="37.8", symptoms=["cough"], user=health_officer
    )
    outbreak.checkin_record(
        case=case, day=TODAY, feeling="better", temperature="36,9", symptoms=[], by_resident=True
    )
    [checkin] = IsolationCheckin.objects.all()
    assert (checkin.feeling, str(checkin.temperature), checkin.by_resident) == ("better", "36.9", True)
    outbreak.case_end(case=case, ended_on=TODAY, reason="recovered")
    with pytest.raises(DomainError):
        outbreak.checkin_record(case=case, day=TODAY + timedelta(days=1), feeling="same")


def test_an_isolation_ending_before_it_starts_is_refused(patient, health_officer):
    hh, person = patient
    with pytest.raises(ValidationProblems) as exc:
        outbreak.case_report(
            household=hh,
            person=person,
            disease=covid(hh.organisation),
            role="contact",
            isolation_start=TODAY,
            isolation_end=TODAY - timedelta(days=2),
            user=health_officer,
        )
    assert exc.value.problems[0].code == "ends_before_start"
    assert "ก่อนวันเริ่ม" in exc.value.problems[0].message_th
    assert not OutbreakCase.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"day": TODAY - timedelta(days=9)},
        {"temperature": "98.6"},
        {"temperature": "hot"},
        {"symptoms": ["zombie"]},
        {"feeling": "fine"},
    ],
)
def test_bad_checkins_are_refused_and_nothing_is_stored(patient, health_officer, bad):
    hh, person = patient
    case = outbreak.case_report(
        household=hh, person=person, disease=covid(hh.organisation), role="case", isolation_start=TODAY
    )
    with pytest.raises(DomainError):
        outbreak.checkin_record(case=case, **({"day": TODAY, "feeling": "same"} | bad))
    assert not IsolationCheckin.objects.exists()


def test_end_before_start_and_a_person_of_another_house_are_refused(patient, health_org, village):
    hh, person = patient
    case = outbreak.case_report(
        household=hh, person=person, disease=covid(hh.organisation), role="case", isolation_start=TODAY
    )
    with pytest.raises(DomainError):
        outbreak.case_end(case=case, ended_on=TODAY - timedelta(days=1), reason="recovered")
    other = add_households(health_org, village, 1, start=40)[0]
    with pytest.raises(ValidationProblems):
        outbreak.case_report(
            household=other, person=person, disease=covid(hh.organisation), role="case", isolation_start=TODAY
        )


def test_only_health_officers_and_the_villages_volunteers_see_cases_and_every_view_is_audited(
    client, patient, health_officer, volunteer, leader, make_user, pangmu
):
    hh, person = patient
    case = outbreak.case_report(
        household=hh, person=person, disease=covid(hh.organisation), role="case", isolation_start=TODAY
    )
    for user in (health_officer, volunteer):
        client.force_login(user)
        assert person.first_name in client.get("/health/cases/").content.decode()
        assert client.get(f"/health/cases/{case.pk}/").status_code == 200
    entries = AuditEntry.objects.filter(record_kind="health_case")
    assert entries.count() == 4 and all(e.record_ids == [case.pk] for e in entries)
    assert {e.actor for e in entries} == {"hofficer", "osm1"}
    service_officer = make_user("so", pangmu, "service officer")
    for user in (leader, service_officer):  # the leader and the service officer do not need health data
        client.force_login(user)
        assert client.get("/health/cases/").status_code == 403
        assert client.get(f"/health/cases/{case.pk}/").status_code == 404
    assert AuditEntry.objects.filter(record_kind="health_case").count() == 4


def test_the_volunteer_reports_a_case_through_the_form(client, patient, volunteer):
    hh, person = patient
    client.force_login(volunteer)
    disease = covid(hh.organisation)
    form = {
        "house": hh.house_number,
        "household": hh.pk,
        "person": person.pk,
        "role": "case",
        "disease": disease.pk,
        "isolation_start": TODAY.isoformat(),
        "isolation_end": (TODAY - timedelta(days=1)).isoformat(),
    }
    resp = client.post("/health/cases/new/", form)
    assert resp.status_code == 400 and "วันสิ้นสุดการกักตัวอยู่ก่อนวันเริ่มกักตัว" in resp.content.decode()
    assert not OutbreakCase.objects.exists()
    resp = client.post("/health/cases/new/", form | {"isolation_end": ""})
    assert resp.status_code == 302 and OutbreakCase.objects.get().reported_by == volunteer


def test_the_household_checks_in_itself_behind_the_sticker(client, health_org, village):
    from tests.eservices.conftest import id_answer, make_home

    home = make_home(health_org, village, dx=0, number="12", id_prefix="3580")
    case = outbreak.case_report(
        household=home.household,
        person=home.child,
        disease=covid(health_org),
        role="contact",
        isolation_start=TODAY,
        isolation_end=TODAY + timedelta(days=4),
    )
    assert client.get(f"/h/{home.token}/health/").status_code == 302  # verify first
    client.post(f"/h/{home.token}/verify/", {"method": "id_year", **id_answer(home)})
    page = client.get(f"/h/{home.token}/health/")
    assert page.status_code == 200 and home.child.first_name in page.content.decode()
    resp = client.post(
        f"/h/{home.token}/health/", {"case": case.pk, "feeling": "better", "temperature": "36.6"}
    )
    assert resp.status_code == 302
    assert IsolationCheckin.objects.get().by_resident
    bad = client.post(f"/h/{home.token}/health/", {"case": case.pk, "feeling": "better", "temperature": "50"})
    assert bad.status_code == 400 and str(IsolationCheckin.objects.get().temperature) == "36.6"
    entry = AuditEntry.objects.filter(record_kind="health_case").first()
    assert entry.actor_kind == "resident" and entry.record_ids == [case.pk]
