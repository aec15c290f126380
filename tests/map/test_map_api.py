"""The staff map's page and JSON edit endpoints: thin views over the register's services."""

from __future__ import annotations

import json

import pytest
from django.contrib.gis.geos import GEOSGeometry

from parcels import services
from parcels.models import Building, Household, Parcel
from tests.conftest import utm_line, utm_point, utm_polygon, utm_rect

pytestmark = pytest.mark.django_db


def gj(geom) -> dict:
    return json.loads(geom.geojson)


def post(client, url: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def editor(client, make_user, village):
    user = make_user("editor", village.organisation, "GIS editor")
    client.force_login(user)
    return user


@pytest.fixture
def pair(village):
    """Two parcels sharing the edge x = 40."""
    a = services.parcel_create(organisation=village.organisation, code="01A001", geom=utm_rect(0, 0, 40, 30))
    b = services.parcel_create(organisation=village.organisation, code="01A002", geom=utm_rect(40, 0, 40, 30))
    return a, b


def test_page_needs_login_and_tells_who_may_edit(client, make_user, village):
    assert client.get("/map/").status_code == 302
    client.force_login(make_user("viewer", village.organisation, "viewer"))
    page = client.get("/map/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="map-config"' in text and "map/map.js" in text and "vendor/ol/ol.js" in text
    assert "<script>" not in text  # no inline script (CSP)
    config = page.context["map_config"]
    assert [o["can_edit"] for o in config["organisations"]] == [False]
    assert config["imagery"] == [] or all("tile_url_template" in i for i in config["imagery"])


def test_create_parcel_and_refused_overlap_writes_nothing(client, editor, village, pair):
    body = {
        "organisation": village.organisation_id,
        "code": "01A003",
        "geometry": gj(utm_rect(80, 0, 30, 30)),
    }
    response = post(client, "/map/api/parcels/create/", body)
    assert response.status_code == 200, response.content
    assert response.json()["code"] == "01A003"
    assert Parcel.objects.get(code="01A003").history.get().history_user == editor
    body = {
        "organisation": village.organisation_id,
        "code": "01A004",
        "geometry": gj(utm_rect(20, 10, 30, 30)),
    }
    response = post(client, "/map/api/parcels/create/", body)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid_input" or error["code"] == "overlap"
    assert "ทับซ้อน" in json.dumps(error, ensure_ascii=False) and "overlaps" in json.dumps(error)
    assert not Parcel.objects.filter(code="01A004").exists()


def test_reshape_moves_a_shared_boundary_all_or_nothing(client, editor, pair):
    a, b = pair
    # The shared edge moves from x = 40 to x = 50: a grows, b shrinks, in one request.
    new_a = utm_rect(0, 0, 50, 30)
    new_b = utm_rect(50, 0, 30, 30)
    stale = {
        "features": [
            {"id": a.pk, "version": 1, "geometry": gj(new_a)},
            {"id": b.pk, "version": 7, "geometry": gj(new_b)},
        ]
    }
    response = post(client, "/map/api/parcels/reshape/", stale)
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version" and response.json()["message_th"]
    a.refresh_from_db()
    assert a.version == 1 and abs(a.area_m2 - 1200) < 5  # the first parcel was not saved either
    # a alone would overlap b's stored shape: saving one side of a shared boundary is refused.
    response = post(
        client, "/map/api/parcels/reshape/", {"features": [{"id": a.pk, "version": 1, "geometry": gj(new_a)}]}
    )
    assert response.status_code == 400 and "overlap" in response.json()["message_en"]
    good = {
        "features": [
            {"id": a.pk, "version": 1, "geometry": gj(new_a)},
            {"id": b.pk, "version": 1, "geometry": gj(new_b)},
        ]
    }
    response = post(client, "/map/api/parcels/reshape/", good)
    assert response.status_code == 200, response.content
    assert [p["version"] for p in response.json()["saved"]] == [2, 2]
    a.refresh_from_db()
    b.refresh_from_db()
    assert abs(a.area_m2 - 1500) < 5 and abs(b.area_m2 - 900) < 5
    # The second editor, still on version 1, is told, not silently overwritten.
    response = post(
        client,
        "/map/api/parcels/reshape/",
        {"features": [{"id": b.pk, "version": 1, "geometry": gj(utm_rect(50, 0, 25, 30))}]},
    )
    assert response.status_code == 409


def test_undo_restores_the_previous_version_as_a_new_history_row(client, editor, pair):
    a, b = pair
    post(
        client,
        "/map/api/parcels/reshape/",
        {"features": [{"id": a.pk, "version": 1, "geometry": gj(utm_rect(0, 0, 35, 30))}]},
    )
    a.refresh_from_db()
    assert a.version == 2 and abs(a.area_m2 - 1050) < 5
    rows_before = a.history.count()
    # First what undo will do (nothing written), then exactly that, confirmed with its token.
    plan = client.get(f"/map/api/parcels/{a.pk}/undo/").json()
    assert plan["kind"] == "edit" and plan["to_version"] == 1 and a.history.count() == rows_before
    assert [c["field"] for c in plan["changes"]] == ["geometry"]
    assert abs(float(plan["changes"][0]["now"].split()[0]) - 1050) < 5
    assert post(client, f"/map/api/parcels/{a.pk}/undo/", {"version": 2}).status_code == 409  # no token
    response = post(client, f"/map/api/parcels/{a.pk}/undo/", {"version": 2, "token": plan["token"]})
    assert response.status_code == 200, response.content
    a.refresh_from_db()
    assert a.version == 3 and abs(a.area_m2 - 1200) < 5
    assert a.history.count() == rows_before + 1
    assert a.history.first().history_change_reason.startswith("undo")
    again = post(client, f"/map/api/parcels/{a.pk}/undo/", {"version": 2, "token": plan["token"]})
    assert again.status_code == 409
    # A parcel nobody changed since it was made: undo does nothing (retiring needs its own act).
    c = services.parcel_create(
        organisation=a.organisation, code="01A009", geom=utm_rect(200, 0, 30, 30), user=editor
    )
    refused = client.get(f"/map/api/parcels/{c.pk}/undo/")
    assert refused.status_code == 400 and refused.json()["code"] == "nothing_to_undo"
    c.refresh_from_db()
    assert c.status == "active" and c.version == 1


def test_split_and_merge(client, editor, pair):
    a, b = pair
    line = utm_line((20, -10), (20, 40))
    response = post(
        client, f"/map/api/parcels/{a.pk}/split/", {"line": gj(line), "codes": ["01A011"], "version": 1}
    )
    assert response.status_code == 400 and response.json()["code"] == "split_codes"
    response = post(
        client,
        f"/map/api/parcels/{a.pk}/split/",
        {"line": gj(line), "codes": ["01A011", "01A012"], "version": 1},
    )
    assert response.status_code == 200, response.content
    assert response.json()["retired"]["status"] == "retired"
    created = response.json()["created"]
    ids = [c["id"] for c in created]
    response = post(
        client, "/map/api/parcels/merge/", {"ids": ids, "code": "01A020", "versions": {str(ids[0]): 5}}
    )
    assert response.status_code == 409
    response = post(
        client, "/map/api/parcels/merge/", {"ids": ids, "code": "01A020", "versions": {str(ids[0]): 1}}
    )
    assert response.status_code == 200, response.content
    merged = Parcel.objects.get(code="01A020", status="active")
    assert abs(merged.area_m2 - 1200) < 5
    assert sorted(merged.predecessor_links.values_list("predecessor__code", flat=True)) == [
        "01A011",
        "01A012",
    ]


def test_roles_and_organisations(client, make_user, pair, mokchampae):
    a, _b = pair
    client.force_login(make_user("viewer", a.organisation, "viewer"))
    body = {"features": [{"id": a.pk, "version": 1, "geometry": gj(utm_rect(0, 0, 35, 30))}]}
    assert post(client, "/map/api/parcels/reshape/", body).status_code == 403
    assert post(client, f"/map/api/parcels/{a.pk}/retire/", {"version": 1}).status_code == 403
    client.force_login(make_user("other", mokchampae, "GIS editor"))
    assert post(client, "/map/api/parcels/reshape/", body).status_code == 404
    assert client.get(f"/map/api/panel/parcels/{a.pk}/").status_code == 404
    assert client.get("/map/api/search/?q=01A").json()["results"] == []
    bbox = ",".join(str(v) for v in a.geom.extent)
    assert client.get(f"/map/api/features/parcels/?bbox={bbox}").json()["features"] == []
    client.logout()
    assert client.get("/map/api/search/?q=01A").status_code == 401


def test_bad_input_is_a_clear_error(client, editor, pair):
    a, _b = pair
    response = client.post("/map/api/parcels/reshape/", data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "bad_json"
    body = {"features": [{"id": a.pk, "version": 1, "geometry": {"type": "Polygon", "coordinates": "x"}}]}
    response = post(client, "/map/api/parcels/reshape/", body)
    assert response.status_code == 400 and response.json()["code"] == "bad_geometry"
    bowtie = utm_polygon([(0, 0), (30, 30), (30, 0), (0, 30)])
    body = {"features": [{"id": a.pk, "version": 1, "geometry": gj(bowtie)}]}
    response = post(client, "/map/api/parcels/reshape/", body)
    assert response.status_code == 400 and response.json()["code"] == "invalid_geometry"
    assert client.get("/map/api/features/parcels/?bbox=1,2").status_code == 400
    assert post(client, "/map/api/parcels/merge/", {"ids": ["x"]}).status_code == 400


def test_search_panel_and_personal_data(client, editor, make_user, village, pair):
    a, _b = pair
    services.parcel_update(parcel=a, doc_number="4521", doc_type="chanote", expected_version=1)
    owner = services.party_create(
        organisation=a.organisation,
        kind="person",
        national_id="1101700207030",
        first_name="สมศรี",
        last_name="ทองดี",
    )
    services.parcel_right_add(parcel=a, party=owner)
    services.household_create(organisation=a.organisation, house_number="77/1", location=utm_point(10, 10))
    search = lambda q: client.get("/map/api/search/", {"q": q}).json()["results"]  # noqa: E731
    assert [r["label"] for r in search("01A00")] == ["01A001 (4521)", "01A002"]
    assert [r["id"] for r in search("4521")] == [a.pk]
    assert [(r["id"], r["match"]) for r in search("ทองดี")] == [(a.pk, "owner")]
    assert [r["layer"] for r in search("77/")] == ["households"]
    panel = client.get(f"/map/api/panel/parcels/{a.pk}/").json()
    assert panel["owners"][0]["name"] == "สมศรี ทองดี"
    assert panel["owners"][0]["national_id"] == "X-XXXX-XXXXX-703-0"
    assert "1101700207030" not in json.dumps(panel)
    assert panel["version"] == 2 and panel["history"][0]["version"] == 2
    client.force_login(make_user("viewer", village.organisation, "viewer"))
    assert search("ทองดี") == []
    panel = client.get(f"/map/api/panel/parcels/{a.pk}/").json()
    assert panel["owners"] == [] and panel["owners_hidden"] is True
    assert "1101700207030" not in json.dumps(panel) and "สมศรี" not in json.dumps(panel, ensure_ascii=False)


def test_buildings_and_households(client, editor, village, pair):
    a, _b = pair
    response = post(
        client, "/map/api/buildings/create/", {"parcel": a.pk, "geometry": gj(utm_rect(35, 5, 10, 10))}
    )
    assert response.status_code == 400 and response.json()["code"] == "building_outside_parcel"
    response = post(
        client, "/map/api/buildings/create/", {"parcel": a.pk, "geometry": gj(utm_rect(5, 5, 10, 10))}
    )
    assert response.status_code == 200, response.content
    bid = response.json()["id"]
    response = post(
        client, f"/map/api/buildings/{bid}/reshape/", {"version": 1, "geometry": gj(utm_rect(5, 5, 12, 10))}
    )
    assert response.status_code == 200 and response.json()["version"] == 2
    assert (
        post(
            client, f"/map/api/buildings/{bid}/reshape/", {"version": 1, "geometry": gj(utm_rect(5, 5, 9, 9))}
        ).status_code
        == 409
    )
    response = post(
        client,
        "/map/api/households/create/",
        {"organisation": village.organisation_id, "house_number": "9", "geometry": gj(utm_point(10, 10))},
    )
    assert response.status_code == 200
    hid = response.json()["id"]
    outside = post(
        client, f"/map/api/households/{hid}/move/", {"version": 1, "geometry": gj(utm_point(9000, 9000))}
    )
    assert outside.status_code == 400 and outside.json()["code"] == "household_outside_village"
    no_reason = post(client, f"/map/api/households/{hid}/retire/", {"version": 1})
    assert no_reason.json()["code"] == "reason_required"
    retire = {"version": 1, "reason": "บ้านรื้อถอนแล้ว"}
    assert post(client, f"/map/api/households/{hid}/retire/", retire).json()["status"] == "retired"
    retire = {"version": 2, "reason": "อาคารรื้อถอนแล้ว"}
    assert post(client, f"/map/api/buildings/{bid}/retire/", retire).json()["status"] == "retired"
    assert (
        Building.objects.get(pk=bid).status == "retired" and Household.objects.get(pk=hid).status == "retired"
    )
    # Retiring a parcel is the only "delete": it stays in the register with its history.
    retire = {"version": 1, "reason": "รังวัดซ้ำ / surveyed twice"}
    assert post(client, f"/map/api/parcels/{a.pk}/retire/", retire).status_code == 200
    assert Parcel.objects.get(pk=a.pk).status == "retired"
    last = Parcel.history.filter(id=a.pk).latest()
    assert last.history_change_reason == "retire: รังวัดซ้ำ / surveyed twice"
    feats = client.get("/map/api/features/parcels/", {"bbox": ",".join(str(v) for v in a.geom.extent)}).json()
    assert [f["properties"]["code"] for f in feats["features"]] == ["01A002"]
    assert GEOSGeometry(json.dumps(feats["features"][0]["geometry"])).equals_exact(_b.geom, 1e-9)
