"""Check a packet in: every changed feature merged on its own, conflicts kept for a person.

All or nothing for errors of the packet itself: a broken or truncated file, something that is not a
packet of ours, another organisation's packet, a packet already checked in, a photo it refers to but
that is missing – refused with a clear error before anything is written. Then, in one transaction:

- a change to a feature the office has not touched since the packet was made is merged through the
  register's services (their rules; history with the uploader and "field packet #N");
- a change to a feature the office changed meanwhile is a **conflict**: nothing is overwritten, both
  versions are kept for a person to choose (:mod:`fieldwork.resolve`);
- a change a rule refuses (a footprint off its parcel, a house outside the village) is kept with the
  reason;
- new buildings and households, and features removed in the field, become drafts for review;
- notes, members found and photos are kept with the feature.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from gis_portal.errors import ConflictError, DomainError
from parcels.models import LandUsePortion, Organisation
from parcels.selectors import require_role

from . import register_rows
from .decisions import precheck_new
from .extensions import extra_layer, spec_of
from .merge import MODELS, PHOTO_FIELDS, FeatureChange, apply_change, compare
from .models import CheckIn, CheckInItem, FieldPacket, FieldPhoto, ItemStatus, PacketStatus
from .roles import CHECKIN_ROLES
from .schema import LayerSpec
from .upload import Upload, open_upload, read_identity, read_layers


def reason_for(packet: FieldPacket) -> str:
    return f"field packet #{packet.pk} check-in"


def _find_packet(info: dict[str, Any], organisation: Organisation, name: str) -> FieldPacket:
    packet = (
        FieldPacket.objects.select_related("organisation", "village").filter(uuid=info["packet_uuid"]).first()
    )
    if packet is None:
        raise DomainError(
            "packet_unknown",
            f"{name} is a packet this system does not know (removed, or made on another server)",
            f"ไม่รู้จักชุดข้อมูล {name} (ถูกลบ หรือจัดทำจากเซิร์ฟเวอร์อื่น)",
        )
    if packet.organisation_id != organisation.pk:
        raise DomainError(
            "packet_other_org",
            f"{name} is a packet of another organisation ({info.get('organisation_slug')}), not of "
            f"{organisation.name_en or organisation.slug}: nothing was written",
            f"ไฟล์ {name} เป็นชุดข้อมูลของ อปท. อื่น ไม่ใช่ของ{organisation.name_th} ไม่มีการบันทึกใด ๆ",
        )
    if packet.status != PacketStatus.READY:
        raise DomainError("packet_not_ready", "This packet was never completed", "ชุดข้อมูลนี้จัดทำไม่สำเร็จ")
    return packet


def _already(packet: FieldPacket) -> DomainError:
    done = packet.checkin
    who = done.uploaded_by.get_username() if done.uploaded_by else "-"
    when = timezone.localtime(done.created_at).strftime("%Y-%m-%d %H:%M")
    return DomainError(
        "packet_already_checked_in",
        f"Packet #{packet.pk} was already checked in on {when} by {who}; a packet is checked in once. "
        "Nothing was written",
        f"ชุดข้อมูล #{packet.pk} นำเข้าแล้วเมื่อ {when} โดย {who} นำเข้าได้ครั้งเดียว ไม่มีการบันทึกใด ๆ",
        checkin_id=done.pk,
    )


def _photo_file(upload: Upload, reference: str) -> Path | None:
    """The uploaded file a photo field refers to (relative to the project; else by its name)."""
    wanted = reference.replace("\\", "/").lstrip("./")
    if wanted in upload.photos:
        return upload.photos[wanted]
    by_name = [
        path for rel, path in upload.photos.items() if PurePosixPath(rel).name == PurePosixPath(wanted).name
    ]
    return by_name[0] if len(by_name) == 1 else None


def _photos_needed(
    changes: list[FeatureChange], upload: Upload
) -> list[tuple[FeatureChange, str, str, Path]]:
    """(change, field, reference, file) for every photo the team attached; missing ones refuse the upload."""
    found, missing = [], []
    for change in changes:
        for name in PHOTO_FIELDS:
            reference = change.field_values.get(name)
            if name in change.changed and reference:
                path = _photo_file(upload, reference)
                if path is None:
                    missing.append(reference)
                    continue
                try:
                    with Image.open(path) as image:
                        image.verify()
                except (UnidentifiedImageError, OSError, SyntaxError):
                    raise DomainError(
                        "photo_unreadable",
                        f"Photo {reference} is not a readable image",
                        f"รูปถ่าย {reference} เปิดไม่ได้",
                    ) from None
                found.append((change, name, reference, path))
    if missing:
        raise DomainError(
            "photo_missing",
            f"The packet refers to {len(missing)} photo(s) that are not in the upload "
            f"({', '.join(missing[:5])}); "
            "upload the packet's whole folder as a zip",
            f"ชุดข้อมูลอ้างถึงรูปถ่าย {len(missing)} รูปที่ไม่ได้ส่งมา ({', '.join(missing[:5])}) "
            "กรุณาส่งทั้งโฟลเดอร์ชุดข้อมูลเป็นไฟล์ zip",
            missing=missing,
        )
    return found


def _office_changed(
    packet: FieldPacket, changes: list[FeatureChange]
) -> dict[tuple[str, int], dict[str, Any]]:
    """The register's current row of every feature the office changed (or retired) since the packet."""
    out: dict[tuple[str, int], dict[str, Any]] = {}
    by_layer: dict[str, list[FeatureChange]] = defaultdict(list)
    for change in changes:
        if change.src_id is not None:
            by_layer[change.layer].append(change)
    for layer, items in by_layer.items():
        ids = [c.src_id for c in items]
        current = register_rows.current_rows(layer, ids)
        history = MODELS[layer].history.filter(id__in=ids, history_date__gt=packet.snapshot_at)
        touched = set(history.values_list("id", flat=True))
        if layer == "parcels":
            touched |= set(
                LandUsePortion.history.filter(
                    parcel_id__in=ids, history_date__gt=packet.snapshot_at
                ).values_list("parcel_id", flat=True)
            )
        for change in items:
            row = current.get(change.src_id)
            if row is None:
                continue
            if (
                change.src_id in touched
                or row["version"] != change.packet_values.get("version")
                or row["status"] != "active"
            ):
                out[(layer, change.src_id)] = row
    return out


def packet_specs(packet: FieldPacket) -> list[LayerSpec]:
    """The layers the packet was made with (a layer registered since is not expected back)."""
    specs = [spec_of(name) for name in packet.snapshot]
    missing = [name for name, spec in zip(packet.snapshot, specs, strict=True) if spec is None]
    if missing:
        raise DomainError(
            "layer_unknown",
            f"The packet has layers this server no longer knows: {', '.join(missing)}",
            f"ชุดข้อมูลมีชั้นข้อมูลที่เซิร์ฟเวอร์ไม่รู้จักแล้ว: {', '.join(missing)}",
        )
    return [spec for spec in specs if spec is not None]


def _extra_item(checkin: CheckIn, change: FeatureChange, user: Any, reason: str) -> CheckInItem:
    """A change to a layer another app registered: its own handler decides (in a savepoint)."""
    layer = extra_layer(change.layer)
    if change.kind != "change" or layer is None:
        problem = DomainError(
            "not_from_field",
            f"Features of {change.layer} are not added or removed in the field",
            f"ไม่รับการเพิ่มหรือลบข้อมูลชั้น {change.layer} จากภาคสนาม",
        )
        return _item(checkin, change, status=ItemStatus.REFUSED, **_error_fields(problem))
    if not change.touches_register:
        return _item(checkin, change, status=ItemStatus.NOTED)
    try:
        with transaction.atomic():
            layer.on_change(change, user, reason)
    except DomainError as exc:
        return _item(checkin, change, status=ItemStatus.REFUSED, **_error_fields(exc))
    return _item(checkin, change, status=ItemStatus.MERGED, decided_by=_user(user), decided_at=timezone.now())


def _item(checkin: CheckIn, change: FeatureChange, **fields: Any) -> CheckInItem:
    return CheckInItem(
        checkin=checkin,
        layer=change.layer,
        fid=change.fid,
        src_id=change.src_id,
        kind=change.kind,
        changed_fields=change.changed,
        packet_values=change.packet_values,
        field_values=change.field_values,
        **fields,
    )


def _error_fields(exc: DomainError) -> dict[str, str]:
    return {"error_code": exc.code, "error_en": exc.message_en[:2000], "error_th": exc.message_th[:2000]}


def _merge(
    checkin: CheckIn, packet: FieldPacket, changes: list[FeatureChange], user: Any
) -> list[CheckInItem]:
    office = _office_changed(packet, [c for c in changes if c.kind != "new" and c.layer in MODELS])
    reason = reason_for(packet)
    items = []
    for change in changes:
        key = (change.layer, change.src_id)
        if change.layer not in MODELS:
            items.append(_extra_item(checkin, change, user, reason))
        elif change.kind == "new":
            problem = precheck_new(change, packet)
            status = ItemStatus.REFUSED if change.layer == "parcels" else ItemStatus.DRAFT
            items.append(_item(checkin, change, status=status, **(_error_fields(problem) if problem else {})))
        elif change.kind == "remove":
            if change.layer == "parcels":
                problem = DomainError(
                    "parcel_removed_in_field",
                    "Parcels are not removed from a field packet",
                    "ไม่รับการลบแปลงที่ดินจากชุดข้อมูลภาคสนาม",
                )
                items.append(_item(checkin, change, status=ItemStatus.REFUSED, **_error_fields(problem)))
            elif key in office:
                items.append(
                    _item(
                        checkin,
                        change,
                        status=ItemStatus.CONFLICT,
                        office_values=_json(office[key]),
                        office_version=office[key]["version"],
                    )
                )
            else:
                items.append(_item(checkin, change, status=ItemStatus.DRAFT))
        elif not change.touches_register:
            items.append(_item(checkin, change, status=ItemStatus.NOTED))
        elif key in office:
            items.append(
                _item(
                    checkin,
                    change,
                    status=ItemStatus.CONFLICT,
                    office_values=_json(office[key]),
                    office_version=office[key]["version"],
                )
            )
        else:
            try:
                with transaction.atomic():
                    apply_change(
                        change, user=user, expected_version=change.packet_values["version"], reason=reason
                    )
            except ConflictError:
                row = register_rows.current_rows(change.layer, [change.src_id])[change.src_id]
                items.append(
                    _item(
                        checkin,
                        change,
                        status=ItemStatus.CONFLICT,
                        office_values=_json(row),
                        office_version=row["version"],
                    )
                )
            except DomainError as exc:
                items.append(_item(checkin, change, status=ItemStatus.REFUSED, **_error_fields(exc)))
            else:
                items.append(
                    _item(
                        checkin,
                        change,
                        status=ItemStatus.MERGED,
                        decided_by=_user(user),
                        decided_at=timezone.now(),
                    )
                )
    return CheckInItem.objects.bulk_create(items)


def _json(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.hex() if isinstance(v, bytes) else v) for k, v in row.items()}


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _store_photos(
    checkin: CheckIn, items: list[CheckInItem], photos: list[tuple[FeatureChange, str, str, Path]]
) -> list[str]:
    by_key = {(i.layer, i.fid): i for i in items}
    saved: list[str] = []
    rows = []
    for change, field_name, reference, path in photos:
        item = by_key.get((change.layer, change.fid))
        with path.open("rb") as f:
            name = default_storage.save(
                f"fieldwork/photos/{checkin.packet.uuid}/{change.layer}-{change.fid}-{field_name}{path.suffix}",
                File(f),
            )
        saved.append(name)
        rows.append(
            FieldPhoto(
                organisation_id=checkin.organisation_id,
                checkin=checkin,
                item=item,
                layer=change.layer,
                feature_id=change.src_id,
                fid=change.fid,
                field_name=field_name,
                original_path=reference[:300],
                file=name,
                sha256=_digest(path),
                size=path.stat().st_size,
            )
        )
    FieldPhoto.objects.bulk_create(rows)
    return saved


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_in(
    *,
    path: Path,
    file_name: str,
    organisation: Organisation,
    user: Any,
    expected_packet: FieldPacket | None = None,
) -> CheckIn:
    """Check the uploaded file in (see the module's description); returns the check-in with its items.

    ``expected_packet``: the packet whose page the file was uploaded on; another packet's file is refused.
    """
    require_role(user, organisation, *CHECKIN_ROLES)
    workdir = Path(tempfile.mkdtemp(prefix="checkin-"))
    saved: list[str] = []
    try:
        upload = open_upload(Path(path), file_name, workdir)
        info = read_identity(upload)
        packet = _find_packet(info, organisation, file_name)
        if expected_packet is not None and packet.pk != expected_packet.pk:
            raise DomainError(
                "packet_mismatch",
                f"{file_name} is packet #{packet.pk} (village {packet.village.number}), "
                f"not #{expected_packet.pk}: upload it on its own packet's page",
                f"ไฟล์ {file_name} เป็นชุดข้อมูล #{packet.pk} (หมู่ {packet.village.number}) "
                f"ไม่ใช่ #{expected_packet.pk} กรุณานำเข้าที่หน้าของชุดข้อมูลนั้น",
            )
        if CheckIn.objects.filter(packet=packet).exists():
            raise _already(packet)
        specs = packet_specs(packet)
        returned = read_layers(upload, specs)
        changes = compare(specs, packet.snapshot, returned)
        photos = _photos_needed(changes, upload)
        with transaction.atomic():
            packet = (
                FieldPacket.objects.select_for_update()
                .select_related("organisation", "village")
                .get(pk=packet.pk)
            )
            if CheckIn.objects.filter(packet=packet).exists():
                raise _already(packet)
            checkin = CheckIn.objects.create(
                packet=packet,
                organisation=organisation,
                uploaded_by=_user(user),
                file_name=file_name[:255],
                file_sha256=upload.sha256,
                file_size=upload.size,
            )
            items = _merge(checkin, packet, changes, user)
            saved = _store_photos(checkin, items, photos)
            counts: dict[str, int] = defaultdict(int)
            for item in items:
                counts[item.status] += 1
            counts["photos"] = len(photos)
            counts["unchanged"] = sum(len(v) for v in returned.values()) - sum(
                1 for c in changes if c.kind != "remove"
            )
            checkin.counts = dict(counts)
            checkin.save(update_fields=["counts"])
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return checkin
