"""Backups of the database and the media store, and their restore.

A backup is a folder:
- ``db.dump``: ``pg_dump --format=custom`` (one consistent snapshot of the whole database),
- ``media/``: a copy of every file of the media store (orthomosaics, uploads, photos),
- ``manifest.json``: when, from which database, the row count and a content checksum of every
  table, and the size and SHA-256 of every file (the dump's too).

``restore`` verifies every checksum of the manifest before it touches anything, restores into a
database that must be empty (unless forced), copies the media back, and checks the row counts and
table checksums against the manifest.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import psycopg
from django.conf import settings
from django.db import connection

from . import storage
from .errors import DomainError, disk_full_error, is_disk_full

MANIFEST = "manifest.json"
DUMP = "db.dump"
FORMAT_VERSION = 1


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tool(name: str) -> str:
    path = shutil.which(name) or f"/usr/lib/postgresql/15/bin/{name}"
    if not Path(path).exists():
        raise DomainError(
            "tool_missing", f"{name} is not installed (postgresql-client-15)", f"ไม่พบโปรแกรม {name}"
        )
    return path


def _pg_env(url: str) -> tuple[dict[str, str], str]:
    """libpq environment and database name for a postgres/postgis URL."""
    parsed = urlparse(url)
    env = {**os.environ}
    if parsed.hostname:
        env["PGHOST"] = parsed.hostname
    if parsed.port:
        env["PGPORT"] = str(parsed.port)
    if parsed.username:
        env["PGUSER"] = unquote(parsed.username)
    if parsed.password:
        env["PGPASSWORD"] = unquote(parsed.password)
    return env, parsed.path.lstrip("/")


def current_database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or ""
    password = db.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgresql://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _conninfo(url: str) -> str:
    return url.replace("postgis://", "postgresql://", 1)


# For every public table: a query returning its row count and the md5 of its rows as text, sorted
# (so the checksum does not depend on physical order, which a restore changes).
TABLE_CHECKSUM_SQL = """
SELECT format(
         'SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), %L)) FROM %I.%I t',
         '', schemaname, tablename),
       schemaname || '.' || tablename
FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('spatial_ref_sys')
ORDER BY tablename
"""


def _checksums(cur: Any) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    cur.execute(TABLE_CHECKSUM_SQL)
    for query, name in cur.fetchall():
        cur.execute(query)
        count, md5 = cur.fetchone()
        result[name] = {"rows": count, "md5": md5}
    return result


def table_checksums(url: str) -> dict[str, dict[str, Any]]:
    """Row count and an order-independent md5 of the content of every public table."""
    with psycopg.connect(_conninfo(url)) as conn, conn.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _checksums(cur)


def backup(
    out_dir: str | Path,
    *,
    database_url: str | None = None,
    media_root: str | Path | None = None,
    progress: Callable[[str], None] = lambda _m: None,
) -> dict[str, Any]:
    """Write a backup folder (see the module docstring) and return its manifest."""
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise DomainError("backup_exists", f"{out} exists and is not empty", f"โฟลเดอร์ {out} มีข้อมูลอยู่แล้ว")
    try:
        out.mkdir(parents=True, exist_ok=True)
        return _write_backup(out, database_url, media_root, progress)
    except BaseException as exc:
        # Never leave half a backup behind (a folder without a manifest is not a backup).
        shutil.rmtree(out, ignore_errors=True)
        if is_disk_full(exc):
            raise disk_full_error(f"the backup {out}", f"ข้อมูลสำรอง {out}") from None
        raise


def _write_backup(
    out: Path,
    database_url: str | None,
    media_root: str | Path | None,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    name, checksums = dump_database(out / DUMP, database_url, progress)
    if media_root is None and storage.configured():
        files = _media_from_store(out / "media", progress)
    else:
        files = _media_from_disk(Path(media_root or settings.MEDIA_ROOT), out / "media", progress)
    manifest = make_manifest(name, out / DUMP, checksums, files)
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    progress(f"backup written to {out}: {len(checksums)} tables, {len(files)} media files")
    return manifest


def dump_database(
    dump: Path, database_url: str | None, progress: Callable[[str], None]
) -> tuple[str, dict[str, dict[str, Any]]]:
    """``pg_dump`` into ``dump``; returns the database's name and the checksums of the same snapshot."""
    url = database_url or current_database_url()
    env, name = _pg_env(_conninfo(url))
    progress(f"dumping database {name}")
    # One snapshot for both: the checksums are read in a repeatable-read transaction whose
    # snapshot pg_dump then uses, so the manifest describes exactly what the dump holds.
    with psycopg.connect(_conninfo(url)) as conn, conn.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cur.fetchone()
        checksums = _checksums(cur)
        # Arguments are a list (no shell); the only variable parts are our own paths and names.
        run = subprocess.run(  # noqa: S603
            [
                _tool("pg_dump"),
                "--format=custom",
                # PostGIS's own table: every new PostGIS database has it; we add no rows to it.
                "--exclude-table-data=public.spatial_ref_sys",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={dump}",
                name,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if run.returncode != 0:
        if "No space left on device" in run.stderr:
            raise OSError(errno.ENOSPC, run.stderr.strip())
        raise DomainError("pg_dump_failed", f"pg_dump failed: {run.stderr.strip()}", "สำรองฐานข้อมูลไม่สำเร็จ")
    return name, checksums


def make_manifest(
    name: str, dump: Path, checksums: dict[str, Any], files: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": {"name": name, "file": DUMP, "size": dump.stat().st_size, "sha256": file_sha256(dump)},
        "tables": checksums,
        "media": files,
    }


def is_probe(name: str) -> bool:
    """The readiness probe's short-lived file, never part of a backup."""
    return Path(name).name.startswith(".readyz-")


def _media_from_disk(media_src: Path, dest: Path, progress: Callable[[str], None]) -> list[dict[str, Any]]:
    files = []
    if media_src.exists():
        progress(f"copying media from {media_src}")
        for path in sorted(p for p in media_src.rglob("*") if p.is_file() and not is_probe(p.name)):
            rel = path.relative_to(media_src)
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            files.append({"path": str(rel), "size": target.stat().st_size, "sha256": file_sha256(target)})
    return files


def _media_from_store(dest: Path, progress: Callable[[str], None]) -> list[dict[str, Any]]:
    progress("copying media from the object store")
    files = []
    for name, _size in storage.listing():
        if is_probe(name):
            continue
        target = storage.download(name, dest / name)
        files.append({"path": name, "size": target.stat().st_size, "sha256": file_sha256(target)})
    return files


def verify(backup_dir: str | Path) -> dict[str, Any]:
    """Check every file of a backup against its manifest; raise on the first mismatch."""
    folder = Path(backup_dir)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DomainError(
            "manifest_unreadable", f"No readable manifest in {folder}: {exc}", "อ่านไฟล์ manifest ไม่ได้"
        ) from None
    dump = folder / manifest["database"]["file"]
    if not dump.exists() or file_sha256(dump) != manifest["database"]["sha256"]:
        raise DomainError(
            "backup_corrupt", f"{dump.name} is missing or its checksum differs", "ไฟล์สำรองฐานข้อมูลเสียหาย"
        )
    for entry in manifest["media"]:
        path = folder / "media" / entry["path"]
        if not path.exists() or file_sha256(path) != entry["sha256"]:
            raise DomainError(
                "backup_corrupt", f"media file {entry['path']} is missing or differs", "ไฟล์สื่อเสียหาย"
            )
    return manifest


def restore(
    backup_dir: str | Path,
    *,
    database_url: str | None = None,
    media_root: str | Path | None = None,
    force: bool = False,
    progress: Callable[[str], None] = lambda _m: None,
) -> dict[str, Any]:
    """Restore a verified backup into an empty database (``force`` replaces a non-empty one).

    The media go to ``media_root``, else to the object store when one is configured, else to
    MEDIA_ROOT.
    """
    folder = Path(backup_dir)
    manifest = verify(folder)
    url = database_url or current_database_url()
    restore_database(folder / manifest["database"]["file"], url, force=force, progress=progress)
    for entry in manifest["media"]:
        source = folder / "media" / entry["path"]
        if media_root is None and storage.configured():
            storage.upload(source, entry["path"])
        else:
            dest = Path(media_root or settings.MEDIA_ROOT) / entry["path"]
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest)
    check_restored(manifest, url, progress)
    return manifest


def restore_database(dump: Path, url: str, *, force: bool, progress: Callable[[str], None]) -> None:
    """``pg_restore`` a verified dump into an empty database (``force``: replace what is there)."""
    env, name = _pg_env(_conninfo(url))
    with psycopg.connect(_conninfo(url)) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'"
        )
        (tables,) = cur.fetchone()
    if tables and not force:
        raise DomainError(
            "database_not_empty",
            f"Database {name} already has {tables} tables; restore into an empty database or use --force",
            f"ฐานข้อมูล {name} มีตารางอยู่แล้ว {tables} ตาราง",
        )
    progress(f"restoring database {name}")
    # --no-comments: the only comment in a dump is the postgis extension's, which needs its owner.
    args = [
        _tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--no-comments",
        "--exit-on-error",
        f"--dbname={name}",
    ]
    if force:
        args += ["--clean", "--if-exists"]
    run = subprocess.run(  # noqa: S603 - a list of arguments, no shell
        [*args, str(dump)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise DomainError(
            "pg_restore_failed", f"pg_restore failed: {run.stderr.strip()[:2000]}", "กู้คืนฐานข้อมูลไม่สำเร็จ"
        )


def check_restored(manifest: dict[str, Any], url: str, progress: Callable[[str], None]) -> None:
    """Row counts and table checksums of the restored database against the manifest's."""
    progress("checking row counts and table checksums")
    restored = table_checksums(url)
    differing = sorted(t for t, v in manifest["tables"].items() if restored.get(t) != v)
    if differing:
        raise DomainError(
            "restore_mismatch",
            f"Restored tables differ from the backup: {', '.join(differing)}",
            "ข้อมูลที่กู้คืนไม่ตรงกับข้อมูลสำรอง",
        )
    progress(f"restored {len(restored)} tables and {len(manifest['media'])} media files; checksums match")


def prune(backup_root: str | Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` dated backup folders under ``backup_root``."""
    root = Path(backup_root)
    if not root.exists():
        return []
    folders = sorted(
        (p for p in root.iterdir() if p.is_dir() and (p / MANIFEST).exists()), key=lambda p: p.name
    )
    removed = folders[:-keep] if keep > 0 else []
    for folder in removed:
        shutil.rmtree(folder)
    return removed
