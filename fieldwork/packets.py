"""Make a village field packet: the register's rows, the offline basemap and the QGIS project.

The packet folder (``<org>-mNN-<id>/``) holds the project (.qgz), the GeoPackage of the village's
parcels, buildings and households, the basemap GeoPackage, an empty ``DCIM/`` for photos and a short
README; it is stored zipped in the default storage. The rows written are kept as the packet's
snapshot, the base of the check-in's comparison.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from shapely import wkb as shapely_wkb
from shapely.ops import unary_union

from drone_ingest.models import ImageryKind
from drone_ingest.selectors import imagery_covering
from gis_portal.audit import log as audit_log
from gis_portal.audit.models import ActorKind, AuditAction
from gis_portal.errors import DomainError
from parcels.models import Organisation, Village
from parcels.selectors import require_role

from . import conf, register_rows
from .basemap import build_basemap
from .extensions import extra_layers
from .models import FieldPacket, PacketStatus
from .packet_gpkg import packet_info, write_info, write_layer
from .qgis_project import ProjectLayer, project_xml, write_qgz
from .roles import MAKE_ROLES
from .schema import PHOTO_DIR, REGISTER_LAYERS

Progress = Callable[[int, str], None]
README = """ชุดข้อมูลภาคสนาม {village} ({org}) / Field packet {village} ({org})

TH: เปิด {slug}.qgz ด้วย QGIS หรือ QField (คัดลอกทั้งโฟลเดอร์ลงเครื่อง) แก้ไขชั้นข้อมูลแปลงที่ดิน อาคาร และครัวเรือน
    รูปถ่ายเก็บในโฟลเดอร์ DCIM เมื่อกลับมา ปิดโปรเจกต์แล้วนำส่งไฟล์ {slug}.gpkg (หรือ zip ทั้งโฟลเดอร์เมื่อมีรูปถ่าย)
    ที่หน้า "งานภาคสนาม" ของระบบ ชุดข้อมูลนี้นำส่งได้ครั้งเดียว
EN: Open {slug}.qgz in QGIS or QField (copy the whole folder to the device). Edit the parcels, buildings
    and households layers; photos go to the DCIM folder. Back in the office, close the project and upload
    {slug}.gpkg (or the whole folder zipped when there are photos) on the "Field work" page. A packet can
    be checked in once.
Made / ทำเมื่อ {made} by / โดย {user}. Basemap / แผนที่ฐาน: {basemap}
"""


def request_packet(*, organisation: Organisation, village: Village, user: Any, team: str = "") -> FieldPacket:
    """A packet to be made (by :func:`build_packet`, usually on a worker)."""
    require_role(user, organisation, *MAKE_ROLES)
    if village.organisation_id != organisation.pk:
        raise DomainError(
            "village_other_org", "The village belongs to another organisation", "หมู่บ้านเป็นของ อปท. อื่น"
        )
    return FieldPacket.objects.create(
        organisation=organisation, village=village, created_by=user, team=(team or "").strip()[:200]
    )


def _set(packet: FieldPacket, **fields: Any) -> None:
    for key, value in fields.items():
        setattr(packet, key, value)
    FieldPacket.objects.filter(pk=packet.pk).update(**fields)


def _imagery(packet: FieldPacket) -> tuple[list[Any], Any]:
    """The ready orthomosaics over the village (newest first) and the part of it they cover."""
    village = packet.village
    orthos = imagery_covering([packet.organisation_id], village.boundary.extent, kind=ImageryKind.ORTHO)
    boundary = shapely_wkb.loads(bytes(village.boundary.wkb))
    covered = [o for o in orthos if o.footprint is not None]
    if not covered:
        return [], None
    union = unary_union([shapely_wkb.loads(bytes(o.footprint.wkb)) for o in covered])
    clip = boundary.intersection(union)
    return covered, (None if clip.is_empty else clip)


def _basemap(packet: FieldPacket, folder: Path, slug: str, progress: Progress) -> dict[str, Any]:
    orthos, clip = _imagery(packet)
    if not orthos or clip is None:
        return {"present": False}
    resolution = min(o.ground_resolution_m or 0.1 for o in orthos)
    title = "ภาพถ่ายทางอากาศ / Imagery " + ", ".join(
        sorted({o.captured_on.isoformat() for o in orthos}, reverse=True)
    )
    result = build_basemap(
        folder / f"{slug}-basemap.gpkg",
        cog_paths=[o.cog_path for o in orthos],
        clip_4326=clip,
        ground_resolution_m=resolution,
        budget_bytes=conf.basemap_max_bytes(),
        title=title,
        progress=lambda f: progress(15 + int(f * 75), "basemap"),
    )
    if result is None:
        return {"present": False}
    return {
        "present": True,
        "file": result.path.name,
        "title": title,
        "orthomosaics": [o.pk for o in orthos],
        "captured": sorted({o.captured_on.isoformat() for o in orthos}, reverse=True),
        "min_zoom": result.plan.min_zoom,
        "max_zoom": result.plan.max_zoom,
        "native_zoom": result.plan.native_zoom,
        "tiles": result.tiles,
        "bytes": result.bytes,
        "bounds_3857": list(result.bounds_3857),
    }


def _write_folder(packet: FieldPacket, folder: Path, progress: Progress) -> dict[str, Any]:
    slug = packet.slug
    village = packet.village
    progress(2, "register")
    snapshot_at = timezone.now()
    rows = register_rows.village_rows(village, [spec.name for spec in REGISTER_LAYERS])
    for extra in extra_layers():
        rows[extra.spec.name] = extra.rows(village)
    specs = [*REGISTER_LAYERS, *(extra.spec for extra in extra_layers())]
    data = folder / f"{slug}.gpkg"
    progress(8, "geopackage")
    for spec in specs:
        write_layer(data, spec, rows[spec.name])
    write_info(data, packet_info(packet))
    basemap = _basemap(packet, folder, slug, progress)
    progress(92, "project")
    extent = basemap.get("bounds_3857") or list(village.boundary.transform(3857, clone=True).extent)
    xml = project_xml(
        title=f"หมู่ {village.number} {village.name_th} – {packet.organisation.name_th} (#{packet.pk})",
        layers=[ProjectLayer(spec, f"./{data.name}|layername={spec.name}") for spec in specs],
        basemap_source=f"./{basemap['file']}" if basemap["present"] else None,
        basemap_title=basemap.get("title", ""),
        extent_3857=tuple(extent),
    )
    write_qgz(folder / f"{slug}.qgz", xml)
    (folder / PHOTO_DIR).mkdir()
    (folder / "README.txt").write_text(
        README.format(
            village=f"หมู่ {village.number} {village.name_th}",
            org=packet.organisation.name_th,
            slug=slug,
            made=timezone.localtime(packet.created_at).strftime("%Y-%m-%d %H:%M"),
            user=packet.created_by.get_username() if packet.created_by else "-",
            basemap=", ".join(basemap.get("captured", [])) or "ไม่มีภาพ / none",
        ),
        encoding="utf-8",
    )
    snapshot = {
        name: {str(fid): {**row, "wkb": row["wkb"].hex()} for fid, row in enumerate(layer_rows, start=1)}
        for name, layer_rows in rows.items()
    }
    return {
        "snapshot_at": snapshot_at,
        "snapshot": snapshot,
        "counts": {name: len(layer_rows) for name, layer_rows in rows.items()},
        "basemap": basemap,
    }


def _zip(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        archive.writestr(f"{folder.name}/{PHOTO_DIR}/", b"")
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                # Tiles are JPEG/PNG already: storing them again compressed gains nothing.
                kind = zipfile.ZIP_STORED if path.name.endswith("-basemap.gpkg") else zipfile.ZIP_DEFLATED
                archive.write(path, f"{folder.name}/{path.relative_to(folder)}", compress_type=kind)


def _audit(packet: FieldPacket) -> None:
    """Heads of household are named in the packet: an export of personal data (names only)."""
    ids = register_rows.head_party_ids(packet.village)
    user = packet.created_by
    audit_log.record(
        None,
        kind=audit_log.PARTY,
        ids_by_organisation={packet.organisation_id: ids},
        purpose="field packet",
        action=AuditAction.EXPORT,
        masked_ids=ids,
        detail={"packet": packet.pk, "village": packet.village.number, "fields": ["head_name"]},
        actor=(ActorKind.STAFF, user, user.get_username()) if user else audit_log.command_actor(),
    )


def build_packet(packet_id: int, progress: Progress | None = None) -> FieldPacket:
    """Make the packet's files; on failure the packet says why (status failed) and nothing is stored."""
    packet = FieldPacket.objects.select_related("organisation", "village", "created_by").get(pk=packet_id)
    started = time.monotonic()

    def report(pct: int, stage: str) -> None:
        if pct != packet.progress or stage != packet.stage:
            _set(packet, progress=pct, stage=stage)
        if progress:
            progress(pct, stage)

    tmp = Path(tempfile.mkdtemp(prefix="fieldpacket-"))
    try:
        folder = tmp / packet.slug
        folder.mkdir()
        made = _write_folder(packet, folder, report)
        report(96, "zip")
        archive = tmp / f"{packet.slug}.zip"
        _zip(folder, archive)
        with archive.open("rb") as f:
            name = default_storage.save(f"fieldwork/packets/{packet.uuid}/{archive.name}", File(f))
        with transaction.atomic():
            _set(
                packet,
                status=PacketStatus.READY,
                progress=100,
                stage="ready",
                file_name=name,
                file_size=archive.stat().st_size,
                build_seconds=round(time.monotonic() - started, 2),
                **made,
            )
            _audit(packet)
    except DomainError as exc:
        _set(
            packet,
            status=PacketStatus.FAILED,
            error_code=exc.code,
            error_en=exc.message_en,
            error_th=exc.message_th,
        )
        raise
    except Exception as exc:
        _set(
            packet,
            status=PacketStatus.FAILED,
            error_code="packet_failed",
            error_en=f"The packet could not be made: {exc}",
            error_th=f"จัดทำชุดข้อมูลไม่สำเร็จ: {exc}",
        )
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return packet
