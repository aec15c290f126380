"""The register REST API: scoping by organisation and role, masking, as_of, filters, paging, auth."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from gis_portal import roles
from parcels import services
from parcels.models import Parcel

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "organisations",
    "villages",
    "parcels",
    "buildings",
    "households",
    "parties",
    "parcel-rights",
    "building-rights",
]


def ids(response) -> set[int]:
    body = response.json()
    return {row["id"] for row in body.get("features", body.get("results", []))}


def test_anonymous_is_refused(client, register):
    for name in ENDPOINTS:
        assert client.get(f"/api/v1/{name}/").status_code in (401, 403), name


def test_token_auth_and_the_other_organisation_sees_nothing(
    client, register, other_register, make_user, pangmu, mokchampae, token_for
):
    mine = make_user("mine", pangmu, roles.GIS_EDITOR)
    theirs = make_user("theirs", mokchampae, roles.GIS_EDITOR)
    auth_mine = {"HTTP_AUTHORIZATION": f"Token {token_for(mine)}"}
    auth_theirs = {"HTTP_AUTHORIZATION": f"Token {token_for(theirs)}"}
    for name in ENDPOINTS:
        a = client.get(f"/api/v1/{name}/?limit=1000", **auth_mine)
        b = client.get(f"/api/v1/{name}/?limit=1000", **auth_theirs)
        assert a.status_code == b.status_code == 200, name
        assert ids(a) and ids(b), name
        assert not ids(a) & ids(b), name
        for pk in ids(b):
            assert client.get(f"/api/v1/{name}/{pk}/", **auth_mine).status_code == 404, name
    parcels = client.get("/api/v1/parcels/?limit=1000", **auth_mine).json()
    assert parcels["type"] == "FeatureCollection"
    assert {f["properties"]["organisation"] for f in parcels["features"]} == {pangmu.pk}
    assert client.get("/api/v1/parcels/", HTTP_AUTHORIZATION="Token wrong").status_code == 401


def test_role_scopes_tables(client, register, make_user, pangmu):
    client.force_login(make_user("v", pangmu, roles.VIEWER))
    assert ids(client.get("/api/v1/parcels/"))
    # A viewer's role has no view_party / view_parcelright: those tables are empty for them.
    assert client.get("/api/v1/parties/").json()["count"] == 0
    assert client.get("/api/v1/parcel-rights/").json()["count"] == 0
    assert client.get(f"/api/v1/parties/{register['person'].pk}/").status_code == 404


def test_parties_masked_unless_the_role_allows(client, register, make_user, pangmu):
    person = register["person"]
    client.force_login(make_user("surveyor", pangmu, roles.SURVEYOR, roles.SERVICE_OFFICER))
    full = client.get(f"/api/v1/parties/{person.pk}/").json()
    assert full["national_id"] == person.national_id and full["phone"] == "0812345678"
    assert full["personal_data_masked"] is False

    from django.contrib.auth.models import Group

    from parcels.models import Membership

    user = make_user("reader", pangmu, roles.VIEWER)
    group = Group.objects.get(name=roles.VIEWER)
    group.permissions.add(*Group.objects.get(name=roles.SURVEYOR).permissions.all())
    from django.contrib.auth.models import Permission

    group.permissions.add(Permission.objects.get(codename="view_party"))
    client.force_login(user)
    masked = client.get(f"/api/v1/parties/{person.pk}/").json()
    assert masked["national_id"] == person.masked_national_id != person.national_id
    assert masked["national_id"].endswith(person.national_id[-1])
    assert masked["phone"] == "XXXXXX5678" and masked["birth_date"] is None
    assert masked["personal_data_masked"] is True
    assert masked["display_name"] == "นายสมชาย ใจดี"
    assert Membership.objects.filter(user=user).count() == 1


def test_filters_bbox_ordering_and_paging(client, register, editor):
    client.force_login(editor)
    active = client.get("/api/v1/parcels/?status=active&ordering=-code").json()
    assert [f["properties"]["code"] for f in active["features"]] == ["02B001", "01A004", "01A003", "01A002"]
    assert client.get("/api/v1/parcels/?code__startswith=02").json()["count"] == 1
    farm = register["farm"].geom
    minx, miny, maxx, maxy = farm.extent
    boxed = client.get(f"/api/v1/parcels/?bbox={minx},{miny},{maxx},{maxy}").json()
    assert [f["properties"]["code"] for f in boxed["features"]] == ["02B001"]
    assert client.get("/api/v1/parcels/?bbox=1,2,x,4").status_code == 400
    assert client.get("/api/v1/parcels/?bbox=5,2,1,4").status_code == 400
    page = client.get("/api/v1/parcels/?limit=2&offset=0").json()
    assert page["count"] == 5 and len(page["features"]) == 2 and "offset=2" in page["next"]
    village = register["village"]
    households = client.get(f"/api/v1/households/?village={village.pk}").json()
    assert households["count"] == 1
    assert client.get("/api/v1/households/?village=abc").status_code == 400
    rights = client.get(f"/api/v1/parcel-rights/?parcel={register['home'].pk}").json()
    assert [r["party"] for r in rights["results"]] == [register["person"].pk]
    named = client.get("/api/v1/parties/?name=ปางหมู").json()
    assert [p["id"] for p in named["results"]] == [register["company"].pk]


def test_as_of_returns_the_register_as_it_was(client, register, editor):
    client.force_login(editor)
    home = register["home"]
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    today = timezone.localdate().isoformat()
    assert client.get(f"/api/v1/parcels/?as_of={yesterday}").json()["count"] == 0
    # Today: the pieces of the split exist and the split parcel is retired.
    now = client.get(f"/api/v1/parcels/?as_of={today}&status=retired").json()
    assert [f["properties"]["code"] for f in now["features"]] == ["01A001"]
    services.parcel_update(parcel=Parcel.objects.get(pk=home.pk), doc_number="X-1")
    past = Parcel.history.filter(id=home.pk).order_by("history_date").first()
    # Pretend the first version was recorded two days ago and the change today.
    Parcel.history.filter(history_id=past.history_id).update(
        history_date=timezone.now() - dt.timedelta(days=2)
    )
    old = client.get(f"/api/v1/parcels/{home.pk}/?as_of={yesterday}")
    assert old.status_code == 200
    assert old.json()["properties"]["doc_number"] == ""
    assert old.json()["properties"]["area_m2"] == pytest.approx(home.area_m2)
    assert client.get(f"/api/v1/parcels/{home.pk}/").json()["properties"]["doc_number"] == "X-1"
    assert client.get("/api/v1/parcels/?as_of=2026-13-01").status_code == 400
    assert client.get("/api/v1/parcels/?as_of=9999-12-31").status_code == 400


def test_list_query_count_does_not_grow_with_rows(client, register, editor, pangmu):
    client.force_login(editor)

    def count(url: str) -> int:
        # execute_wrapper, not CaptureQueriesContext: request_started resets the query log.
        seen: list[str] = []
        with connection.execute_wrapper(lambda execute, sql, *a: seen.append(sql) or execute(sql, *a)):
            assert client.get(url).status_code == 200
        assert seen
        return len(seen)

    before = {name: count(f"/api/v1/{name}/") for name in ENDPOINTS}
    before_as_of = count(f"/api/v1/parcels/?as_of={timezone.localdate().isoformat()}")
    grid = register["grid"]
    for i in range(5):
        services.parcel_create(organisation=pangmu, code=f"03C00{i}", geom=grid.rect(400 + 30 * i, 0, 20, 20))
    assert {name: count(f"/api/v1/{name}/") for name in ENDPOINTS} == before
    assert count(f"/api/v1/parcels/?as_of={timezone.localdate().isoformat()}") == before_as_of


def test_schema_and_local_docs(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/parcels/" in paths and "/api/v1/parties/{id}/" in paths
    docs = client.get("/api/v1/docs/")
    html = docs.content.decode()
    assert docs.status_code == 200 and "/api/v1/docs/assets/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn." not in html and "https://" not in html
    asset = client.get("/api/v1/docs/assets/swagger-ui-dist/swagger-ui-bundle.js")
    assert asset.status_code == 200


def test_browsable_api_renders_for_staff(client, register, editor):
    client.force_login(editor)
    page = client.get("/api/v1/parcels/?status=active", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and b"01A002" in page.content
