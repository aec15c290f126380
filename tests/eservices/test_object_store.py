"""Residents' photos on the S3-compatible object store (Django's default storage there)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from eservices.models import RequestAttachment, ServiceRequest

from .conftest import jpeg_bytes
from .test_requests import _nonce, _septic

pytestmark = pytest.mark.django_db


def test_a_residents_photo_is_kept_in_the_store_and_shown_to_staff(client, home, object_store, make_user):
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes((1200, 900)), content_type="image/jpeg")
    assert _septic(client, home, _nonce(client, home), photo=photo).status_code == 302
    att = RequestAttachment.objects.get()
    key = f"pangmu/media/{att.file.name}"
    assert att.file.name.startswith("eservices/") and object_store.keys("pangmu/media/") == [key]
    stored = object_store.read(key)
    with Image.open(io.BytesIO(stored)) as img:
        assert img.format == "JPEG" and not img.getexif()
    assert not any(p.is_file() for p in object_store.local_media.rglob("*")), "nothing on the local disk"

    client.force_login(make_user("officer-s3", home.household.organisation, "service officer"))
    url = reverse("eservices:attachment", kwargs={"pk": att.request_id, "att": att.pk})
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == stored


def test_a_store_failure_keeps_no_request_and_no_photo(client, home, object_store, settings):
    settings.OBJECT_STORE_ENDPOINT = "http://127.0.0.1:1"  # the store is down
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes((400, 300)), content_type="image/jpeg")
    with pytest.raises(OSError, match="object store"):
        _septic(client, home, _nonce(client, home), photo=photo)
    assert ServiceRequest.objects.count() == 0 and RequestAttachment.objects.count() == 0
    assert object_store.keys() == []
