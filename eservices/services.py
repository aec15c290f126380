"""Changes of state in the resident portal: sticker tokens, requests, photos (verification apart)."""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from gis_portal.errors import (
    DomainError,
    NotFoundError,
    Problem,
    ValidationProblems,
    disk_full_error,
    is_disk_full,
)
from gis_portal.once.models import FormSubmission
from gis_portal.once.services import first_result, submit_once
from parcels.models import Household, Organisation

from . import conf, events
from .models import (
    HouseholdToken,
    RequestAttachment,
    RequestEvent,
    ServiceRequest,
    ServiceType,
)

# --- sticker tokens ------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(conf.TOKEN_BYTES)


@transaction.atomic
def token_issue(*, household: Household, user: Any = None) -> str:
    """A new sticker token for one household; the household's previous sticker stops working."""
    return tokens_issue(households=[household], user=user)[household.pk]


@transaction.atomic
def tokens_issue(*, households: Sequence[Household], user: Any = None) -> dict[int, str]:
    """New tokens for many households at once (two queries); returns {household id: token}."""
    ids = [h.pk for h in households]
    HouseholdToken.objects.filter(household_id__in=ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    tokens = {pk: new_token() for pk in ids}
    HouseholdToken.objects.bulk_create(
        [
            HouseholdToken(household_id=pk, token_hash=hash_token(tok), created_by=user)
            for pk, tok in tokens.items()
        ]
    )
    return tokens


def token_revoke(*, household: Household) -> int:
    """Kill the household's sticker without issuing a new one; returns how many were revoked."""
    return HouseholdToken.objects.filter(household=household, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def sticker_url(token: str) -> str:
    return f"{conf.PUBLIC_BASE_URL}/h/{token}/"


# --- photos ------------------------------------------------------------------------------------


@dataclass
class CleanPhoto:
    content: bytes
    content_type: str
    ext: str
    width: int
    height: int


def photo_clean(upload: Any, *, field: str = "photo") -> CleanPhoto:
    """Check an uploaded photo (size, real JPEG/PNG/WEBP) and re-encode it without EXIF or GPS tags."""
    size = getattr(upload, "size", None) or 0
    if size > conf.PHOTO_MAX_BYTES:
        raise ValidationProblems(
            [
                Problem(
                    field,
                    "photo_too_large",
                    f"The photo is larger than {conf.PHOTO_MAX_BYTES // (1024 * 1024)} MB",
                    f"รูปใหญ่เกิน {conf.PHOTO_MAX_BYTES // (1024 * 1024)} MB",
                )
            ]
        )
    raw = upload.read(conf.PHOTO_MAX_BYTES + 1)
    if len(raw) > conf.PHOTO_MAX_BYTES:
        raise ValidationProblems([Problem(field, "photo_too_large", "The photo is too large", "รูปใหญ่เกินไป")])
    not_image = Problem(
        field, "not_an_image", "Only JPEG, PNG or WEBP photos", "รับเฉพาะรูปภาพ JPEG, PNG หรือ WEBP"
    )
    try:
        # Only the JPEG, PNG and WEBP decoders may look at the bytes (never EPS, PDF, TIFF, ...).
        with Image.open(io.BytesIO(raw), formats=list(conf.PHOTO_FORMATS)) as probe:
            fmt = probe.format
            if fmt not in conf.PHOTO_FORMATS or probe.width * probe.height > conf.PHOTO_MAX_PIXELS:
                raise ValidationProblems([not_image])
            probe.verify()
        with Image.open(io.BytesIO(raw), formats=[fmt]) as img:
            img = ImageOps.exif_transpose(img)
            img.thumbnail((conf.PHOTO_MAX_SIDE, conf.PHOTO_MAX_SIDE))
            out = io.BytesIO()
            if fmt == "JPEG":
                img.convert("RGB").save(out, "JPEG", quality=82, optimize=True)
            elif fmt == "PNG":
                img.save(out, "PNG", optimize=True)
            else:
                img.save(out, "WEBP", quality=80)
            width, height = img.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationProblems([not_image]) from None
    ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[fmt]
    return CleanPhoto(out.getvalue(), conf.PHOTO_FORMATS[fmt], ext, width, height)


# --- requests ----------------------------------------------------------------------------------


def form_clean(service_type: ServiceType, raw: dict[str, Any]) -> dict[str, Any]:
    """The form's values checked against the service type's field list (raises with every problem)."""
    problems: list[Problem] = []
    data: dict[str, Any] = {}
    for spec in service_type.form_fields or []:
        name = spec["name"]
        value = str(raw.get(name, "") or "").strip()
        label_th, label_en = spec.get("label_th", name), spec.get("label_en", name)
        if not value:
            if spec.get("required"):
                problems.append(Problem(name, "required", f"{label_en} is required", f"กรุณากรอก{label_th}"))
            continue
        kind = spec.get("type", "text")
        if len(value) > (4000 if kind == "textarea" else 200):
            problems.append(Problem(name, "too_long", f"{label_en} is too long", f"{label_th} ยาวเกินไป"))
            continue
        if kind == "number":
            try:
                value = str(Decimal(value))
            except ArithmeticError:
                problems.append(
                    Problem(name, "not_a_number", f"{label_en}: a number", f"{label_th}: ต้องเป็นตัวเลข")
                )
                continue
        elif kind == "date":
            try:
                value = date.fromisoformat(value).isoformat()
            except ValueError:
                problems.append(Problem(name, "not_a_date", f"{label_en}: a date", f"{label_th}: ต้องเป็นวันที่"))
                continue
        elif kind == "choice":
            allowed = [str(c[0]) for c in spec.get("choices", [])]
            if value not in allowed:
                problems.append(
                    Problem(
                        name, "bad_choice", f"{label_en}: pick from the list", f"{label_th}: เลือกจากรายการ"
                    )
                )
                continue
        elif kind == "tel" and not all(ch.isdigit() or ch in " -+" for ch in value):
            problems.append(Problem(name, "bad_phone", f"{label_en}: digits only", f"{label_th}: ตัวเลขเท่านั้น"))
            continue
        data[name] = value
    if problems:
        raise ValidationProblems(problems)
    return data


def _point(lon: Any, lat: Any) -> Point | None:
    try:
        lon_f, lat_f = float(lon), float(lat)
    except (TypeError, ValueError):
        return None
    if not (-180 <= lon_f <= 180 and -90 <= lat_f <= 90):
        return None
    return Point(lon_f, lat_f, srid=4326)


def service_request_submit(
    *,
    household: Household,
    service_type: ServiceType,
    nonce: str,
    form: dict[str, Any] | None = None,
    pin: tuple[Any, Any] | None = None,
    gps: tuple[Any, Any] | None = None,
    gps_accuracy_m: Any = None,
    contact_phone: str = "",
    photos: Iterable[tuple[str, Any]] = (),
) -> tuple[ServiceRequest, bool]:
    """File a request for a household; a replayed form (same nonce) returns the first request.

    The place is the household's point unless the resident moved the pin, and must lie in the
    organisation's area. Photos are checked and re-encoded before anything is written.
    """
    if not isinstance(nonce, str) or not nonce or len(nonce) > 64 or "\x00" in nonce:
        raise DomainError("bad_nonce", "The form has expired; open it again.", "แบบฟอร์มหมดอายุ กรุณาเปิดใหม่")
    form_name = request_form(household, service_type)
    if FormSubmission.objects.filter(key=nonce).exists():
        return first_result(key=nonce, form=form_name), False
    if service_type.organisation_id != household.organisation_id or not service_type.active:
        raise NotFoundError("service_not_found", "No such service", "ไม่พบบริการนี้")
    problems: list[Problem] = []
    data: dict[str, Any] = {}
    try:
        data = form_clean(service_type, form or {})
    except ValidationProblems as exc:
        problems.extend(exc.problems)
    location, moved = household.location, False
    if pin and any(v not in (None, "") for v in pin):
        point = _point(*pin)
        inside = (
            point is not None
            and Organisation.objects.filter(
                pk=household.organisation_id, boundary__dwithin=(point, 0.01)
            ).exists()
        )
        if not inside:
            problems.append(
                Problem("pin", "pin_outside", "The pin is outside the subdistrict", "หมุดอยู่นอกเขตตำบล")
            )
        else:
            moved = point.distance(household.location) > 1e-7
            location = point
    gps_point = _point(*gps) if gps and all(v not in (None, "") for v in gps) else None
    cleaned: list[tuple[str, CleanPhoto]] = []
    for name, upload in photos:
        if upload is None:
            continue
        try:
            cleaned.append((name, photo_clean(upload, field=name)))
        except ValidationProblems as exc:
            problems.extend(exc.problems)
    sent = {name for name, _ in cleaned}
    for spec in service_type.required_attachments or []:
        if spec.get("required") and spec["name"] not in sent:
            problems.append(
                Problem(
                    spec["name"],
                    "required",
                    f"{spec.get('label_en', 'photo')} is required",
                    f"กรุณาแนบ{spec.get('label_th', 'รูปภาพ')}",
                )
            )
    if problems:
        raise ValidationProblems(problems)
    try:
        accuracy = float(gps_accuracy_m) if gps_point and gps_accuracy_m not in (None, "") else None
    except ValueError:
        accuracy = None
    written: list[str] = []

    def create() -> ServiceRequest:
        req = ServiceRequest.objects.create(
            organisation_id=household.organisation_id,
            household=household,
            service_type=service_type,
            status=service_type.initial_state,
            location=location,
            pin_moved=moved,
            gps=gps_point,
            gps_accuracy_m=accuracy,
            data=data,
            contact_phone=contact_phone[:20],
            fee=service_type.fee,
            nonce=nonce,
            due_at=timezone.now() + timedelta(days=service_type.target_days),
        )
        RequestEvent.objects.create(request=req, to_status=req.status, by_resident=True)
        for name, photo in cleaned:
            att = RequestAttachment(
                request=req,
                name=name[:40],
                content_type=photo.content_type,
                size=len(photo.content),
                width=photo.width,
                height=photo.height,
            )
            filename = f"r{req.pk}-{secrets.token_hex(6)}.{photo.ext}"
            written.append(att.file.field.generate_filename(att, filename))
            att.file.save(filename, ContentFile(photo.content), save=False)
            att.save()
        return req

    try:
        # One request per form shown: a copy sent again (back button, double click, two at once) gets
        # the first one (gis_portal.once).
        return submit_once(key=nonce, form=form_name, create=create)
    except OSError as exc:
        # The rows are rolled back; remove the photos (or the half-written one) stored before the error.
        for stored in written:
            RequestAttachment.file.field.storage.delete(stored)
        if is_disk_full(exc):
            raise disk_full_error("the request and its photos", "คำร้องและรูปภาพ") from None
        raise


def request_form(household: Household, service_type: ServiceType) -> str:
    """The name under which a household's form of one service is kept once (one key per form shown)."""
    return f"eservices.request:h{household.pk}:{service_type.code}"


@transaction.atomic
def request_change_status(*, request_id: int, to_status: str, comment: str = "", user: Any) -> ServiceRequest:
    """Move a request to another state of its type's workflow, with a comment the resident sees."""
    req = ServiceRequest.objects.select_for_update().select_related("service_type").get(pk=request_id)
    state = req.service_type.state(to_status)
    if state is None:
        raise DomainError("bad_status", f"Unknown status {to_status!r}", f"ไม่รู้จักสถานะ {to_status!r}")
    if to_status == req.status and not comment.strip():
        raise DomainError(
            "no_change", "Choose another status or write a comment", "กรุณาเลือกสถานะใหม่หรือเขียนหมายเหตุ"
        )
    RequestEvent.objects.create(
        request=req, from_status=req.status, to_status=to_status, comment=comment.strip()[:2000], actor=user
    )
    from_status = req.status
    req.status = to_status
    req.is_open = not state.get("final", False)
    req.closed_at = None if req.is_open else timezone.now()
    req.save(update_fields=["status", "is_open", "closed_at", "updated_at"])
    transaction.on_commit(
        lambda: events.request_status_changed.send(
            sender=ServiceRequest,
            request_id=req.pk,
            from_status=from_status,
            to_status=to_status,
            comment=comment.strip()[:2000],
        )
    )
    return req


@transaction.atomic
def request_assign(*, request_id: int, assignee: Any, user: Any) -> ServiceRequest:
    """Give a request to a service officer of its organisation (None: unassign)."""
    from gis_portal.roles import SERVICE_OFFICER
    from parcels.selectors import user_has_role

    req = ServiceRequest.objects.select_for_update().get(pk=request_id)
    if assignee is not None and not user_has_role(assignee, req.organisation_id, SERVICE_OFFICER):
        raise DomainError(
            "bad_assignee",
            "That person is not a service officer of this office",
            "ผู้นี้ไม่ใช่เจ้าหน้าที่บริการของ อปท. นี้",
        )
    req.assigned_to = assignee
    req.save(update_fields=["assigned_to", "updated_at"])
    return req


def stickers_print(*, households: Sequence[Household], user: Any = None) -> bytes:
    """Issue new tokens for these households (their old stickers stop working) and render the PDF.

    Only hashes are stored, so a sticker can be printed only when its token is issued.
    """
    from .stickers import render_stickers, stickers_for

    households = list(households)
    # Rendered inside the transaction: if the PDF fails, the old stickers keep working.
    with transaction.atomic():
        tokens = tokens_issue(households=households, user=user)
        return render_stickers(stickers_for(households, tokens, sticker_url))
