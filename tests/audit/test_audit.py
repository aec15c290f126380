"""PDPA audit log: one entry per request that shows personal data, append-only, reported per organisation."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from gis_portal import roles
from gis_portal.audit.models import ActorKind, AuditEntry
from parcels.models import Party

pytestmark = pytest.mark.django_db


def _inserts(client, url: str, **extra) -> tuple[object, list[str]]:
    """The response and the SQL statements that wrote to the audit table."""
    seen: list[str] = []
    with connection.execute_wrapper(lambda execute, sql, *a: seen.append(sql) or execute(sql, *a)):
        response = client.get(url, **extra)
    return response, [sql for sql in seen if "audit_auditentry" in sql]


def test_viewing_a_party_through_the_api_writes_one_entry_with_its_id(client, register, make_user, pangmu):
    person = register["person"]
    user = make_user("editor", pangmu, roles.GIS_EDITOR)
    token = Token.objects.create(user=user).key
    response, writes = _inserts(
        client,
        f"/api/v1/parties/{person.pk}/",
        HTTP_AUTHORIZATION=f"Token {token}",
        HTTP_X_REQUEST_ID="req-123",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 200 and response.json()["national_id"] == person.national_id
    assert len(writes) == 1 and writes[0].lstrip().upper().startswith("INSERT")
    entry = AuditEntry.objects.get()
    assert entry.actor_kind == ActorKind.STAFF and entry.user_id == user.pk and entry.actor == "editor"
    assert entry.organisation_id == pangmu.pk
    assert (entry.action, entry.record_kind, entry.record_ids, entry.masked_ids) == (
        "view",
        "party",
        [person.pk],
        [],
    )
    assert entry.request_id == "req-123" == response["X-Request-ID"]
    assert entry.client_address == "10.1.2.3"
    assert entry.endpoint == f"GET /api/v1/parties/{person.pk}/"
    assert entry.purpose == "api parties retrieve"


def test_a_list_is_one_insert_listing_every_id_of_the_page(client, register, make_user, pangmu):
    client.force_login(make_user("tax", pangmu, roles.TAX_OFFICER))
    response, writes = _inserts(client, "/api/v1/parties/?ordering=id")
    shown = [row["id"] for row in response.json()["results"]]
    assert len(shown) == 2 and len(writes) == 1
    assert AuditEntry.objects.get().record_ids == sorted(shown)
    # Another page of the same list is another entry; an empty page writes nothing.
    client.get("/api/v1/parties/?limit=1&offset=1&ordering=id")
    assert AuditEntry.objects.order_by("id").last().record_ids == [shown[1]]
    response, writes = _inserts(client, "/api/v1/parties/?name=nobody-has-this-name")
    assert response.json()["count"] == 0 and writes == []
    assert AuditEntry.objects.count() == 2


def test_several_organisations_in_one_answer_are_one_insert_of_one_entry_each(
    client, register, other_register, django_user_model, pangmu, mokchampae
):
    client.force_login(django_user_model.objects.create_superuser("root", password="x-Pass-2569!"))
    response, writes = _inserts(client, "/api/v1/parties/?limit=1000")
    assert response.json()["count"] == 4 and len(writes) == 1
    by_org = {e.organisation_id: e.record_ids for e in AuditEntry.objects.all()}
    assert by_org == {
        pangmu.pk: sorted([register["person"].pk, register["company"].pk]),
        mokchampae.pk: sorted([other_register["person"].pk, other_register["company"].pk]),
    }


def test_a_masked_view_is_logged_as_masked_and_a_refusal_not_at_all(client, register, make_user, pangmu):
    person = register["person"]
    # A viewer sees no parties at all: nothing is shown, nothing logged.
    client.force_login(make_user("viewer", pangmu, roles.VIEWER))
    assert client.get(f"/api/v1/parties/{person.pk}/").status_code == 404
    assert client.get("/api/v1/parties/").json()["count"] == 0
    assert not AuditEntry.objects.exists()
    # Given view_party but no role that sees personal data: names shown, IDs masked, logged as masked.
    Group.objects.get(name=roles.VIEWER).permissions.add(Permission.objects.get(codename="view_party"))
    body = client.get(f"/api/v1/parties/{person.pk}/").json()
    assert body["personal_data_masked"] is True
    entry = AuditEntry.objects.get()
    assert entry.record_ids == entry.masked_ids == [person.pk]


def test_service_requests_through_the_api_are_logged(client, register, make_user, pangmu):
    from tests.api.extras import build_extras

    extras = build_extras(pangmu, register)
    client.force_login(make_user("officer", pangmu, roles.SERVICE_OFFICER))
    assert client.get("/api/v1/service-requests/").status_code == 200
    entry = AuditEntry.objects.get(record_kind="service_request")
    assert entry.record_ids == [extras["request"].pk] and entry.masked_ids == []
    # Tables without personal data are not logged.
    client.get("/api/v1/service-types/")
    client.get("/api/v1/orthomosaics/")
    assert AuditEntry.objects.count() == 1


def test_the_verified_resident_page_writes_one_entry(client, pangmu, village):
    from eservices.catalogue import seed_services
    from tests.eservices.conftest import id_answer, make_home

    seed_services(pangmu)
    home = make_home(pangmu, village, dx=0, number="12", id_prefix="3580")
    client.get(f"/h/{home.token}/")
    assert not AuditEntry.objects.exists()  # the public part shows no personal data
    verify = client.post(f"/h/{home.token}/verify/", {"method": "id_year", **id_answer(home)})
    assert verify.status_code == 302
    response, writes = _inserts(client, f"/h/{home.token}/", REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200 and home.head.first_name in response.content.decode()
    assert len(writes) == 1
    entry = AuditEntry.objects.get()
    assert entry.actor_kind == ActorKind.RESIDENT and entry.user_id is None
    assert entry.actor == f"household {home.household.pk}"
    assert entry.record_kind == "household" and entry.record_ids == [home.household.pk]
    assert sorted(entry.detail["member_party_ids"]) == sorted([home.head.pk, home.child.pk, home.elder.pk])
    assert len(entry.detail["session"]) == 16 and client.session.session_key not in str(entry.detail)
    assert entry.client_address == "192.0.2.7" and entry.purpose == "resident verified page"


def test_entries_cannot_be_changed_or_deleted(client, register, make_user, pangmu, django_user_model):
    client.force_login(make_user("editor", pangmu, roles.GIS_EDITOR))
    client.get(f"/api/v1/parties/{register['person'].pk}/")
    entry = AuditEntry.objects.get()
    for attempt in (
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(actor="someone else"),
        lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
        lambda: entry.delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET record_ids = '{}'")
    entry.refresh_from_db()
    assert entry.actor == "editor" and entry.record_ids == [register["person"].pk]
    # Deleting the user leaves the entry (no constraint, no cascade, the name kept).
    django_user_model.objects.filter(username="editor").delete()
    assert AuditEntry.objects.get(pk=entry.pk).actor == "editor"
    # Only a "view" permission exists, so no role can be given add/change/delete.
    assert set(
        Permission.objects.filter(content_type__app_label="audit").values_list("codename", flat=True)
    ) == {"view_auditentry"}


def test_admin_list_is_read_only_and_for_superusers_only(
    client, register, make_user, pangmu, django_user_model
):
    client.force_login(make_user("editor", pangmu, roles.GIS_EDITOR))
    client.get(f"/api/v1/parties/{register['person'].pk}/")
    entry = AuditEntry.objects.get()
    assert client.get("/admin/audit/auditentry/").status_code == 403
    client.force_login(django_user_model.objects.create_superuser("root", password="x-Pass-2569!"))
    page = client.get("/admin/audit/auditentry/?record_kind=party&actor_kind=staff")
    assert page.status_code == 200 and "editor" in page.content.decode()
    assert client.get(f"/admin/audit/auditentry/?user__id__exact={entry.user_id}").status_code == 200
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    detail = client.get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert detail.status_code == 200 and 'name="actor"' not in detail.content.decode()  # no form fields
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_admin_party_pages_and_the_map_panel_are_logged(client, register, make_user, pangmu):
    person = register["person"]
    client.force_login(make_user("editor", pangmu, roles.GIS_EDITOR))
    assert client.get(f"/admin/parcels/party/{person.pk}/change/").status_code == 200
    entry = AuditEntry.objects.get()
    assert entry.record_ids == [person.pk] and entry.purpose == "admin party page"
    assert client.get("/admin/parcels/party/").status_code == 200
    listing = AuditEntry.objects.order_by("id").last()
    assert listing.purpose == "admin party list" and listing.masked_ids == []
    assert listing.record_ids == sorted([person.pk, register["company"].pk])
    panel = client.get(f"/map/api/panel/parcels/{register['home'].pk}/").json()
    assert [o["party"] for o in panel["owners"]] == [person.pk]
    seen = AuditEntry.objects.order_by("id").last()
    assert seen.purpose == f"staff map parcels panel {register['home'].pk}"
    assert seen.record_ids == seen.masked_ids == [person.pk]  # names shown, national IDs masked there
    # A panel without owners (a village) writes nothing.
    client.get(f"/map/api/panel/villages/{register['village'].pk}/")
    assert AuditEntry.objects.count() == 3


def test_exports_with_personal_data_are_logged(client, register, make_user, pangmu, tmp_path):
    client.force_login(make_user("tax", pangmu, roles.TAX_OFFICER))
    response = client.get("/register/export/pangmu.gpkg?personal=1")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.record_kind) == ("export", "party")
    assert entry.record_ids == sorted([register["person"].pk, register["company"].pk])
    assert entry.masked_ids == [] and entry.detail["personal_data"] is True
    call_command("export_register", str(tmp_path / "r.gpkg"), org="pangmu", with_personal_data=True)
    call_command("export_parties", str(tmp_path / "p.csv"), org="pangmu")
    by_command = list(AuditEntry.objects.filter(actor_kind=ActorKind.COMMAND).order_by("id"))
    assert [e.purpose for e in by_command] == ["manage.py export_register", "manage.py export_parties"]
    assert by_command[0].masked_ids == [] and by_command[1].masked_ids == by_command[1].record_ids
    assert by_command[0].detail["file"].endswith("r.gpkg") and by_command[0].user_id is None


def test_audit_report_names_who_saw_and_changed_which_records(
    client, register, other_register, make_user, pangmu
):
    person = register["person"]
    client.force_login(make_user("editor", pangmu, roles.GIS_EDITOR))
    client.get(f"/api/v1/parties/{person.pk}/", REMOTE_ADDR="10.9.8.7")
    client.get(f"/api/v1/parties/{other_register['person'].pk}/")  # another organisation: 404, nothing
    assert Party.history.filter(id=person.pk).count() == 2  # created, then made household head
    today = timezone.localdate().isoformat()

    out = StringIO()
    call_command("audit_report", org="pangmu", since=today, record=person.pk, stdout=out)
    text = out.getvalue()
    assert "editor (staff)  view party" in text and f"[{person.pk}]" in text and "from 10.9.8.7" in text
    assert text.count("change party") == 2  # from the party's history, not duplicated in the log
    assert "created" in text and "changed" in text
    assert f"[{other_register['person'].pk}]" not in text and text.endswith("3 entries\n")
    out = StringIO()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    call_command("audit_report", org="pangmu", since=tomorrow, stdout=out)
    assert out.getvalue().strip() == "0 entries"
    out = StringIO()
    call_command("audit_report", org="pangmu", since=today, kind="party", csv=True, stdout=out)
    assert out.getvalue().splitlines()[0].startswith("when,actor_kind,actor,action,kind,ids")


def test_owner_name_search_party_history_and_request_page_are_logged(client, register, make_user, pangmu):
    from tests.api.extras import build_extras

    person = register["person"]
    client.force_login(make_user("editor", pangmu, roles.GIS_EDITOR))
    # A search by a person's name tells whose land a parcel is: logged with the parcels found.
    found = client.get("/map/api/search/", {"q": person.last_name}).json()["results"]
    owned = [r["id"] for r in found if r["match"] == "owner"]
    assert owned
    entry = AuditEntry.objects.get()
    assert entry.record_kind == "parcel_by_owner" and entry.record_ids == sorted(owned)
    assert entry.purpose == "map search by owner name"
    client.get("/map/api/search/", {"q": "01A"})  # by parcel code: nothing personal, nothing logged
    assert AuditEntry.objects.count() == 1
    # The admin's history page of a person.
    assert client.get(f"/admin/parcels/party/{person.pk}/history/").status_code == 200
    history = AuditEntry.objects.order_by("id").last()
    assert history.purpose == "admin party history" and history.record_ids == [person.pk]
    # The service officer's page of one request (contact phone, the household's members).
    extras = build_extras(pangmu, register)
    client.force_login(make_user("officer", pangmu, roles.SERVICE_OFFICER))
    assert client.get(f"/services/requests/{extras['request'].pk}/").status_code == 200
    page = AuditEntry.objects.order_by("id").last()
    assert page.record_kind == "service_request" and page.record_ids == [extras["request"].pk]
    assert page.purpose == "service request page" and "member_party_ids" in page.detail
