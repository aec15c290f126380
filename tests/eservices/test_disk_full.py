"""A full media disk while a resident's photo is stored: a clear message, no request, no file."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from eservices.models import RequestAttachment, ServiceRequest

from .conftest import jpeg_bytes

pytestmark = pytest.mark.django_db


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _nonce(client, home) -> str:  # noqa: ANN001
    page = client.get(f"/h/{home.token}/s/septic_pumping/").content.decode()
    return page.split('name="nonce" value="', 1)[1].split('"', 1)[0]


def _submit(client, home, nonce: str):  # noqa: ANN001, ANN202
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes((800, 600)), content_type="image/jpeg")
    data = {"nonce": nonce, "tank_size": "small", "phone": "0811111111", "details": "ส้วมเต็ม", "photo": photo}
    return client.post(f"/h/{home.token}/s/septic_pumping/", data)


def test_photo_on_a_full_disk_is_refused_cleanly_and_works_once_space_is_freed(
    client, home, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    real_save = FileSystemStorage._save

    def full_disk_save(self, name, content):  # noqa: ANN001, ANN202
        # The storage creates the file and the disk fills up after the first bytes of it.
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read()[:100])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", full_disk_save)
    nonce = _nonce(client, home)
    r = _submit(client, home, nonce)
    assert r.status_code == 400
    assert "พื้นที่จัดเก็บของเซิร์ฟเวอร์เต็ม" in r.content.decode()
    assert ServiceRequest.objects.count() == 0 and RequestAttachment.objects.count() == 0
    assert _files(tmp_path) == []  # the half-written photo is gone
    assert client.get(f"/h/{home.token}/").status_code == 200

    monkeypatch.setattr(FileSystemStorage, "_save", real_save)
    ok = _submit(client, home, nonce)  # the same form, sent again
    assert ok.status_code == 302
    att = RequestAttachment.objects.get()
    assert _files(tmp_path) == [Path(att.file.path)]
