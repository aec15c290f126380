"""Backup and restore with the object store: backups/<name>/ next to the media it protects."""

from __future__ import annotations

import hashlib
import json

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from gis_portal import backup as backup_module
from gis_portal import backup_store, storage
from gis_portal.tasks import nightly_backup
from parcels import services
from tests.conftest import utm_rect

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40
COG = b"II*\x00" + bytes(range(255, -1, -1)) * 300


@pytest.fixture
def media_in_store(object_store, village):
    """A register row, a resident's photo (default storage) and an imagery file, all in the store."""
    services.parcel_create(
        organisation=village.organisation, code="01A001", geom=utm_rect(0, 0, 40, 30), doc_type="pbt5"
    )
    photo = default_storage.save("eservices/2026/12/r1-photo.jpg", ContentFile(PHOTO))
    (object_store.local_media / "cog.tif").parent.mkdir(parents=True, exist_ok=True)
    (object_store.local_media / "cog.tif").write_bytes(COG)
    storage.upload(object_store.local_media / "cog.tif", "imagery/cogs/1/7.tif")
    (object_store.local_media / "cog.tif").unlink()
    return {"eservices/2026/12/r1-photo.jpg": PHOTO, "imagery/cogs/1/7.tif": COG, "_photo": photo}


@pytest.mark.django_db(transaction=True)
def test_nightly_backup_into_the_store_and_restore_from_it(
    media_in_store, object_store, empty_database, settings, tmp_path
):
    settings.BACKUP_ROOT = tmp_path / "backups"
    settings.BACKUP_KEEP = 2
    assert media_in_store["_photo"] == "eservices/2026/12/r1-photo.jpg"
    result = nightly_backup()
    assert result.startswith("store:")
    name = result.split(":", 1)[1]
    assert backup_store.backups() == [name]
    assert object_store.keys(f"pangmu/backups/{name}/") == [
        f"pangmu/backups/{name}/db.dump",
        f"pangmu/backups/{name}/manifest.json",
    ]
    sha = {
        path: hashlib.sha256(data).hexdigest()
        for path, data in media_in_store.items()
        if not path.startswith("_")
    }
    # The media are kept once, by content.
    assert object_store.keys("pangmu/backups/blobs/") == sorted(
        f"pangmu/backups/blobs/{h}" for h in sha.values()
    )
    for path, data in media_in_store.items():
        if not path.startswith("_"):
            assert object_store.read(f"pangmu/backups/blobs/{sha[path]}") == data
    manifest = json.loads(object_store.read(f"pangmu/backups/{name}/manifest.json"))
    assert manifest["tables"]["public.parcels_parcel"]["rows"] == 1
    assert {m["path"]: m["sha256"] for m in manifest["media"]} == sha
    # Only the dump passed through the local disk, and it is gone.
    assert [p for p in settings.BACKUP_ROOT.rglob("*") if p.is_file()] == []

    # The next backup copies nothing that has not changed; a changed file is kept anew.
    default_storage.save("eservices/2026/12/r2-photo.jpg", ContentFile(PHOTO[::-1]))
    object_store.server.log.clear()
    second = backup_store.backup_to_store("second")
    copies = [r for r in object_store.server.log if r.method == "PUT" and "/blobs/incoming-" in r.path]
    assert len(copies) == 1, copies  # only the new photo
    assert len(object_store.keys("pangmu/backups/blobs/")) == 3
    assert {m["sha256"] for m in second["media"]} >= set(sha.values())

    # The media are lost from the store; the restore brings back the database and the media.
    object_store.s3.delete_object(Bucket=object_store.name, Key="pangmu/media/imagery/cogs/1/7.tif")
    object_store.s3.delete_object(Bucket=object_store.name, Key="pangmu/media/eservices/2026/12/r1-photo.jpg")
    call_command("restore", name, "--from-store", "--database-url", empty_database)
    assert backup_module.table_checksums(empty_database) == backup_module.table_checksums(
        backup_module.current_database_url()
    )
    for path, data in media_in_store.items():
        if not path.startswith("_"):
            assert object_store.read(f"pangmu/media/{path}") == data, path
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("SELECT code FROM parcels_parcel").fetchall() == [("01A001",)]

    # A second restore into the now non-empty database is refused without --force.
    with pytest.raises(CommandError, match="already has"):
        call_command("restore", name, "--from-store", "--database-url", empty_database)
    # A damaged media copy is found before anything is touched.
    object_store.s3.put_object(
        Bucket=object_store.name, Key=f"pangmu/backups/blobs/{sha['imagery/cogs/1/7.tif']}", Body=b"tampered"
    )
    with pytest.raises(CommandError, match="7.tif is missing or differs"):
        call_command("restore", name, "--from-store", "--database-url", empty_database, "--force")
    with pytest.raises(CommandError, match="No readable backup"):
        call_command("restore", "no-such-backup", "--from-store", "--database-url", empty_database)


@pytest.mark.django_db(transaction=True)
def test_folder_backups_take_their_media_from_the_store_and_give_them_back(
    media_in_store,
    object_store,
    empty_database,
    tmp_path,
):
    out = tmp_path / "backup"
    call_command("backup", str(out))
    assert (out / "media" / "imagery" / "cogs" / "1" / "7.tif").read_bytes() == COG
    assert backup_module.verify(out)["media"]
    object_store.s3.delete_object(Bucket=object_store.name, Key="pangmu/media/imagery/cogs/1/7.tif")
    call_command("restore", str(out), "--database-url", empty_database)
    assert object_store.read("pangmu/media/imagery/cogs/1/7.tif") == COG


def test_prune_keeps_the_newest_finished_backups_and_the_blobs_they_name(object_store):
    import datetime as dt

    def manifest(*shas: str) -> bytes:
        return json.dumps({"media": [{"path": f"f{i}", "sha256": h} for i, h in enumerate(shas)]}).encode()

    for name, shas in [("20261101T020000Z", "ab"), ("20261102T020000Z", "bc"), ("20261103T020000Z", "c")]:
        storage.put_bytes(f"{name}/manifest.json", manifest(*shas), namespace=storage.BACKUPS)
        storage.put_bytes(f"{name}/db.dump", b"x", namespace=storage.BACKUPS)
    for blob in "abcd":
        storage.put_bytes(f"blobs/{blob}", blob.encode(), namespace=storage.BACKUPS)
    storage.put_bytes("20261104T020000Z/db.dump", b"x", namespace=storage.BACKUPS)  # unfinished
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    assert backup_store.prune_store(2, now=later) == ["20261101T020000Z"]
    assert backup_store.backups() == ["20261102T020000Z", "20261103T020000Z"]
    assert not object_store.keys("pangmu/backups/20261101T020000Z/")
    assert object_store.keys("pangmu/backups/20261104T020000Z/")  # not a backup: left for a person
    # Blob "a" was only in the removed backup, "d" in none; "b" and "c" are still named.
    assert object_store.keys("pangmu/backups/blobs/") == ["pangmu/backups/blobs/b", "pangmu/backups/blobs/c"]
    # Young blobs (maybe of a backup being written) are left alone.
    storage.put_bytes("blobs/e", b"e", namespace=storage.BACKUPS)
    backup_store.prune_store(2)
    assert "pangmu/backups/blobs/e" in object_store.keys("pangmu/backups/blobs/")


def test_a_backup_name_cannot_leave_its_folder(object_store):
    from gis_portal.errors import DomainError

    for bad in ["", "../media", "a/b", "blobs"]:
        with pytest.raises(DomainError):
            backup_store.backup_to_store(bad)


def test_storage_init_creates_the_bucket_and_uploads_local_media(object_store, settings, capsys):
    settings.OBJECT_STORE_BUCKET = object_store.name + "-new"
    call_command("storage_init")
    assert "created" in capsys.readouterr().out
    local = settings.MEDIA_ROOT
    (local / "eservices").mkdir(parents=True)
    (local / "eservices" / "a.jpg").write_bytes(PHOTO)
    (local / "imagery" / "uploads").mkdir(parents=True)
    (local / "imagery" / "uploads" / "x.part").write_bytes(b"in progress")
    call_command("storage_init", "--upload-local-media")
    out = capsys.readouterr().out
    assert "ready" in out and "1 files copied" in out
    assert storage.get_bytes("eservices/a.jpg") == PHOTO
    assert not storage.exists("imagery/uploads/x.part")
    call_command("storage_init", "--upload-local-media")
    assert "0 files copied to the store, 1 were there already" in capsys.readouterr().out


def test_storage_init_without_a_store_says_so(settings, capsys):
    settings.OBJECT_STORE_BUCKET = ""
    call_command("storage_init")
    assert "no object store configured" in capsys.readouterr().out
