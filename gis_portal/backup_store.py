"""Backups kept in the object store, next to the media they protect.

A backup named ``N`` is the same folder as gis_portal/backup.py writes, as objects under
``backups/N/``: ``db.dump``, ``media/<name>`` (a copy of every ``media/<name>`` object) and
``manifest.json``, written last (a name without a manifest is an unfinished backup: never listed,
never pruned as a backup, never restored). Media are copied inside the store (server-side: the
bytes of multi-GB orthomosaics do not pass through this machine) and each copy is then read once as
a stream for its SHA-256; only the database dump is written to local disk on the way.

A restore reads the manifest, checks the dump and every media copy against it before touching
anything, restores the database as from a folder, copies the media back inside the store (or
downloads them to ``media_root``) and compares the table checksums.
"""

from __future__ import annotations

import json
import tempfile
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


def _scratch() -> tempfile.TemporaryDirectory:
    root = Path(settings.BACKUP_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=".store-backup-", dir=root)


def _objects(name: str) -> list[str]:
    return [n for n, _size in storage.listing(f"{name}/", namespace=storage.BACKUPS)]


def _check_name(name: str) -> str:
    clean = name.strip().strip("/")
    if not clean or "/" in clean or clean in (".", ".."):
        raise DomainError("backup_name", f"Not a backup name: {name!r}", f"ชื่อข้อมูลสำรองไม่ถูกต้อง: {name!r}")
    return clean


def backups() -> list[str]:
    """Names of the finished backups in the store (those with a manifest), oldest first."""
    return sorted(
        n.split("/", 1)[0]
        for n, _size in storage.listing(namespace=storage.BACKUPS)
        if n.count("/") == 1 and n.endswith(f"/{MANIFEST}")
    )


def backup_to_store(
    name: str, *, database_url: str | None = None, progress: Progress = lambda _m: None
) -> dict:
    """Write backup ``name`` into the store; returns its manifest. Nothing stays of a failed one."""
    name = _check_name(name)
    if _objects(name):
        raise DomainError(
            "backup_exists", f"A backup {name} is already in the store", f"มีข้อมูลสำรอง {name} อยู่แล้ว"
        )
    try:
        with _scratch() as tmp:
            dump = Path(tmp) / DUMP
            db_name, checksums = dump_database(dump, database_url, progress)
            progress("copying media inside the object store")
            files = []
            for media_name, _size in storage.listing():
                if is_probe(media_name):
                    continue
                copy = f"{name}/media/{media_name}"
                storage.copy(media_name, copy, to_namespace=storage.BACKUPS)
                digest, size = storage.sha256(copy, namespace=storage.BACKUPS)
                files.append({"path": media_name, "size": size, "sha256": digest})
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
        progress("checking the media copies")
        for entry in manifest["media"]:
            try:
                digest, _size = storage.sha256(f"{name}/media/{entry['path']}", namespace=storage.BACKUPS)
            except FileNotFoundError:
                digest = ""
            if digest != entry["sha256"]:
                raise DomainError(
                    "backup_corrupt", f"media file {entry['path']} is missing or differs", "ไฟล์สื่อเสียหาย"
                )
        restore_database(dump, url, force=force, progress=progress)
    progress("restoring media")
    for entry in manifest["media"]:
        copy = f"{name}/media/{entry['path']}"
        if media_root is None:
            storage.copy(copy, entry["path"], namespace=storage.BACKUPS)
        else:
            storage.download(copy, Path(media_root) / entry["path"], namespace=storage.BACKUPS)
    check_restored(manifest, url, progress)
    return manifest


def prune_store(keep: int) -> list[str]:
    """Delete all but the newest ``keep`` finished backups in the store; returns the names removed."""
    names = backups()
    removed = names[:-keep] if keep > 0 else []
    for name in removed:
        storage.delete(*_objects(name), namespace=storage.BACKUPS)
    return removed
