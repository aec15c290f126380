"""Open what a field team brings back, and refuse what cannot be a packet of ours, before any write.

Accepted: the packet's GeoPackage alone, or the packet folder zipped (the GeoPackage, its photos
under DCIM/ and, if QGIS left them, the ``-wal`` file). Refused with a clear error: another kind
of file, an unsafe or oversized zip, a GeoPackage cut short (truncated copy) or damaged, a
GeoPackage without a packet's identity or whose identity was altered, layers or columns missing.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from gis_portal.errors import DomainError
from parcels.importers import GPKG_APPLICATION_IDS, untrusted_gdal

from . import conf
from .packet_gpkg import packet_signature
from .schema import INFO_TABLE, PACKET_SRID, LayerSpec

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic"}
ZIP_MAX_MEMBERS = 5000
BASEMAP_SUFFIX = "-basemap.gpkg"


def _refuse(code: str, en: str, th: str, **details: Any) -> DomainError:
    return DomainError(code, en, th, **details)


@dataclass
class Upload:
    name: str
    size: int
    sha256: str
    gpkg: Path
    photos: dict[str, Path] = field(default_factory=dict)  # path relative to the project folder → file


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_member(info: zipfile.ZipInfo) -> bool:
    name = info.filename
    parts = PurePosixPath(name).parts
    return not (
        name.startswith(("/", "\\"))
        or "\\" in name
        or ":" in name
        or ".." in parts
        or (info.external_attr >> 16) & 0o170000 == 0o120000  # a symbolic link
        or info.flag_bits & 0x1  # encrypted
    )


def _from_zip(path: Path, workdir: Path, name: str) -> tuple[Path, dict[str, Path]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refuse(
            "unreadable_file", f"{name} is not a readable zip ({exc})", f"ไฟล์ {name} ไม่ใช่ zip ที่อ่านได้ ({exc})"
        ) from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > ZIP_MAX_MEMBERS or sum(m.file_size for m in members) > conf.checkin_max_bytes() * 2:
            raise _refuse(
                "file_too_large",
                f"{name} holds too many or too large files",
                f"ไฟล์ {name} มีไฟล์ข้างในมากหรือใหญ่เกินไป",
            )
        unsafe = [m.filename for m in members if not _safe_member(m)]
        if unsafe:
            raise _refuse(
                "file_type",
                f"Unsafe entry {unsafe[0][:80]!r} in {name}",
                f"พบรายการที่ไม่ปลอดภัย {unsafe[0][:80]!r} ใน {name}",
            )
        packages = [
            m
            for m in members
            if m.filename.lower().endswith(".gpkg") and not m.filename.endswith(BASEMAP_SUFFIX)
        ]
        if len(packages) != 1:
            raise _refuse(
                "not_a_packet",
                "The zip must hold the packet's GeoPackage (one .gpkg besides the basemap); "
                f"it holds {len(packages)}",
                f"ไฟล์ zip ต้องมี GeoPackage ของชุดข้อมูลหนึ่งไฟล์ (นอกจากแผนที่ฐาน) แต่พบ {len(packages)} ไฟล์",
            )
        package = packages[0]
        folder = PurePosixPath(package.filename).parent
        gpkg = workdir / "packet.gpkg"
        for member in members:
            target = None
            member_path = PurePosixPath(member.filename)
            if member.filename == package.filename:
                target = gpkg
            elif member.filename in (package.filename + "-wal", package.filename + "-journal"):
                target = workdir / ("packet.gpkg" + member.filename[len(package.filename) :])
            if target is not None:
                with archive.open(member) as source, target.open("wb") as out:
                    out.write(source.read())
        photos: dict[str, Path] = {}
        photo_dir = workdir / "photos"
        for i, member in enumerate(members):
            member_path = PurePosixPath(member.filename)
            if member_path.suffix.lower() not in PHOTO_SUFFIXES:
                continue
            if member.file_size > conf.photo_max_bytes():
                raise _refuse(
                    "photo_too_large",
                    f"Photo {member.filename} is larger than {conf.photo_max_bytes():,} bytes",
                    f"รูปถ่าย {member.filename} ใหญ่เกิน {conf.photo_max_bytes():,} ไบต์",
                )
            relative = (
                str(member_path.relative_to(folder))
                if folder != PurePosixPath(".") and member_path.is_relative_to(folder)
                else member.filename
            )
            photo_dir.mkdir(exist_ok=True)
            target = photo_dir / f"{i}{member_path.suffix.lower()}"
            with archive.open(member) as source, target.open("wb") as out:
                out.write(source.read())
            photos[relative] = target
    return gpkg, photos


def check_geopackage(path: Path, name: str) -> None:
    """A whole, undamaged GeoPackage: the SQLite header, the size it declares, SQLite's own check."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(100)
    if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
        raise _refuse("file_type", f"{name} is not a GeoPackage", f"ไฟล์ {name} ไม่ใช่ GeoPackage")
    if head[68:72] not in GPKG_APPLICATION_IDS:
        raise _refuse(
            "file_type",
            f"{name} is an SQLite database, not a GeoPackage",
            f"ไฟล์ {name} เป็นฐานข้อมูล SQLite ที่ไม่ใช่ GeoPackage",
        )
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    declared_valid = head[92:96] == head[24:28]
    if declared_valid and pages and size < pages * page_size:
        raise _refuse(
            "gpkg_truncated",
            f"{name} is cut short: {size:,} of {pages * page_size:,} bytes. Copy it from the device again "
            "(close the project in QGIS/QField first)",
            f"ไฟล์ {name} ไม่ครบ: มี {size:,} จาก {pages * page_size:,} ไบต์ กรุณาคัดลอกจากเครื่องอีกครั้ง "
            "(ปิดโปรเจกต์ใน QGIS/QField ก่อน)",
            size=size,
            expected=pages * page_size,
        )
    if size % page_size:
        raise _refuse(
            "gpkg_truncated",
            f"{name} is cut short (not a whole number of pages)",
            f"ไฟล์ {name} ไม่ครบ (ขนาดไม่ลงตัวตามหน้า)",
        )
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = [row[0] for row in con.execute("PRAGMA quick_check")]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        result = [str(exc)]
    if result != ["ok"]:
        raise _refuse(
            "gpkg_damaged",
            f"{name} is damaged ({'; '.join(result)[:200]}); copy it again",
            f"ไฟล์ {name} เสียหาย ({'; '.join(result)[:200]}) กรุณาคัดลอกใหม่",
        )


def open_upload(path: Path, name: str, workdir: Path) -> Upload:
    size = path.stat().st_size
    if size > conf.checkin_max_bytes():
        raise _refuse(
            "file_too_large",
            f"{name} is larger than {conf.checkin_max_bytes():,} bytes",
            f"ไฟล์ {name} ใหญ่เกิน {conf.checkin_max_bytes():,} ไบต์",
        )
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(b"PK\x03\x04"):
        gpkg, photos = _from_zip(path, workdir, name)
    elif head.startswith(b"SQLite format 3\x00"):
        gpkg, photos = workdir / "packet.gpkg", {}
        gpkg.write_bytes(path.read_bytes())
    else:
        raise _refuse(
            "file_type",
            f"{name} is neither the packet's GeoPackage nor a zip of its folder",
            f"ไฟล์ {name} ไม่ใช่ GeoPackage ของชุดข้อมูลหรือ zip ของโฟลเดอร์ชุดข้อมูล",
        )
    check_geopackage(gpkg, name)
    return Upload(name=name, size=size, sha256=_sha256(path), gpkg=gpkg, photos=photos)


def read_identity(upload: Upload) -> dict[str, Any]:
    """The packet_info row, its signature checked."""
    try:
        con = sqlite3.connect(f"file:{upload.gpkg}?mode=ro", uri=True)
        try:
            con.row_factory = sqlite3.Row
            rows = [dict(r) for r in con.execute(f"SELECT * FROM {INFO_TABLE}")]  # noqa: S608 (constant)
        finally:
            con.close()
    except sqlite3.DatabaseError:
        rows = []
    if len(rows) != 1:
        raise _refuse(
            "not_a_packet",
            f"{upload.name} is not a field packet of this system (no packet_info)",
            f"ไฟล์ {upload.name} ไม่ใช่ชุดข้อมูลภาคสนามของระบบนี้ (ไม่มี packet_info)",
        )
    info = rows[0]
    expected = packet_signature(
        str(info.get("packet_uuid")), str(info.get("organisation_slug")), int(info.get("village_no") or 0)
    )
    if not hmac.compare_digest(str(info.get("signature") or ""), expected):
        raise _refuse(
            "packet_signature",
            f"The identity of {upload.name} was altered or it was not made here",
            f"ข้อมูลประจำชุดของไฟล์ {upload.name} ถูกแก้ไข หรือไม่ได้จัดทำจากระบบนี้",
        )
    return info


def read_layers(upload: Upload, specs: list[LayerSpec]) -> dict[str, dict[int, dict[str, Any]]]:
    """Every feature of the packet's layers: ``{layer: {fid: {column: value, "geometry": shapely}}}``."""
    import pyogrio

    layers: dict[str, dict[int, dict[str, Any]]] = {}
    try:
        with untrusted_gdal():
            present = {name for name, _gtype in pyogrio.list_layers(str(upload.gpkg))}
            for spec in specs:
                if spec.name not in present:
                    raise _refuse(
                        "layer_missing",
                        f"Layer {spec.name} is missing from {upload.name}",
                        f"ไม่พบชั้นข้อมูล {spec.name} ในไฟล์ {upload.name}",
                    )
                frame = pyogrio.read_dataframe(str(upload.gpkg), layer=spec.name, fid_as_index=True)
                missing = [c.name for c in spec.columns if c.name not in frame.columns]
                if missing:
                    raise _refuse(
                        "layer_columns",
                        f"Layer {spec.name} lacks {', '.join(missing)}",
                        f"ชั้นข้อมูล {spec.name} ไม่มีคอลัมน์ {', '.join(missing)}",
                    )
                if frame.crs is None or frame.crs.to_epsg() != PACKET_SRID:
                    raise _refuse(
                        "layer_crs",
                        f"Layer {spec.name} is not in EPSG:{PACKET_SRID} any more",
                        f"ชั้นข้อมูล {spec.name} ไม่ได้อยู่ในระบบพิกัด EPSG:{PACKET_SRID}",
                    )
                rows = {}
                for fid, record in zip(frame.index, frame.to_dict("records"), strict=True):
                    record["geometry"] = record.get("geometry")
                    rows[int(fid)] = record
                layers[spec.name] = rows
    except DomainError:
        raise
    except Exception as exc:  # pyogrio raises several error types for damaged files
        raise _refuse(
            "gpkg_damaged", f"Cannot read {upload.name}: {exc}", f"อ่านไฟล์ {upload.name} ไม่ได้: {exc}"
        ) from None
    return layers
