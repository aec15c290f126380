"""Backups kept in the object store, next to the media they protect.

A backup named ``N`` is ``backups/N/db.dump`` and ``backups/N/manifest.json`` (the same manifest as
gis_portal/backup.py writes: row counts and checksums of every table, size and SHA-256 of every
media file). The media are kept once for all backups, by content: ``backups/blobs/<sha256>``. A
nightly backup therefore copies only the media that are new or changed since the previous backup
(same name, size and ETag as listed in that backup's manifest: the blob is reused without reading
the object again); an office with terabytes of imagery pays for its imagery once, not once a night.
Copies are made inside the store (server-side: the bytes of multi-GB orthomosaics never pass
through this machine); a new copy is read once, as a stream, for its SHA-256. Only the database
dump is written to local disk on the way (``BACKUP_ROOT``), and removed.

The manifest is written last: a name without one is an unfinished backup, never listed, restored
or counted when pruning. Pruning removes old backups, then the blobs no remaining manifest names.

A restore reads the manifest, checks the dump and every blob against it before touching anything,
restores the database as from a folder, copies the media back inside the store (or downloads them
to ``media_root``) and compares the table checksums.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from . import storage
from .backup import (
    DUMP,
    MANIFEST,
    check_restored,
    current_database_url,
    dump_database,
    file_sha256,
    is_probe,
    make_manifest,
    restore_database,
)
from .errors import DomainError

Progress = Callable[[str], None]
BLOBS = "blobs"


def _scratch() -> tempfile.TemporaryDirectory:
    root = Path(settings.BACKUP_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=".store-backup-", dir=root)


def _objects(name: str) -> list[str]:
    return [n for n, _size in storage.listing(f"{name}/", namespace=storage.BACKUPS)]


def _blob(sha256: str) -> str:
    return f"{BLOBS}/{sha256}"


def _check_name(name: str) -> str:
    clean = name.strip().strip("/")
    if not clean or "/" in clean or clean in (".", "..", BLOBS):
        raise DomainError("backup_name", f"Not a backup name: {name!r}", f"ชื่อข้อมูลสำรองไม่ถูกต้อง: {name!r}")
    return clean


def backups() -> list[str]:
    """Names of the finished backups in the store (those with a manifest), oldest first."""
    return sorted(
        n.split("/", 1)[0]
        for n, _size in storage.listing(namespace=storage.BACKUPS)
        if n.count("/") == 1 and n.endswith(f"/{MANIFEST}")
    )


def _previous_media() -> dict[str, dict[str, Any]]:
    """path → media entry of the newest finished backup (its blobs may be reused)."""
    names = backups()
    if not names:
        return {}
    try:
        return {entry["path"]: entry for entry in _manifest(names[-1])["media"]}
    except DomainError:
        return {}


def _keep_in_blob(item: storage.StoredObject, previous: dict[str, Any] | None) -> dict[str, Any]:
    """The media object's entry; its content copied into ``blobs/<sha256>`` unless already there."""
    unchanged = previous and (previous.get("size"), previous.get("etag")) == (item.size, item.etag)
    if unchanged and storage.exists(_blob(previous["sha256"]), storage.BACKUPS):
        return {**previous, "path": item.name}
    incoming = f"{BLOBS}/incoming-{uuid.uuid4().hex}"
    storage.copy(item.name, incoming, to_namespace=storage.BACKUPS)
    try:
        digest, size = storage.sha256(incoming, namespace=storage.BACKUPS)
        if not storage.exists(_blob(digest), storage.BACKUPS):
            storage.copy(incoming, _blob(digest), namespace=storage.BACKUPS, to_namespace=storage.BACKUPS)
    finally:
        storage.delete(incoming, namespace=storage.BACKUPS)
    return {"path": item.name, "size": size, "sha256": digest, "etag": item.etag}


def backup_to_store(
    name: str, *, database_url: str | None = None, progress: Progress = lambda _m: None
) -> dict:
    """Write backup ``name`` into the store; returns its manifest. Nothing stays of a failed one
    (blobs it added are removed by the next prune, as no manifest names them)."""
    name = _check_name(name)
    if _objects(name):
        raise DomainError(
            "backup_exists", f"A backup {name} is already in the store", f"มีข้อมูลสำรอง {name} อยู่แล้ว"
        )
    try:
        with _scratch() as tmp:
            dump = Path(tmp) / DUMP
            db_name, checksums = dump_database(dump, database_url, progress)
            previous = _previous_media()
            progress("keeping new and changed media inside the object store")
            files = [
                _keep_in_blob(item, previous.get(item.name))
                for item in storage.objects()
                if not is_probe(item.name)
            ]
            progress("uploading the database dump")
            storage.upload(dump, f"{name}/{DUMP}", namespace=storage.BACKUPS)
            manifest = make_manifest(db_name, dump, checksums, files)
        body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
        storage.put_bytes(f"{name}/{MANIFEST}", body, namespace=storage.BACKUPS)
    except BaseException:
        storage.delete(*_objects(name), namespace=storage.BACKUPS)
        raise
    progress(f"backup {name} written to the object store: {len(checksums)} tables, {len(files)} media files")
    return manifest


def _manifest(name: str) -> dict[str, Any]:
    try:
        return json.loads(storage.get_bytes(f"{name}/{MANIFEST}", namespace=storage.BACKUPS))
    except (FileNotFoundError, ValueError) as exc:
        known = ", ".join(backups()[-5:]) or "none"
        raise DomainError(
            "manifest_unreadable",
            f"No readable backup {name} in the object store ({exc}); newest: {known}",
            f"ไม่พบข้อมูลสำรอง {name} ในที่เก็บข้อมูล",
        ) from None


def restore_from_store(
    name: str,
    *,
    database_url: str | None = None,
    media_root: str | Path | None = None,
    force: bool = False,
    progress: Progress = lambda _m: None,
) -> dict[str, Any]:
    """Restore backup ``name`` from the store (checksums verified before and after)."""
    name = _check_name(name)
    manifest = _manifest(name)
    url = database_url or current_database_url()
    with _scratch() as tmp:
        dump = storage.download(f"{name}/{manifest['database']['file']}", Path(tmp) / DUMP, storage.BACKUPS)
        if file_sha256(dump) != manifest["database"]["sha256"]:
            raise DomainError(
                "backup_corrupt", f"{DUMP} of {name} differs from its manifest", "ไฟล์สำรองฐานข้อมูลเสียหาย"
            )
        progress("checking the media kept for the backup")
        for sha in sorted({entry["sha256"] for entry in manifest["media"]}):
            try:
                digest, _size = storage.sha256(_blob(sha), namespace=storage.BACKUPS)
            except FileNotFoundError:
                digest = ""
            if digest != sha:
                paths = [e["path"] for e in manifest["media"] if e["sha256"] == sha]
                raise DomainError(
                    "backup_corrupt",
                    f"media file {paths[0]} is missing or differs",
                    f"ไฟล์สื่อเสียหาย: {paths[0]}",
                )
        restore_database(dump, url, force=force, progress=progress)
    progress("restoring media")
    for entry in manifest["media"]:
        blob = _blob(entry["sha256"])
        if media_root is None:
            storage.copy(blob, entry["path"], namespace=storage.BACKUPS)
        else:
            storage.download(blob, Path(media_root) / entry["path"], namespace=storage.BACKUPS)
    check_restored(manifest, url, progress)
    return manifest


def prune_store(keep: int, *, now: dt.datetime | None = None) -> list[str]:
    """Delete all but the newest ``keep`` finished backups, then the blobs no remaining backup names.

    Blobs younger than a day are left alone: they may belong to a backup still being written.
    Returns the names of the backups removed.
    """
    names = backups()
    removed = names[:-keep] if keep > 0 else []
    for name in removed:
        storage.delete(*_objects(name), namespace=storage.BACKUPS)
    named = {entry["sha256"] for kept in backups() for entry in _manifest(kept)["media"]}
    settled = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=1)
    unused = [
        item.name
        for item in storage.objects(f"{BLOBS}/", namespace=storage.BACKUPS)
        if item.name[len(BLOBS) + 1 :] not in named and item.modified < settled
    ]
    storage.delete(*unused, namespace=storage.BACKUPS)
    return removed
