"""Undo of a user's own last change of a parcel, shown before it is done; restore of a retired parcel.

Undo reverses one change: the last change of the parcel, and only when the person asking made it.
:func:`undo_plan` says what undo would do (the fields and shape it puts back, the parcels it
retires and brings back) and a ``token`` naming exactly that plan; :func:`undo_apply` does it only
when the plan is still the same (the token matches), so what the editor confirmed is what happens.

- an edit (shape, code, document, village) → the version before it is saved again as a new
  version (reason ``undo: back to version N``); repeated undos walk further back through the
  user's own edits;
- a split or a merge (asked on one of its new parcels, or on a parcel it retired) → its parcels
  are retired, the parcels it replaced are active again with their buildings;
- the creation of a parcel, a retirement, a restore: not undone. Retiring is an explicit act with
  a reason (:func:`parcels.services.parcel_retire`); a retired parcel is brought back by a
  supervisor with :func:`parcel_restore`.

History is never deleted: every undo and restore is a new history row with who, when and why.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from gis_portal.errors import ConflictError, DomainError, PermissionDeniedError

from . import services, sql
from .models import Building, Parcel, ParcelLineage, RegisterStatus, Village

UNDO_PREFIX = "undo: back to version "
RESTORE_PREFIX = "restore: "
RETIRE_PREFIX = "retire: "
OPERATION_UNDOS = ("undo split", "undo merge")
EDIT_FIELDS = (
    "code",
    "doc_type",
    "doc_number",
    "declared_rai",
    "declared_ngan",
    "declared_wah",
    "village_id",
)
REASON_MAX = 300


@dataclass
class UndoPlan:
    """What undo would do to a parcel, for the editor to confirm."""

    kind: str  # "edit" | "split" | "merge"
    parcel: int
    code: str
    version: int
    summary_en: str
    summary_th: str
    changes: list[dict[str, Any]] = field(default_factory=list)  # [{field, now, after}]
    retire: list[str] = field(default_factory=list)  # codes that become retired
    reactivate: list[str] = field(default_factory=list)  # codes that become active again
    geometry_after: dict[str, Any] | None = None
    to_version: int | None = None
    token: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _records(parcel_id: int) -> list[Any]:
    return list(Parcel.history.filter(id=parcel_id).order_by("-history_date", "-history_id"))


def _by_version(records: list[Any], version: int) -> Any:
    """The record that first produced ``version`` (the oldest one carrying it)."""
    found = [r for r in records if r.version == version]
    return found[-1] if found else None


def _effective(records: list[Any]) -> tuple[Any, int]:
    """The change the parcel's present state comes from, skipping undos: (record, index in records).

    After "undo: back to version N" the parcel is as version N was, so the change to undo next is
    the one that made version N; after "undo split" / "undo merge" it is as it was before the step
    that the split or merge wrote on it.
    """
    index = 0
    for _ in range(len(records) + 1):
        if index >= len(records):
            break
        reason = records[index].history_change_reason or ""
        if reason.startswith(UNDO_PREFIX):
            target = (
                _by_version(records, int(reason[len(UNDO_PREFIX) :] or 0))
                if reason[len(UNDO_PREFIX) :].isdigit()
                else None
            )
            if target is None:
                return records[index], index
            index = records.index(target)
        elif reason in OPERATION_UNDOS:
            index += 2
        else:
            return records[index], index
    raise DomainError("nothing_to_undo", "This parcel has no change left to undo", "แปลงนี้ไม่มีการแก้ไขให้ย้อนกลับ")


def _who(record: Any) -> str:
    return record.history_user.get_username() if record.history_user_id and record.history_user else "-"


def _require_own(record: Any, user: Any, code: str) -> None:
    if record.history_user_id is None or record.history_user_id != getattr(user, "pk", None):
        when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M")
        raise DomainError(
            "not_your_change",
            f"The last change of parcel {code} was made by {_who(record)} on {when}; undo reverses only "
            "your own last change",
            f"การแก้ไขล่าสุดของแปลง {code} ทำโดย {_who(record)} เมื่อ {when} "
            "การย้อนกลับทำได้เฉพาะการแก้ไขล่าสุดของท่านเอง",
        )


def _token(plan: UndoPlan) -> str:
    body = {k: v for k, v in plan.as_dict().items() if k not in ("token", "summary_en", "summary_th")}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _operation_successor(parcel: Parcel, record: Any) -> Parcel | None:
    """The parcel made by the split or merge that ``record`` stands for, if it is one."""
    if record.history_type == "+":
        return parcel if parcel.predecessor_links.exists() else None
    link = parcel.successor_links.select_related("successor").order_by("id").first()
    if link is not None and record.status == RegisterStatus.RETIRED:
        return link.successor
    return None


def undo_plan(*, parcel: Parcel, user: Any) -> UndoPlan:
    """What undoing ``user``'s last change of ``parcel`` would do (nothing is written)."""
    parcel = Parcel.objects.select_related("organisation").get(pk=parcel.pk)  # as stored now
    records = _records(parcel.pk)
    if not records:
        raise DomainError("nothing_to_undo", "This parcel has no history to undo", "แปลงนี้ไม่มีประวัติให้ย้อนกลับ")
    record, index = _effective(records)
    _require_own(record, user, parcel.code)
    successor = _operation_successor(parcel, record)
    if successor is not None:
        plan = _operation_plan(parcel, successor)
    elif record.history_type == "+":
        raise DomainError(
            "nothing_to_undo",
            f"Parcel {parcel.code} has not been changed since it was made; to take it out of the register "
            "use Retire and give the reason",
            f"แปลง {parcel.code} ยังไม่เคยถูกแก้ไขตั้งแต่สร้าง หากต้องการนำออกจากทะเบียน ให้ใช้ "
            "“ยกเลิกรายการนี้” และระบุเหตุผล",
        )
    elif parcel.status != RegisterStatus.ACTIVE or record.status != RegisterStatus.ACTIVE:
        raise DomainError(
            "nothing_to_undo",
            f"The last change of parcel {parcel.code} retired or restored it; a supervisor restores a "
            "retired parcel",
            f"การแก้ไขล่าสุดของแปลง {parcel.code} เป็นการยกเลิกหรือนำแปลงกลับมาใช้ "
            "การนำแปลงที่ยกเลิกแล้วกลับมาใช้ทำได้โดยหัวหน้างาน",
        )
    else:
        previous = records[index + 1] if index + 1 < len(records) else None
        if previous is None or previous.status != RegisterStatus.ACTIVE:
            raise DomainError("nothing_to_undo", "This parcel has no earlier version", "แปลงนี้ไม่มีฉบับก่อนหน้า")
        plan = _edit_plan(parcel, previous)
    plan.token = _token(plan)
    return plan


def _edit_plan(parcel: Parcel, previous: Any) -> UndoPlan:
    changes = []
    for name in EDIT_FIELDS:
        now, after = getattr(parcel, name), getattr(previous, name)
        if now != after:
            if name == "village_id":
                now = Village.objects.filter(pk=now).values_list("number", flat=True).first() if now else None
                after = (
                    Village.objects.filter(pk=after).values_list("number", flat=True).first()
                    if after
                    else None
                )
                name = "village"
            changes.append({"field": name, "now": str(now or ""), "after": str(after or "")})
    if not parcel.geom.equals_exact(previous.geom, 1e-12):
        now_area = round(parcel.area_m2 or 0, 1)
        after_area = round(sql.geodesic_areas([(0, bytes(previous.geom.wkb))]).get(0, 0.0), 1)
        changes.append({"field": "geometry", "now": f"{now_area} m²", "after": f"{after_area} m²"})
    listed = ", ".join(c["field"] for c in changes) or "-"
    return UndoPlan(
        kind="edit",
        parcel=parcel.pk,
        code=parcel.code,
        version=parcel.version,
        to_version=previous.version,
        summary_en=f"Parcel {parcel.code} goes back to version {previous.version} ({listed})",
        summary_th=f"แปลง {parcel.code} จะกลับไปเป็นฉบับที่ {previous.version} ({listed})",
        changes=changes,
        geometry_after=json.loads(previous.geom.geojson),
    )


def _operation_plan(parcel: Parcel, successor: Parcel) -> UndoPlan:
    links = list(successor.predecessor_links.select_related("predecessor").order_by("id"))
    operation = links[0].operation
    predecessors = [link.predecessor for link in links]
    made = list(
        ParcelLineage.objects.filter(predecessor__in=predecessors).select_related("successor").order_by("id")
    )
    successors = list({link.successor.pk: link.successor for link in made}.values())
    retire = [p.code for p in successors]
    back = [p.code for p in predecessors]
    word_en, word_th = ("split", "การแบ่งแปลง") if operation == "split" else ("merge", "การรวมแปลง")
    return UndoPlan(
        kind=operation,
        parcel=parcel.pk,
        code=parcel.code,
        version=parcel.version,
        summary_en=f"Undo the {word_en}: {', '.join(retire)} retired, {', '.join(back)} active again",
        summary_th=f"ย้อน{word_th}: ยกเลิกแปลง {', '.join(retire)} และนำแปลง {', '.join(back)} กลับมาใช้",
        retire=retire,
        reactivate=back,
        geometry_after=json.loads(predecessors[0].geom.geojson) if len(predecessors) == 1 else None,
    )


def _check_version(current: Parcel, expected_version: int | None) -> None:
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(
            "stale_version",
            f"Parcel {current.code} was changed by someone else (version {current.version}); reload it",
            f"แปลง {current.code} ถูกแก้ไขโดยผู้อื่นแล้ว (ฉบับที่ {current.version}) กรุณาโหลดใหม่",
        )


@transaction.atomic
def undo_apply(*, parcel: Parcel, user: Any, expected_version: int | None, token: str) -> Parcel:
    """Do the undo that :func:`undo_plan` showed with ``token``; refused (409) if it changed since."""
    services.lock_register(parcel.organisation_id)
    current = Parcel.objects.select_for_update().get(pk=parcel.pk)
    _check_version(current, expected_version)
    plan = undo_plan(parcel=current, user=user)
    if not token or token != plan.token:
        raise ConflictError(
            "undo_changed",
            "What undo would do has changed since it was shown; look at it again before confirming",
            "สิ่งที่การย้อนกลับจะทำเปลี่ยนไปจากที่แสดง กรุณาตรวจดูอีกครั้งก่อนยืนยัน",
            plan=plan.as_dict(),
        )
    if plan.kind in ("split", "merge"):
        successor = _operation_successor(current, _effective(_records(current.pk))[0])
        return _undo_split_or_merge(successor, user)
    previous = _by_version(_records(current.pk), plan.to_version)
    village = Village.objects.filter(pk=previous.village_id).first() if previous.village_id else None
    return services.parcel_update(
        parcel=current,
        user=user,
        expected_version=current.version,
        geom=previous.geom,
        code=previous.code,
        doc_type=previous.doc_type,
        doc_number=previous.doc_number,
        declared_rai=previous.declared_rai,
        declared_ngan=previous.declared_ngan,
        declared_wah=previous.declared_wah,
        village=village,
        reason=f"{UNDO_PREFIX}{previous.version}",
    )


def parcel_undo_last(*, parcel: Parcel, user: Any, expected_version: int | None = None) -> Parcel:
    """Plan and apply in one go (management scripts and tests; the map always shows the plan first)."""
    plan = undo_plan(parcel=parcel, user=user)
    return undo_apply(parcel=parcel, user=user, expected_version=expected_version, token=plan.token)


def _unchanged_since_made(parcel: Parcel) -> bool:
    """True when the parcel is as its split or merge made it (its own edits all undone)."""
    records = _records(parcel.pk)
    record, _ = _effective(records)
    return record.history_type == "+" and parcel.status == RegisterStatus.ACTIVE


def _undo_split_or_merge(successor: Parcel, user: Any) -> Parcel:
    """Undo the split or merge that made ``successor``: its parcels are retired, the parcels it
    replaced are active again (as they were), buildings go back to where they stood, and the lineage
    of the undone operation is removed (each parcel's history keeps both steps). Refused once any
    parcel of the operation has been changed since. Returns the first parcel made active again.
    """
    links = list(successor.predecessor_links.select_related("predecessor"))
    operation = links[0].operation
    predecessors = [link.predecessor for link in links]
    all_links = list(
        ParcelLineage.objects.filter(predecessor__in=predecessors).select_related("successor").order_by("id")
    )
    successors = list({link.successor.pk: link.successor for link in all_links}.values())
    label = ", ".join(p.code for p in successors)
    if {link.operation for link in all_links} != {operation} or ParcelLineage.objects.filter(
        predecessor__in=successors
    ).exists():
        raise DomainError(
            "undo_not_possible",
            f"{label} were changed again after the {operation}; undo those changes first",
            f"แปลง {label} ถูกแก้ไขต่อหลังการแบ่ง/รวมแปลง กรุณาย้อนการแก้ไขเหล่านั้นก่อน",
        )
    locked = [services._lock_parcel(p, None) for p in sorted(successors, key=lambda p: p.pk)]
    changed = [p.code for p in locked if not _unchanged_since_made(p)]
    if changed:
        raise DomainError(
            "undo_not_possible",
            f"Parcel {', '.join(changed)} was edited after the {operation}; undo that edit first",
            f"แปลง {', '.join(changed)} ถูกแก้ไขหลังการแบ่ง/รวมแปลง กรุณาย้อนการแก้ไขนั้นก่อน",
        )
    olds = list(Parcel.objects.select_for_update().filter(pk__in=[p.pk for p in predecessors]).order_by("pk"))
    if any(p.status != RegisterStatus.RETIRED for p in olds):
        raise DomainError("undo_not_possible", "A parcel it replaced is active again", "แปลงเดิมกลับมาใช้งานแล้ว")
    services._check_code_free(
        successor.organisation, [p.code for p in olds], exclude_ids=[p.pk for p in locked]
    )
    done_at = min(link.created_at for link in all_links)
    # Buildings go back to the parcel (and number) they had just before the operation.
    buildings = list(
        Building.objects.select_for_update()
        .filter(parcel__in=locked, status=RegisterStatus.ACTIVE)
        .order_by("id")
    )
    before = {
        h.id: h
        for h in Building.history.filter(id__in=[b.pk for b in buildings], history_date__lt=done_at).order_by(
            "id", "history_date", "history_id"
        )
    }
    now = timezone.now()
    reason = f"undo {operation}"
    for p in locked:
        p.status = RegisterStatus.RETIRED
        p.retired_at = now
        p.version += 1
        services._with_user(p, user, reason).save()
    for p in olds:
        p.status = RegisterStatus.ACTIVE
        p.retired_at = None
        p.version += 1
        services._with_user(p, user, reason).save()
    services._problems_to_error(
        services.check_parcel_shapes(
            organisation=successor.organisation,
            shapes=[(p.code, p.geom) for p in olds],
            exclude_parcel_ids=[p.pk for p in locked + olds],
        )
    )
    for building in buildings:
        old = before.get(building.pk)
        if old is None or old.parcel_id not in {p.pk for p in olds}:
            raise DomainError(
                "undo_not_possible",
                f"Building {building} was not on these parcels before the {operation}",
                f"อาคาร {building} ไม่ได้อยู่บนแปลงเหล่านี้ก่อนการแบ่ง/รวมแปลง",
            )
        building.parcel_id, building.number = old.parcel_id, old.number
        services._with_user(building, user, reason).save(update_fields=["parcel", "number", "updated_at"])
    ParcelLineage.objects.filter(pk__in=[link.pk for link in all_links]).delete()
    services._tiles_touched(
        successor.organisation_id, ["parcels", "buildings"], *[p.geom for p in olds + locked]
    )
    return olds[0]


# --------------------------------------------------------------------------------------------
# Retire with a reason, restore by a supervisor


def clean_reason(reason: Any) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise DomainError(
            "reason_required",
            "Give the reason (it is kept in the parcel's history)",
            "กรุณาระบุเหตุผล (บันทึกไว้ในประวัติของแปลง)",
            field="reason",
        )
    if len(text) > REASON_MAX or "\x00" in text:
        raise DomainError(
            "reason_too_long",
            f"The reason must be at most {REASON_MAX} characters of text",
            f"เหตุผลต้องเป็นข้อความไม่เกิน {REASON_MAX} ตัวอักษร",
            field="reason",
        )
    return text


def parcel_retire_with_reason(
    *, parcel: Parcel, user: Any, reason: Any, expected_version: int | None
) -> Parcel:
    """Retire a parcel on purpose: the reason is required and kept in its history."""
    return services.parcel_retire(
        parcel=parcel,
        user=user,
        reason=f"{RETIRE_PREFIX}{clean_reason(reason)}",
        expected_version=expected_version,
    )


@transaction.atomic
def parcel_restore(*, parcel: Parcel, user: Any, reason: Any, expected_version: int | None = None) -> Parcel:
    """Bring a retired parcel back into the register (a supervisor's act, with a reason).

    Its code must be free among active parcels and its shape must not overlap an active parcel (a
    parcel replaced by a split or merge comes back by undoing that step, or once its successors
    are retired).
    """
    text = clean_reason(reason)
    if not user.has_perm("parcels.restore_parcel", parcel):
        raise PermissionDeniedError(
            "not_allowed",
            "Only a register supervisor restores a retired parcel",
            "การนำแปลงที่ยกเลิกแล้วกลับมาใช้ทำได้โดยหัวหน้างานทะเบียนเท่านั้น",
        )
    services.lock_register(parcel.organisation_id)
    current = Parcel.objects.select_for_update().get(pk=parcel.pk)
    if current.status != RegisterStatus.RETIRED:
        raise DomainError(
            "not_retired", f"Parcel {current.code} is not retired", f"แปลง {current.code} ไม่ได้ถูกยกเลิก"
        )
    _check_version(current, expected_version)
    services._check_code_free(current.organisation, [current.code], exclude_ids=[current.pk])
    services._problems_to_error(
        services.check_parcel_shapes(
            organisation=current.organisation,
            shapes=[(current.code, current.geom)],
            exclude_parcel_ids=[current.pk],
        )
    )
    current.status = RegisterStatus.ACTIVE
    current.retired_at = None
    current.version += 1
    services._with_user(current, user, f"{RESTORE_PREFIX}{text}").save()
    services._tiles_touched(current.organisation_id, ["parcels"], current.geom)
    return current
