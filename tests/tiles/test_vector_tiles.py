"""Vector tiles of the register: content, organisation scope, no personal data, cache and invalidation."""

from __future__ import annotations

import dataclasses
import math

import mapbox_vector_tile
import pytest
from django.urls import resolve

from parcels import services
from parcels.models import Parcel
from tests.conftest import utm_point, utm_rect
from tiles import cache as tile_cache
from tiles import vector
from tiles.vector_views import vector_tile

pytestmark = pytest.mark.django_db


def tile_of(point, z: int) -> tuple[int, int, int]:
    x, y = tile_cache._lonlat_to_tile_float(point.x, point.y, z)
    return z, math.floor(x), math.floor(y)


def decode(content: bytes) -> dict:
    return mapbox_vector_tile.decode(content) if content else {}


def props(content: bytes, layer: str) -> list[dict]:
    return [f["properties"] for f in decode(content).get(layer, {}).get("features", [])]


@pytest.fixture
def register(village, make_user):
    org = village.organisation
    parcel = services.parcel_create(
        organisation=org, code="01A001", geom=utm_rect(0, 0, 40, 30), doc_type="chanote", doc_number="98765"
    )
    services.parcel_update(
        parcel=parcel, land_uses=[services.LandUseShare("residential", 100)], expected_version=1
    )
    owner = services.party_create(
        organisation=org,
        kind="person",
        national_id="1101700207030",
        title="นาย",
        first_name="สมชาย",
        last_name="ใจดีมาก",
        phone="0812345678",
    )
    services.parcel_right_add(parcel=parcel, party=owner)
    services.building_create(
        parcel=Parcel.objects.get(pk=parcel.pk),
        footprint=utm_rect(5, 5, 10, 8),
        building_type="house",
        material="wood",
    )
    services.household_create(organisation=org, house_number="184/2", location=utm_point(10, 9))
    return parcel


@pytest.fixture
def editor(make_user, village):
    return make_user("editor", village.organisation, "GIS editor")


def get(client, layer: str, z: int, x: int, y: int, **headers):
    return client.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt", headers=headers)


def test_tiles_carry_styling_attributes_and_nothing_personal(client, editor, register):
    client.force_login(editor)
    z, x, y = tile_of(utm_point(20, 15), 16)
    seen = {}
    for layer in ("villages", "parcels", "buildings", "households"):
        response = get(client, layer, z, x, y)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
        # Nothing personal, whatever the attribute names: no owner, ID, phone or deed number.
        for secret in ("สมชาย", "ใจดีมาก", "1101700207030", "0812345678", "98765"):
            assert secret.encode() not in response.content
        seen[layer] = props(response.content, layer)
    assert seen["parcels"] == [
        {
            "code": "01A001",
            "doc_type": "chanote",
            "version": 2,
            "village": 1,
            "label": True,
            "land_use": "residential",
        }
    ]
    assert seen["buildings"] == [
        {"number": 1, "building_type": "house", "material": "wood", "storeys": 1, "version": 1}
    ]
    assert seen["households"] == [{"house_number": "184/2", "village": 1, "version": 1}]
    assert seen["villages"] == [{"number": 1, "name_th": "บ้านปางหมู", "name_en": "Ban Pang Mu"}]
    features = decode(get(client, "parcels", z, x, y).content)["parcels"]["features"]
    assert features[0]["id"] == register.pk
    assert features[0]["geometry"]["type"] == "Polygon"


def test_tiles_never_carry_another_organisations_features(client, make_user, register, mokchampae):
    # A row of another organisation lying right next to ours (written directly: the services would
    # refuse it outside its organisation's boundary, which is the point of the test).
    Parcel.objects.create(
        organisation=mokchampae,
        code="09Z999",
        zone="09",
        block="Z",
        lot="999",
        doc_type="none",
        geom=utm_rect(100, 0, 30, 30),
    )
    z, x, y = tile_of(utm_point(20, 15), 16)
    assert tile_of(utm_point(115, 15), 16) == (z, x, y)
    client.force_login(make_user("ours", register.organisation, "viewer"))
    assert [p["code"] for p in props(get(client, "parcels", z, x, y).content, "parcels")] == ["01A001"]
    client.force_login(make_user("theirs", mokchampae, "viewer"))
    assert [p["code"] for p in props(get(client, "parcels", z, x, y).content, "parcels")] == ["09Z999"]
    client.force_login(make_user("nobody", None))
    response = get(client, "parcels", z, x, y)
    assert response.status_code == 200 and response.content == b""


def test_edit_is_visible_in_the_next_tile_request(
    client, editor, register, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    z, x, y = tile_of(utm_point(20, 15), 16)
    first = get(client, "parcels", z, x, y)
    assert first["X-Tile-Cache"] == "miss"
    again = get(client, "parcels", z, x, y)
    assert again["X-Tile-Cache"] == "hit" and again.content == first.content
    assert get(client, "parcels", z, x, y, if_none_match=first["ETag"]).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        services.parcel_update(parcel=register, code="01A002", expected_version=2)
    after = get(client, "parcels", z, x, y, if_none_match=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    assert [p["code"] for p in props(after.content, "parcels")] == ["01A002"]
    # Moved far away (into another tile): gone from the old tile, present in the new one, at once.
    far = utm_point(1520, 15)
    z2, x2, y2 = tile_of(far, 16)
    assert (x2, y2) != (x, y)
    get(client, "parcels", z2, x2, y2)  # cached empty
    with django_capture_on_commit_callbacks(execute=True):
        building = register.buildings.get()
        services.building_update(building=building, retire=True, expected_version=1)
    assert props(get(client, "buildings", z, x, y).content, "buildings") == []
    with django_capture_on_commit_callbacks(execute=True):
        services.parcel_update(parcel=register, geom=utm_rect(1500, 0, 40, 30), expected_version=3)
    assert props(get(client, "parcels", z, x, y).content, "parcels") == []
    assert [p["code"] for p in props(get(client, "parcels", z2, x2, y2).content, "parcels")] == ["01A002"]
    # Retiring (the register's delete) takes it off the map at once too.
    with django_capture_on_commit_callbacks(execute=True):
        services.parcel_retire(parcel=register, expected_version=4)
    assert props(get(client, "parcels", z2, x2, y2).content, "parcels") == []


def test_tile_rendered_during_an_edit_is_never_served_after_it(editor, register, monkeypatch):
    org_ids = [register.organisation_id]
    z, x, y = tile_of(utm_point(20, 15), 16)
    real_render = tile_cache.render_tile

    def render_then_edit(*args):
        data = real_render(*args)
        # The edit commits while this (now stale) tile is on its way into the cache.
        tile_cache.invalidate(register.organisation_id, ["parcels"], tile_cache.bbox_of(register.geom))
        return data

    monkeypatch.setattr(tile_cache, "render_tile", render_then_edit)
    assert tile_cache.get_tile("parcels", z, x, y, org_ids).hit is False
    monkeypatch.setattr(tile_cache, "render_tile", real_render)
    assert tile_cache.get_tile("parcels", z, x, y, org_ids).hit is False
    assert tile_cache.get_tile("parcels", z, x, y, org_ids).hit is True


def test_invalidation_covers_every_zoom_served_and_the_buffer():
    lon, lat = 97.95, 19.33
    bbox = (lon, lat, lon + 0.0003, lat + 0.0003)
    gen_keys, drop = tile_cache._touched_keys(1, ["parcels"], [bbox])
    zooms = {int(k.split(":")[-3]) for k in gen_keys}
    assert zooms == set(range(vector.LAYERS["parcels"].minzoom, vector.LAYERS["parcels"].maxzoom + 1))
    assert len(drop) == len(gen_keys)
    # A shape on a tile edge also touches the neighbour whose buffer reaches over it.
    x, y = tile_cache._lonlat_to_tile_float(lon, lat, 16)
    edge_lon = math.floor(x) / 2**16 * 360 - 180
    xmin, _, xmax, _ = tile_cache.tiles_covering((edge_lon + 1e-7, lat, edge_lon + 2e-7, lat), 16)
    assert (xmin, xmax) == (math.floor(x) - 1, math.floor(x))
    # A huge change bumps the organisation's whole layer instead of millions of tiles.
    gen_keys, drop = tile_cache._touched_keys(1, ["villages"], [(90.0, 5.0, 105.0, 20.0)])
    assert gen_keys == [tile_cache._layer_gen_key(1, "villages")] and drop == []


def test_min_zoom_cap_and_bad_requests(client, editor, register, monkeypatch, django_assert_num_queries):
    client.force_login(editor)
    z, x, y = tile_of(utm_point(20, 15), 13)
    response = get(client, "parcels", z, x, y)
    assert response.status_code == 200 and response.content == b""  # below the parcels' minimum zoom
    assert get(client, "parcels", 16, 2**16, 0).status_code == 404
    assert get(client, "villages", 16, 0, 0).status_code == 200
    services.parcel_create(organisation=register.organisation, code="01A003", geom=utm_rect(50, 0, 40, 30))
    monkeypatch.setitem(vector.LAYERS, "parcels", dataclasses.replace(vector.LAYERS["parcels"], cap=1))
    z, x, y = tile_of(utm_point(20, 15), 16)
    assert len(props(get(client, "parcels", z, x, y).content, "parcels")) == 1
    client.logout()
    assert get(client, "parcels", z, x, y).status_code == 401


def test_tile_request_query_count(client, editor, register, django_assert_num_queries):
    client.force_login(editor)
    z, x, y = tile_of(utm_point(20, 15), 16)
    # The session's first tile: session, user, the user's organisations, then the one MVT query.
    with django_assert_num_queries(4):
        assert get(client, "parcels", z, x, y)["X-Tile-Cache"] == "miss"
    # Later tiles: the kept scope and the tile come from the cache, no query at all.
    with django_assert_num_queries(0):
        assert get(client, "parcels", z, x, y)["X-Tile-Cache"] == "hit"
    with django_assert_num_queries(1):  # another tile of the same session: only its MVT query
        assert get(client, "parcels", z, x + 1, y)["X-Tile-Cache"] == "miss"


def test_revoked_membership_and_sign_out_take_effect_on_the_next_tile(client, make_user, register):
    viewer = make_user("kept", register.organisation, "viewer")
    client.force_login(viewer)
    z, x, y = tile_of(utm_point(20, 15), 16)
    assert [p["code"] for p in props(get(client, "parcels", z, x, y).content, "parcels")] == ["01A001"]
    assert get(client, "parcels", z, x, y)["X-Tile-Cache"] == "hit"
    viewer.memberships.all().delete()  # queryset delete sends no signal per row
    from tiles import scope

    scope.bump_user(viewer.pk)
    assert get(client, "parcels", z, x, y).content == b""
    # A membership removed one by one (admin, services) bumps by its own signal.
    membership = make_user("kept2", register.organisation, "viewer").memberships.get()
    client.force_login(membership.user)
    assert props(get(client, "parcels", z, x, y).content, "parcels")
    membership.delete()
    assert get(client, "parcels", z, x, y).content == b""
    # A deactivated account and a signed-out session see nothing.
    client.force_login(make_user("kept3", register.organisation, "viewer"))
    assert props(get(client, "parcels", z, x, y).content, "parcels")
    user = client.session.get("_auth_user_id")
    from django.contrib.auth import get_user_model

    account = get_user_model().objects.get(pk=user)
    account.is_active = False
    account.save()
    assert get(client, "parcels", z, x, y).status_code == 401
    client.force_login(make_user("kept4", register.organisation, "viewer"))
    assert props(get(client, "parcels", z, x, y).content, "parcels")
    client.logout()
    assert get(client, "parcels", z, x, y).status_code == 401


def test_a_forged_session_cookie_gets_nothing(client, register):
    client.cookies["sessionid"] = "not-a-session-of-ours"
    response = get(client, "parcels", *tile_of(utm_point(20, 15), 16))
    assert response.status_code == 401


def test_superuser_sees_every_organisation_and_ortho_urls_are_not_captured(
    client, django_user_model, register, mokchampae
):
    Parcel.objects.create(
        organisation=mokchampae,
        code="09Z999",
        zone="09",
        block="Z",
        lot="999",
        doc_type="none",
        geom=utm_rect(100, 0, 30, 30),
    )
    client.force_login(django_user_model.objects.create_superuser("root", password="x-Pass-2569!"))
    z, x, y = tile_of(utm_point(20, 15), 16)
    assert sorted(p["code"] for p in props(get(client, "parcels", z, x, y).content, "parcels")) == [
        "01A001",
        "09Z999",
    ]
    for path in ("/tiles/parcels/16/1/1.mvt", "/tiles/households/16/1/1.mvt"):
        assert resolve(path).func is vector_tile
    from django.urls import Resolver404

    try:
        match = resolve("/tiles/ortho/1/16/1/1.jpg")
    except Resolver404:
        match = None
    assert match is None or match.func is not vector_tile


def test_tile_fast_path_keeps_security_headers_and_only_takes_reads(client, editor, register):
    client.force_login(editor)
    z, x, y = tile_of(utm_point(20, 15), 16)
    response = get(client, "parcels", z, x, y)
    assert response.status_code == 200
    # The middleware above the fast path still applies: request id, CSP, nosniff.
    assert response["X-Request-ID"] and "default-src" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    # The page middleware below it is skipped for tiles only; other methods go the usual way.
    assert client.post(f"/tiles/parcels/{z}/{x}/{y}.mvt").status_code == 405
    assert get(client, "parcels", 40, 0, 0).status_code == 404
