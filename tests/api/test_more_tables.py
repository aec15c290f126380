"""Imagery, tax and e-service endpoints: scoping by organisation and role, fields, masking, query counts."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.utils import timezone

from gis_portal import roles
from taxes.models import Assessment

from .extras import SECRET_DIR
from .test_api import ids

pytestmark = pytest.mark.django_db

NEW_ENDPOINTS = [
    "surveys",
    "orthomosaics",
    "tax-years",
    "assessments",
    "installments",
    "payments",
    "service-types",
    "service-requests",
]
ALL_ROLES = (roles.GIS_EDITOR, roles.TAX_OFFICER, roles.SERVICE_OFFICER)


def _auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def test_anonymous_is_refused(client, extras):
    for name in NEW_ENDPOINTS:
        assert client.get(f"/api/v1/{name}/").status_code == 401, name


def test_each_endpoint_shows_only_the_callers_organisation(
    client, extras, other_extras, make_user, pangmu, mokchampae, token_for
):
    mine = _auth(token_for(make_user("mine", pangmu, *ALL_ROLES)))
    theirs = _auth(token_for(make_user("theirs", mokchampae, *ALL_ROLES)))
    for name in NEW_ENDPOINTS:
        a = client.get(f"/api/v1/{name}/?limit=1000", **mine)
        b = client.get(f"/api/v1/{name}/?limit=1000", **theirs)
        assert a.status_code == b.status_code == 200, name
        assert ids(a) and ids(b), name
        assert not ids(a) & ids(b), name
        for pk in ids(b):
            other = client.get(f"/api/v1/{name}/{pk}/", **mine)
            assert other.status_code == 404, name
            assert other.json()["code"] == "not_found"
        for pk in ids(a):
            assert client.get(f"/api/v1/{name}/{pk}/", **mine).status_code == 200, name
    orgs = {
        row["organisation"]
        for name in ("tax-years", "assessments", "payments", "service-types", "surveys")
        for row in client.get(f"/api/v1/{name}/?limit=1000", **mine).json()["results"]
    }
    assert orgs == {pangmu.pk}
    features = client.get("/api/v1/orthomosaics/", **mine).json()["features"]
    assert {f["properties"]["organisation"] for f in features} == {pangmu.pk}


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        (
            roles.VIEWER,
            {"orthomosaics", "tax-years", "assessments", "installments", "payments", "service-types"},
        ),
        (roles.SURVEYOR, {"surveys", "orthomosaics"}),
        (roles.GIS_EDITOR, {"surveys", "orthomosaics"}),
        (roles.SERVICE_OFFICER, {"orthomosaics", "service-types", "service-requests"}),
        (roles.TAX_OFFICER, {"orthomosaics", "tax-years", "assessments", "installments", "payments"}),
    ],
)
def test_roles_see_only_their_tables(client, extras, make_user, pangmu, role, visible):
    client.force_login(make_user("someone", pangmu, role))
    seen = {name for name in NEW_ENDPOINTS if client.get(f"/api/v1/{name}/").json()["count"] > 0}
    assert seen == visible
    if "assessments" not in visible:
        assert client.get(f"/api/v1/assessments/{extras['assessment'].pk}/").status_code == 404


def test_orthomosaics_footprint_state_and_tile_template_without_server_paths(
    client, extras, make_user, pangmu
):
    client.force_login(make_user("surveyor", pangmu, roles.SURVEYOR))
    response = client.get("/api/v1/orthomosaics/")
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["count"] == 2
    text = response.content.decode()
    assert SECRET_DIR not in text and "worker-host-1" not in text and "PROJCS" not in text
    assert "cog_path" not in text and "source_path" not in text
    by_id = {f["id"]: f for f in body["features"]}
    ready, failed = by_id[extras["ready"].pk], by_id[extras["failed"].pk]
    assert ready["geometry"]["type"] == "MultiPolygon"
    assert (
        ready["properties"]["tile_url_template"] == f"/tiles/ortho/{extras['ready'].pk}/{{z}}/{{x}}/{{y}}.jpg"
    )
    assert ready["properties"]["crs"] == "EPSG:32647"
    assert ready["properties"]["ground_resolution_m"] == pytest.approx(0.05)
    assert ready["properties"]["captured_on"] == "2026-01-10" and ready["properties"]["status"] == "ready"
    assert len(ready["properties"]["bounds"]) == 4
    assert failed["geometry"] is None and failed["properties"]["tile_url_template"] is None
    assert failed["properties"]["status"] == "failed"
    assert failed["properties"]["error_th"] == "ไฟล์ไม่มีระบบพิกัด"
    assert failed["properties"]["error_message"] == "ไฟล์ไม่มีระบบพิกัด / The file has no coordinate system"
    # bbox on the footprint, attribute filters, ordering
    minx, miny, maxx, maxy = extras["ready"].footprint.extent
    boxed = client.get(f"/api/v1/orthomosaics/?bbox={minx},{miny},{maxx},{maxy}").json()
    assert [f["id"] for f in boxed["features"]] == [extras["ready"].pk]
    assert client.get("/api/v1/orthomosaics/?status=failed").json()["count"] == 1
    assert client.get("/api/v1/orthomosaics/?status=nonsense").status_code == 400
    oldest = client.get("/api/v1/orthomosaics/?ordering=captured_on").json()["features"]
    assert [f["id"] for f in oldest] == [extras["ready"].pk, extras["failed"].pk]
    survey = client.get(f"/api/v1/surveys/{extras['survey'].pk}/").json()
    assert survey["drone"] == "DJI Mavic 3E" and survey["flown_on"] == "2026-01-10"


def test_taxes_money_as_decimal_strings_with_installments_and_filters(client, extras, make_user, pangmu):
    client.force_login(make_user("tax", pangmu, roles.TAX_OFFICER))
    a = Assessment.objects.get(pk=extras["assessment"].pk)
    one = client.get(f"/api/v1/assessments/{a.pk}/").json()
    assert one["total"] == str(a.total) and isinstance(one["total"], str)
    assert Decimal(one["paid"]) == Decimal("100.00") and one["paid"] == "100.00"
    assert Decimal(one["outstanding"]) == a.total - Decimal("100.00")
    # Paid in part; overdue once an installment's due date has passed (the same rule as the tax pages).
    expected = (
        "overdue" if any(i.due_date < timezone.localdate() for i in a.installments.all()) else "partly_paid"
    )
    assert one["pay_status"] == expected and one["status"] == "issued"
    assert one["notice_number"] == a.notice_number and one["party"] == a.party_id
    assert sum(Decimal(i["amount"]) for i in one["installments"]) == a.total
    assert "detail" in one
    listed = client.get(f"/api/v1/assessments/?year=2026&pay_status={expected}").json()
    assert a.pk in {row["id"] for row in listed["results"]}
    assert {row["pay_status"] for row in listed["results"]} == {expected}
    assert "detail" not in listed["results"][0]
    assert client.get("/api/v1/assessments/?year=2025").json()["count"] == 0
    assert client.get(f"/api/v1/assessments/?parcel={a.parcel_ids[0]}").json()["count"] >= 1
    assert client.get("/api/v1/assessments/?pay_status=nope").status_code == 400
    payments = client.get(f"/api/v1/payments/?assessment={a.pk}").json()["results"]
    assert [(p["amount"], p["tax_part"], p["receipt_number"]) for p in payments] == [
        ("100.00", "100.00", extras["payment"].receipt_number)
    ]
    installments = client.get(f"/api/v1/installments/?assessment={a.pk}&ordering=number").json()["results"]
    assert [i["number"] for i in installments] == [i["number"] for i in one["installments"]]
    year = client.get("/api/v1/tax-years/?year=2026").json()["results"]
    assert [(y["year"], y["year_be"], y["status"]) for y in year] == [(2026, 2569, "open")]
    assert isinstance(year[0]["rules"], dict)


def test_service_requests_contact_data_masked_unless_the_role_allows(client, extras, make_user, pangmu):
    req = extras["request"]
    client.force_login(make_user("officer", pangmu, roles.SERVICE_OFFICER))
    full = client.get(f"/api/v1/service-requests/{req.pk}/").json()
    assert full["type"] == "Feature" and full["geometry"]["type"] == "Point"
    props = full["properties"]
    assert props["contact_phone"] == "0891234567" and props["data"]["phone"] == "0891234567"
    assert props["gps"] is not None and props["personal_data_masked"] is False
    assert props["reference"] == req.reference and props["service_code"] == "water_connection"
    assert client.get("/api/v1/service-requests/?service_code=water_connection").json()["count"] == 1
    assert client.get("/api/v1/service-requests/?is_open=false").json()["count"] == 0

    # A role that may list requests but not see personal data (a custom grant to the viewer role).
    Group.objects.get(name=roles.VIEWER).permissions.add(
        Permission.objects.get(codename="view_servicerequest")
    )
    client.force_login(make_user("reader", pangmu, roles.VIEWER))
    masked = client.get(f"/api/v1/service-requests/{req.pk}/").json()["properties"]
    assert masked["contact_phone"] == "XXXXXX4567" and masked["data"] is None and masked["gps"] is None
    assert masked["personal_data_masked"] is True
    assert "0891234567" not in json.dumps(client.get("/api/v1/service-requests/").json())


def test_list_query_count_does_not_grow_with_rows(client, extras, register, make_user, pangmu):
    client.force_login(make_user("all", pangmu, *ALL_ROLES, roles.SURVEYOR))

    def count(url: str) -> int:
        seen: list[str] = []
        with connection.execute_wrapper(lambda execute, sql, *a: seen.append(sql) or execute(sql, *a)):
            assert client.get(url).status_code == 200
        return len(seen)

    before = {name: count(f"/api/v1/{name}/") for name in NEW_ENDPOINTS}
    more = build_more(pangmu, register, extras)
    assert more
    after = {name: count(f"/api/v1/{name}/") for name in NEW_ENDPOINTS}
    assert after == before
    for name in NEW_ENDPOINTS:
        assert client.get(f"/api/v1/{name}/").json()["count"] >= 2, name


def build_more(pangmu, register, extras) -> list:
    """A second row in every new table (the tax rows of a second year)."""
    import secrets

    from drone_ingest.models import Orthomosaic, Survey
    from eservices import services as eservices
    from taxes import services as taxes

    survey = Survey.objects.create(organisation=pangmu, flown_on=extras["survey"].flown_on)
    ortho = Orthomosaic.objects.create(
        organisation=pangmu, survey=survey, captured_on=extras["survey"].flown_on, source_name="x.tif",
        file_size=1, sha256="c" * 64,
    )  # fmt: skip
    taxes.tax_year_copy(organisation=pangmu, to_year=2027, from_year=2026)
    taxes.assess_year(organisation=pangmu, year=2027)
    ty = extras["tax_year"].__class__.objects.get(organisation=pangmu, year=2027)
    taxes.assessments_issue(tax_year=ty)
    second = Assessment.objects.filter(tax_year=ty, total__gt=0).first()
    pay = taxes.payment_record(assessment=second, amount=Decimal("1.00"), paid_on=timezone.localdate())
    st = extras["service_type"].__class__.objects.create(
        organisation=pangmu, code="extra", name_th="อื่น", name_en="x"
    )
    req, _ = eservices.service_request_submit(
        household=register["household"],
        service_type=st,
        nonce=secrets.token_hex(16),
        contact_phone="0800000000",
    )
    return [survey, ortho, ty, pay, st, req]


def test_schema_lists_the_new_endpoints(client):
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]
    for name in NEW_ENDPOINTS:
        assert f"/api/v1/{name}/" in paths and f"/api/v1/{name}/{{id}}/" in paths, name


def test_date_time_filter_with_an_offset_postgresql_refuses_is_not_a_server_error(
    client, extras, token_for, make_user, pangmu
):
    """Found by schemathesis: ``+19:58`` is a valid offset for Python but not for PostgreSQL."""
    from gis_portal import roles

    auth = {"HTTP_AUTHORIZATION": f"Token {token_for(make_user('so', pangmu, roles.SERVICE_OFFICER))}"}
    for value in ("0079-08-21T03:28:55+19:58", "2026-01-01T00:00:00-23:59", "0001-01-01T00:00:00+01:00"):
        response = client.get("/api/v1/service-requests/", {"created_at__lte": value}, **auth)
        assert response.status_code in (200, 400), (value, response.status_code)
    since = client.get("/api/v1/service-requests/", {"created_at__gte": "2026-01-01T07:00:00+07:00"}, **auth)
    assert since.status_code == 200 and since.json()["features"]
