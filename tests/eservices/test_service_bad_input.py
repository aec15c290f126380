"""Every service of the office's list refuses its bad input with the field named, and stores nothing.

One case per service of the catalogue (``eservices.catalogue.SERVICES``): its required fields left
empty, a phone number that is not Thai, a required photo missing, a pin outside the tambon. The
answer is 400 and names each problem in Thai (the resident's default language); no request, event
or photo is written.
"""

from __future__ import annotations

import pytest

from eservices.catalogue import SERVICES
from eservices.models import RequestAttachment, RequestEvent, ServiceRequest

from .conftest import id_answer

pytestmark = pytest.mark.django_db

NOT_THAI = "+1 415 555 0100"
OUTSIDE = {"pin_lon": "100.5", "pin_lat": "13.7"}  # Bangkok, far outside Pang Mu


def _form(client, home, code: str) -> str:
    body = client.get(f"/h/{home.token}/s/{code}/").content.decode()
    start = body.index('name="nonce" value="') + len('name="nonce" value="')
    return body[start : body.index('"', start)]


@pytest.mark.parametrize("spec", SERVICES, ids=[s["code"] for s in SERVICES])
def test_every_service_refuses_its_bad_input_and_stores_nothing(client, home, spec):
    code = spec["code"]
    if spec.get("requires_verification"):
        client.post(f"/h/{home.token}/verify/", {"method": "id_year", **id_answer(home)})
    data = {"nonce": _form(client, home, code), **OUTSIDE}
    expected = ["หมุดอยู่นอกเขตตำบล"]
    for field in spec["form_fields"]:
        if field["type"] == "tel":
            data[field["name"]] = NOT_THAI
            expected.append(f"{field['label_th']}: กรุณากรอกเบอร์โทรศัพท์ในประเทศไทย")
        elif field.get("required"):
            data[field["name"]] = ""
            expected.append(f"กรุณากรอก{field['label_th']}")
    for photo in spec["required_attachments"]:
        if photo.get("required"):
            expected.append(f"กรุณาแนบ{photo['label_th']}")
    answer = client.post(f"/h/{home.token}/s/{code}/", data)
    body = answer.content.decode()
    assert answer.status_code == 400, code
    for text in expected:
        assert text in body, (code, text)
    assert not ServiceRequest.objects.exists() and not RequestEvent.objects.exists()
    assert not RequestAttachment.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("081-234-5678", "0812345678"),
        ("+66 81 234 5678", "0812345678"),
        ("053 613 341", "053613341"),  # the office's own fixed line
        ("๐๘๑๒๓๔๕๖๗๘", "0812345678"),  # Thai digits
    ],
)
def test_thai_phone_numbers_as_people_type_them_are_accepted(client, home, typed, stored):
    nonce = _form(client, home, "water_connection")
    answer = client.post(f"/h/{home.token}/s/water_connection/", {"nonce": nonce, "phone": typed})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    req = ServiceRequest.objects.get()
    assert req.data["phone"] == stored and req.contact_phone == stored


@pytest.mark.parametrize("bad", ["12345", "0812345", "00812345678", "011234567", "phone", "0812345678901"])
def test_a_phone_that_is_not_thai_is_refused(client, home, bad):
    nonce = _form(client, home, "water_connection")
    answer = client.post(f"/h/{home.token}/s/water_connection/", {"nonce": nonce, "phone": bad})
    assert answer.status_code == 400 and "06 08 หรือ 09" in answer.content.decode()
    assert not ServiceRequest.objects.exists()
