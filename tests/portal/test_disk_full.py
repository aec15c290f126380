"""A backup onto a full disk: a clear error and no half-written backup folder; fine once space is freed."""

from __future__ import annotations

import errno
import json
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gis_portal import backup as backup_module


@pytest.mark.django_db(transaction=True)
def test_backup_on_a_full_disk_leaves_nothing_and_succeeds_after(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "photos").mkdir(parents=True)
    (tmp_path / "media" / "photos" / "a.jpg").write_bytes(b"\xff\xd8" + bytes(range(256)) * 40)
    real_copy = shutil.copy2

    def copy_on_full_disk(src, dst, **kwargs):  # noqa: ANN001, ANN003, ANN202
        # The copy starts, then the disk fills up.
        with open(src, "rb") as fh, open(dst, "wb") as out:
            out.write(fh.read(1000))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup_module.shutil, "copy2", copy_on_full_disk)
    out = tmp_path / "backups" / "2026-11-25"
    with pytest.raises(CommandError, match="storage is full") as exc:
        call_command("backup", str(out))
    assert "พื้นที่จัดเก็บของเซิร์ฟเวอร์เต็ม" in str(exc.value)
    assert not out.exists()  # no dump, no partial media, no folder

    monkeypatch.setattr(backup_module.shutil, "copy2", real_copy)
    call_command("backup", str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    assert [m["path"] for m in manifest["media"]] == ["photos/a.jpg"]
    assert backup_module.verify(out)["database"]["sha256"] == manifest["database"]["sha256"]


def test_pg_dump_reporting_a_full_disk_is_a_disk_full_error(tmp_path, monkeypatch, db):
    class Run:
        returncode = 1
        stderr = "pg_dump: error: could not write to output file: No space left on device"

    monkeypatch.setattr(backup_module.subprocess, "run", lambda *a, **k: Run())
    out = tmp_path / "b"
    with pytest.raises(backup_module.DomainError) as exc:
        backup_module.backup(out, media_root=tmp_path / "none")
    assert exc.value.code == "disk_full" and exc.value.status_code == 507
    assert not out.exists()
