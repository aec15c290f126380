"""Smart Travel: public pages without login, events only until they end, QR per place, bad places refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.gis.geos import Point

from gis_portal.errors import DomainError
from travel.models import Place
from travel.services import place_save

from ..conftest import utm_point

pytestmark = pytest.mark.django_db

TODAY = date.today()


def make_place(org, name: str, kind: str = "place", **kw) -> Place:
    return place_save(
        place=Place(
            organisation=org, kind=kind, name_th=name, location=kw.pop("location", utm_point(100, 100)), **kw
        )
    )


def test_public_pages_list_places_and_upcoming_events(client, pangmu):
    make_place(pangmu, "ถ้ำปลา", name_en="Fish Cave", description_th="ปลาพลวงในลำธาร")
    make_place(pangmu, "บ้านพักริมน้ำ", kind="homestay", phone="0812345678")
    make_place(
        pangmu,
        "ปอยส่างลอง",
        kind="event",
        starts_on=TODAY + timedelta(days=3),
        ends_on=TODAY + timedelta(days=5),
    )
    make_place(
        pangmu,
        "งานที่จบแล้ว",
        kind="event",
        starts_on=TODAY - timedelta(days=9),
        ends_on=TODAY - timedelta(days=7),
    )
    make_place(pangmu, "ยังไม่เผยแพร่", published=False)
    resp = client.get("/travel/pangmu/")
    body = resp.content.decode()
    assert resp.status_code == 200 and "public" in resp["Cache-Control"]
    assert "ถ้ำปลา" in body and "บ้านพักริมน้ำ" in body and "ปอยส่างลอง" in body
    assert "งานที่จบแล้ว" not in body and "ยังไม่เผยแพร่" not in body
    assert body.count("<circle class=") == 3
    assert f"{(TODAY + timedelta(days=3)).year + 543}" in body  # Buddhist Era in Thai
    assert "Fish Cave" in client.get("/travel/pangmu/?lang=en").content.decode()
    homestays = client.get("/travel/pangmu/?kind=homestay").content.decode()
    assert "บ้านพักริมน้ำ" in homestays and "ถ้ำปลา" not in homestays
    assert "sessionid" not in resp.cookies and "csrftoken" not in resp.cookies


def test_place_page_and_its_qr_code(client, pangmu):
    """(The browser test decodes the QR as a phone camera would.)"""
    place = make_place(pangmu, "ถ้ำปลา", phone="053613341")
    page = client.get(f"/travel/pangmu/p/{place.pk}/").content.decode()
    assert "tel:053613341" in page and "geo:" in page
    svg = client.get(f"/travel/pangmu/p/{place.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<path" in svg.content


def test_unknown_office_unpublished_or_other_offices_places_are_not_found(client, pangmu, mokchampae):
    hidden = make_place(pangmu, "ซ่อน", published=False)
    theirs = place_save(
        place=Place(
            organisation=mokchampae,
            kind="place",
            name_th="ของเขา",
            location=mokchampae.boundary.point_on_surface,
        )
    )
    assert client.get("/travel/nowhere/").status_code == 404
    assert client.get(f"/travel/pangmu/p/{hidden.pk}/").status_code == 404
    assert client.get(f"/travel/pangmu/p/{theirs.pk}/").status_code == 404
    assert client.get(f"/travel/pangmu/p/{theirs.pk}/qr.svg").status_code == 404


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "event", "starts_on": TODAY, "ends_on": TODAY - timedelta(days=1)},
        {"kind": "event"},
        {"location": Point(100.5, 13.75, srid=4326)},  # Bangkok: outside Pang Mu
    ],
)
def test_bad_places_are_refused_and_not_stored(pangmu, bad):
    with pytest.raises(DomainError):
        make_place(pangmu, "ผิด", **bad)
    assert not Place.objects.exists()
