"""A full disk while a chunk is written: 507 with the offset to resume from, nothing half-written kept."""

from __future__ import annotations

import errno
import hashlib
import io
import json
from pathlib import Path

import pytest
from django.urls import reverse

from drone_ingest.models import UploadSession
from gis_portal.roles import SURVEYOR

from .conftest import files_under

pytestmark = pytest.mark.django_db


class FullDisk(io.FileIO):
    """A file on a disk with ``room`` bytes left: the write that runs past it fails with ENOSPC."""

    room = 0

    def write(self, data) -> int:  # noqa: ANN001
        if FullDisk.room <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        n = super().write(bytes(data[: FullDisk.room]))
        FullDisk.room -= n
        return n


@pytest.fixture
def full_disk(monkeypatch):  # noqa: ANN201
    """Upload parts are written through FullDisk (only the write is simulated; the database is real)."""
    real_open = Path.open

    def open_(self, mode="r", buffering=-1, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if self.suffix == ".part" and mode == "r+b" and buffering == -1:
            return io.BufferedRandom(FullDisk(str(self), "r+"))
        return real_open(self, mode, buffering, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)
    return FullDisk


def test_chunk_on_a_full_disk_answers_507_and_the_same_chunk_succeeds_later(
    client, make_user, pangmu, imagery_root, make_tiff, full_disk
):
    client.force_login(make_user("surveyor1", pangmu, SURVEYOR))
    data = make_tiff().read_bytes()
    start = client.post(
        reverse("drone_ingest:upload-start"),
        json.dumps(
            {
                "organisation": "pangmu",
                "filename": "flight.tif",
                "size": len(data),
                "captured": "2026-01-15",
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        ),
        content_type="application/json",
    ).json()
    half = len(data) // 2

    def put(a: int, b: int):  # noqa: ANN202
        return client.put(
            start["url"],
            data[a:b],
            content_type="application/octet-stream",
            headers={"Content-Range": f"bytes {a}-{b - 1}/{len(data)}"},
        )

    full_disk.room = 10**9
    assert put(0, half).status_code == 200
    part = imagery_root / "uploads" / f"{start['id']}.part"
    full_disk.room = 5000  # the disk fills up in the middle of the second chunk
    r = put(half, len(data))
    assert r.status_code == 507, r.content
    body = r.json()
    assert body["code"] == "disk_full" and body["offset"] == half
    assert "storage is full" in body["message_en"] and "พื้นที่จัดเก็บ" in body["message_th"]
    # Nothing of the failed chunk is kept: the part ends on the last whole chunk, the offset too.
    assert part.stat().st_size == half
    assert UploadSession.objects.get(pk=start["id"]).received == half
    assert files_under(imagery_root) == [part]
    # The site keeps answering other requests.
    assert client.get(reverse("drone_ingest:index")).status_code == 200
    # Space freed: the same chunk goes through and the file is complete and intact.
    full_disk.room = 10**9
    again = put(half, len(data))
    assert again.status_code == 200 and again.json()["offset"] == len(data)
    assert hashlib.sha256(part.read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()
