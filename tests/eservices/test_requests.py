"""Requests: one household, one place, photos checked and cleaned, a replayed form makes one request."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from eservices import conf
from eservices.models import RequestAttachment, RequestEvent, ServiceRequest
from tests.conftest import utm_point

from .conftest import FEE, id_answer, jpeg_bytes

pytestmark = pytest.mark.django_db


def _nonce(client, home, code="septic_pumping", *, fresh=True):
    """The form's key; ``fresh``: a new copy of the form (?new=1), as for a second request on purpose."""
    body = client.get(f"/h/{home.token}/s/{code}/{'?new=1' if fresh else ''}").content.decode()
    start = body.index('name="nonce" value="') + len('name="nonce" value="')
    return body[start : body.index('"', start)]


def _septic(client, home, nonce, **extra):
    data = {"nonce": nonce, "tank_size": "small", "phone": "0811111111", "details": "ส้วมเต็ม", **extra}
    return client.post(f"/h/{home.token}/s/septic_pumping/", data)


def test_septic_request_with_moved_pin_and_photo(client, home, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pin = utm_point(40, 30)
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes((3000, 2000)), content_type="image/jpeg")
    r = _septic(
        client, home, _nonce(client, home), pin_lon=f"{pin.x:.7f}", pin_lat=f"{pin.y:.7f}", photo=photo
    )
    assert r.status_code == 302
    req = ServiceRequest.objects.get()
    assert r["Location"] == f"/h/{home.token}/r/{req.pk}/"
    assert req.household == home.household and req.status == "submitted" and req.is_open
    assert req.pin_moved and req.location.distance(pin) < 1e-6
    assert req.fee == FEE and req.data["tank_size"] == "small"
    assert round((req.due_at - req.created_at).total_seconds() / 86400) == 7
    att = RequestAttachment.objects.get(request=req)
    with Image.open(att.file.path) as img:
        assert img.format == "JPEG" and max(img.size) == conf.PHOTO_MAX_SIDE
        assert not img.getexif(), "EXIF (camera, GPS) must be stripped"
    page = client.get(r["Location"]).content.decode()
    assert req.reference in page and "ยื่นคำขอแล้ว" in page
    assert req.reference in client.get(f"/h/{home.token}/").content.decode()


def test_without_a_pin_the_household_point_is_used(client, home):
    _septic(client, home, _nonce(client, home))
    req = ServiceRequest.objects.get()
    assert not req.pin_moved and req.location.equals_exact(home.household.location, 1e-9)


def test_requests_show_in_the_staff_map_parcel_panel_for_service_officers(client, home, make_user):
    _septic(client, home, _nonce(client, home))
    req = ServiceRequest.objects.get()
    parcel = home.household.building.parcel
    client.force_login(make_user("officer", home.household.organisation, "service officer"))
    requests = client.get(f"/map/api/panel/parcels/{parcel.pk}/").json()["requests"]
    assert [(r["reference"], r["house_number"], r["open"]) for r in requests] == [
        (req.reference, home.household.house_number, True)
    ]
    assert requests[0]["service_en"] and requests[0]["status_th"]
    assert "0812345678" not in str(requests)  # no contact details in the panel
    client.force_login(make_user("tax-only", home.household.organisation, "tax officer"))
    assert client.get(f"/map/api/panel/parcels/{parcel.pk}/").json()["requests"] is None


def test_replayed_form_creates_one_request(client, home):
    nonce = _nonce(client, home)
    first = _septic(client, home, nonce)
    again = _septic(client, home, nonce)
    assert first["Location"] == again["Location"]
    assert ServiceRequest.objects.count() == 1 and RequestEvent.objects.count() == 1


def test_replayed_nonce_from_another_household_is_refused(client, home, other_home):
    nonce = _nonce(client, home)
    _septic(client, home, nonce)
    r = _septic(client, other_home, nonce)
    assert r.status_code == 400 and ServiceRequest.objects.count() == 1
    assert "แบบฟอร์มหมดอายุ" in r.content.decode()


@pytest.mark.parametrize(
    ("payload", "name", "message"),
    [
        (b"%PDF-1.4 not an image", "x.jpg", "รับเฉพาะรูปภาพ"),
        (b"GIF89a" + b"\0" * 40, "x.gif", "รับเฉพาะรูปภาพ"),
        (jpeg_bytes()[:200], "cut.jpg", "รับเฉพาะรูปภาพ"),
    ],
)
def test_non_images_are_refused_and_nothing_is_written(client, home, payload, name, message):
    r = _septic(client, home, _nonce(client, home), photo=SimpleUploadedFile(name, payload))
    assert r.status_code == 400 and message in r.content.decode()
    assert ServiceRequest.objects.count() == 0 and RequestAttachment.objects.count() == 0


def test_oversized_photo_is_refused(client, home, monkeypatch):
    monkeypatch.setattr(conf, "PHOTO_MAX_BYTES", 1000)
    r = _septic(
        client, home, _nonce(client, home), photo=SimpleUploadedFile("big.jpg", jpeg_bytes((400, 400)))
    )
    assert r.status_code == 400 and "รูปใหญ่เกิน" in r.content.decode()
    assert ServiceRequest.objects.count() == 0


def test_png_and_webp_are_accepted(client, home, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for fmt in ("PNG", "WEBP"):
        buf = io.BytesIO()
        Image.new("RGB", (20, 20), (0, 90, 0)).save(buf, fmt)
        r = _septic(client, home, _nonce(client, home), photo=SimpleUploadedFile(f"a.{fmt}", buf.getvalue()))
        assert r.status_code == 302
    assert sorted(RequestAttachment.objects.values_list("content_type", flat=True)) == [
        "image/png",
        "image/webp",
    ]


def test_required_fields_and_a_pin_outside_the_subdistrict(client, home):
    r = _septic(client, home, _nonce(client, home), tank_size="", pin_lon="100.5", pin_lat="13.7")
    body = r.content.decode()
    assert r.status_code == 400 and "กรุณากรอกขนาดบ่อ" in body and "หมุดอยู่นอกเขตตำบล" in body
    assert ServiceRequest.objects.count() == 0


def test_infrastructure_report_needs_a_photo(client, home):
    nonce = _nonce(client, home, "infrastructure")
    r = client.post(f"/h/{home.token}/s/infrastructure/", {"nonce": nonce, "problem": "light"})
    assert r.status_code == 400 and "กรุณาแนบรูปถ่าย" in r.content.decode()


def test_emergency_shows_1669_first_and_sends_gps(client, home):
    body = client.get(f"/h/{home.token}/s/emergency/").content.decode()
    assert body.index('href="tel:1669"') < body.index("<form")
    nonce = body.split('name="nonce" value="')[1].split('"')[0]
    gps = utm_point(5, 5)
    r = client.post(
        f"/h/{home.token}/s/emergency/",
        {"nonce": nonce, "gps_lon": gps.x, "gps_lat": gps.y, "gps_acc": "12"},
    )
    assert r.status_code == 302
    req = ServiceRequest.objects.get()
    assert req.service_type.code == "emergency" and req.gps.distance(gps) < 1e-7 and req.gps_accuracy_m == 12
    assert req.location.equals_exact(home.household.location, 1e-9)
    assert round((req.due_at - req.created_at).total_seconds() / 86400) == 1


def test_verified_only_services_ask_for_verification(client, home):
    r = client.get(f"/h/{home.token}/s/welfare_check/")
    assert r.status_code == 302 and r["Location"].endswith("#verify-message")
    client.post(f"/h/{home.token}/verify/", {"method": "id_year", **id_answer(home)})
    body = client.get(f"/h/{home.token}/s/welfare_check/").content.decode()
    assert home.elder.first_name in body and "เบี้ยยังชีพผู้สูงอายุ" in body


def test_one_household_never_sees_anothers_request(client, home, other_home):
    _septic(client, home, _nonce(client, home))
    req = ServiceRequest.objects.get()
    assert client.get(f"/h/{other_home.token}/r/{req.pk}/").status_code == 404
    assert req.reference not in client.get(f"/h/{other_home.token}/").content.decode()
    client.post(f"/h/{home.token}/verify/", {"method": "id_year", **id_answer(home)})
    body = client.get(f"/h/{other_home.token}/").content.decode()
    assert "01A012" not in body and home.head.first_name not in body
