"""The staff portal: front page, web import upload, admin pages that work offline."""

from __future__ import annotations

import re
from io import BytesIO

import geopandas as gpd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from shapely.geometry import Polygon as ShapelyPolygon

from parcels import services
from parcels.models import Organisation, Parcel
from tests.conftest import ORIGIN_E, ORIGIN_N, utm_point, utm_rect

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.I)


@pytest.fixture
def editor_client(client, make_user, pangmu):
    client.force_login(make_user("editor", pangmu, "GIS editor"))
    return client


def geojson_upload(rows: list[dict], name: str = "parcels.geojson") -> SimpleUploadedFile:
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:32647")
    buffer = BytesIO(frame.to_json(to_wgs84=True).encode())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/geo+json")


def square(x: float, y: float, size: float = 30) -> ShapelyPolygon:
    e, n = ORIGIN_E + x, ORIGIN_N + y
    return ShapelyPolygon([(e, n), (e + size, n), (e + size, n + size), (e, n + size)])


@pytest.mark.django_db
def test_front_page_needs_login_and_shows_the_register(client, editor_client, village):
    services.parcel_create(organisation=village.organisation, code="01A001", geom=utm_rect(0, 0, 30, 30))
    services.household_create(organisation=village.organisation, house_number="1", location=utm_point(5, 5))
    page = editor_client.get("/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "องค์การบริหารส่วนตำบลปางหมู" in text and "บ้านปางหมู" in text
    assert page.context["organisations"][0]["totals"] == {"parcels": 1, "buildings": 0, "households": 1}
    client.logout()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_web_import_dry_run_then_import(editor_client, village):
    rows = [
        {"parcel_code": f"01C{i:03d}", "doc_type": "pbt5", "geometry": square(i * 30, 300)}
        for i in range(1, 4)
    ]
    response = editor_client.post(
        reverse("parcels:import"),
        {
            "organisation": village.organisation_id,
            "kind": "parcels",
            "dry_run": "on",
            "file": geojson_upload(rows),
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "would import 3 parcels" in response.content.decode()
    assert Parcel.objects.count() == 0
    response = editor_client.post(
        reverse("parcels:import"),
        {"organisation": village.organisation_id, "kind": "parcels", "file": geojson_upload(rows)},
    )
    assert "imported 3 parcels" in response.content.decode()
    assert Parcel.objects.count() == 3
    assert Parcel.history.filter(history_user__username="editor").count() == 3


@pytest.mark.django_db
def test_web_import_reports_bad_features(editor_client, village):
    rows = [
        {"parcel_code": "01C001", "doc_type": "pbt5", "geometry": square(0, 300)},
        {"parcel_code": "01C002", "doc_type": "pbt5", "geometry": square(10, 310)},
    ]
    response = editor_client.post(
        reverse("parcels:import"),
        {
            "organisation": village.organisation_id,
            "kind": "parcels",
            "file": geojson_upload(rows),
            "field_map": "",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "feature 2 (01C002)" in text and "ทับซ้อน" in text
    assert Parcel.objects.count() == 0
    bad_type = editor_client.post(
        reverse("parcels:import"),
        {
            "organisation": village.organisation_id,
            "kind": "parcels",
            "file": SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream"),
        },
    )
    assert bad_type.status_code == 400 and "ไม่รับไฟล์ชนิด" in bad_type.content.decode()


@pytest.mark.django_db
def test_viewer_cannot_import(client, make_user, pangmu, village):
    client.force_login(make_user("viewer", pangmu, "viewer"))
    rows = [{"parcel_code": "01C001", "doc_type": "pbt5", "geometry": square(0, 300)}]
    response = client.post(
        reverse("parcels:import"),
        {"organisation": pangmu.pk, "kind": "parcels", "file": geojson_upload(rows)},
    )
    assert response.status_code == 400  # the organisation is not offered to a viewer
    assert Parcel.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["parcel", "village", "building", "household", "party", "organisation", "parcellineage"]
)
def test_admin_pages_render_and_load_nothing_from_the_internet(admin_client, village, name):
    services.parcel_create(organisation=village.organisation, code="01A001", geom=utm_rect(0, 0, 30, 30))
    listing = admin_client.get(reverse(f"admin:parcels_{name}_changelist"))
    assert listing.status_code == 200
    pages = [listing]
    if name not in ("parcellineage",):
        add = admin_client.get(reverse(f"admin:parcels_{name}_add"))
        assert add.status_code == 200
        pages.append(add)
    for page in pages:
        html = page.content.decode()
        assert not EXTERNAL.search(html), EXTERNAL.search(html)
        assert "cdn.jsdelivr" not in html and "openstreetmap" not in html.lower()
    if name in ("parcel", "village", "building", "household", "organisation"):
        assert "vendor/ol/ol.js" in pages[-1].content.decode()


@pytest.mark.django_db
def test_admin_parcel_save_goes_through_the_overlap_check(client, make_user, village):
    client.force_login(make_user("editor", village.organisation, "GIS editor"))
    services.parcel_create(organisation=village.organisation, code="01A001", geom=utm_rect(0, 0, 30, 30))
    form = {
        "organisation": village.organisation_id,
        "village": village.pk,
        "code": "01A002",
        "doc_type": "none",
        # The widget posts GeoJSON in the map's projection (EPSG:3857), as a browser does.
        "geom": utm_rect(10, 10, 30, 30).transform(3857, clone=True).json,
        "land_uses-TOTAL_FORMS": 0,
        "land_uses-INITIAL_FORMS": 0,
        "rights-TOTAL_FORMS": 0,
        "rights-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("admin:parcels_parcel_add"), form)
    assert response.status_code == 200
    assert "ทับซ้อนกับ แปลง 01A001" in response.content.decode()
    assert Parcel.objects.count() == 1
    form["geom"] = utm_rect(30, 0, 30, 30).transform(3857, clone=True).json
    response = client.post(reverse("admin:parcels_parcel_add"), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    new = Parcel.objects.get(code="01A002")
    assert new.area_m2 == pytest.approx(900, rel=3e-3)
    assert new.history.get().history_user.username == "editor"


@pytest.mark.django_db
def test_reference_boundary_area_matches_the_shared_table(pangmu):
    # AREAS_utm47n.tsv: Pang Mu geodesic_km2=381.904
    org = Organisation.objects.annotate().get(pk=pangmu.pk)
    from parcels.sql import geodesic_areas

    area = geodesic_areas([(0, bytes(org.boundary.wkb))])[0]
    assert area / 1e6 == pytest.approx(381.904, rel=1e-3)


@pytest.mark.django_db
def test_admin_building_must_stand_on_its_parcel(client, make_user, village):
    client.force_login(make_user("editor", village.organisation, "GIS editor"))
    parcel = services.parcel_create(
        organisation=village.organisation, code="01A001", geom=utm_rect(0, 0, 30, 30)
    )
    form = {
        "parcel": parcel.pk,
        "number": 1,
        "building_type": "house",
        "material": "wood",
        "storeys": 1,
        "floor_area_m2": "80",
        "footprint": utm_rect(25, 5, 10, 10).transform(3857, clone=True).json,
        "uses-TOTAL_FORMS": 0,
        "uses-INITIAL_FORMS": 0,
        "rights-TOTAL_FORMS": 0,
        "rights-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("admin:parcels_building_add"), form)
    assert response.status_code == 200
    assert "อาคารล้ำออกนอกแปลง 01A001" in response.content.decode()
    form["footprint"] = utm_rect(5, 5, 10, 10).transform(3857, clone=True).json
    response = client.post(reverse("admin:parcels_building_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert parcel.buildings.get().organisation_id == village.organisation_id
