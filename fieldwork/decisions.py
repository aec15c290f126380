"""A person's decisions on what a check-in left open.

New buildings and households from the field are drafts: checked against the register's rules when
they come back, written only when a person accepts them (through the register's services). Features
removed in the field are drafts too: accepting one retires the register row. A conflict (the office
changed the feature too) is settled by keeping the office's version or writing the field's over it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from gis_portal.errors import DomainError
from parcels import services
from parcels.models import Building, Household, Parcel, RegisterStatus, Village
from parcels.selectors import require_role

from .merge import FeatureChange, apply_change
from .models import CheckInItem, FieldPhoto, ItemKind, ItemStatus
from .roles import CHECKIN_ROLES


def _parcel_under(organisation_id: int, footprint: Any) -> Parcel:
    inside = footprint.point_on_surface
    parcel = Parcel.objects.filter(
        organisation_id=organisation_id, status=RegisterStatus.ACTIVE, geom__intersects=inside
    ).first()
    if parcel is None:
        raise DomainError(
            "building_no_parcel",
            "The new building does not stand on any parcel of the register",
            "อาคารใหม่ไม่อยู่บนแปลงที่ดินใดในทะเบียน",
        )
    return parcel


def _building_fields(values: dict[str, Any]) -> dict[str, Any]:
    missing = [name for name in ("building_type", "material") if not values.get(name)]
    if missing:
        raise DomainError(
            "missing_value",
            f"The new building has no {' or '.join(missing)}",
            "อาคารใหม่ยังไม่ได้ระบุ"
            + (" ประเภท" if "building_type" in missing else "")
            + (" วัสดุ" if "material" in missing else ""),
        )
    area = values.get("floor_area_m2")
    return {
        "building_type": values["building_type"],
        "material": values["material"],
        "storeys": values.get("storeys") or 1,
        "floor_area_m2": Decimal(str(area)).quantize(Decimal("0.01")) if area else None,
        "year_built": values.get("year_built"),
    }


def _household_place(organisation_id: int, location: Point, house_number: str | None) -> Village:
    if not house_number:
        raise DomainError("missing_value", "The new household has no house number", "บ้านใหม่ยังไม่ได้ระบุบ้านเลขที่")
    village = Village.objects.filter(organisation_id=organisation_id, boundary__intersects=location).first()
    if village is None:
        raise DomainError(
            "household_outside_villages",
            "The point is not inside any village of this organisation",
            "ตำแหน่งบ้านไม่อยู่ในหมู่บ้านใดของ อปท. นี้",
        )
    if Household.objects.filter(
        village=village, house_number=house_number.strip(), status=RegisterStatus.ACTIVE
    ).exists():
        raise DomainError(
            "house_number_taken",
            f"House number {house_number} is already in village {village.number}",
            f"บ้านเลขที่ {house_number} มีอยู่แล้วในหมู่ที่ {village.number}",
        )
    return village


def precheck_new(change: FeatureChange, packet: Any) -> DomainError | None:
    """The rule a new feature would break if accepted as it is (None: it would pass today)."""
    geometry = change.geometry
    try:
        if change.layer == "parcels":
            return DomainError(
                "parcel_from_field",
                "New parcels are not made from a field packet; survey them and draw them on the staff map",
                "ไม่รับแปลงใหม่จากชุดข้อมูลภาคสนาม กรุณารังวัดแล้ววาดบนแผนที่ของสำนักงาน",
            )
        if geometry is None:
            return DomainError("no_geometry", "The new feature has no shape", "ข้อมูลใหม่ไม่มีรูปร่าง")
        if change.layer == "buildings":
            _building_fields(change.field_values)
            services.check_footprint_on_parcel(_parcel_under(packet.organisation_id, geometry), geometry)
        else:
            _household_place(packet.organisation_id, geometry, change.field_values.get("house_number"))
    except DomainError as exc:
        return exc
    return None


def _change_of(item: CheckInItem) -> FeatureChange:
    return FeatureChange(
        item.layer,
        item.fid,
        item.src_id,
        item.kind,
        list(item.changed_fields),
        item.packet_values,
        item.field_values,
    )


def _decide(item: CheckInItem, user: Any, status: str, **fields: Any) -> CheckInItem:
    item.status = status
    item.decided_by = user if getattr(user, "is_authenticated", False) else None
    item.decided_at = timezone.now()
    item.error_code = item.error_en = item.error_th = ""
    for key, value in fields.items():
        setattr(item, key, value)
    item.save()
    return item


def lock_open_item(item: CheckInItem, user: Any, *statuses: str) -> CheckInItem:
    require_role(user, item.checkin.organisation_id, *CHECKIN_ROLES)
    item = CheckInItem.objects.select_for_update().select_related("checkin__packet").get(pk=item.pk)
    if item.status not in statuses:
        raise DomainError(
            "item_decided",
            f"This item was already decided ({item.get_status_display()})",
            f"รายการนี้ตัดสินแล้ว ({item.get_status_display()})",
        )
    return item


@transaction.atomic
def accept_draft(item: CheckInItem, user: Any) -> CheckInItem:
    """Write a draft to the register through its services (its rules apply now, not at check-in)."""
    item = lock_open_item(item, user, ItemStatus.DRAFT)
    change = _change_of(item)
    organisation_id = item.checkin.organisation_id
    reason = f"field packet #{item.checkin.packet_id}: removal confirmed"
    if item.kind == ItemKind.REMOVE:
        version = item.packet_values["version"]
        if item.layer == "buildings":
            services.building_update(
                building=Building.objects.get(pk=item.src_id),
                user=user,
                expected_version=version,
                retire=True,
                reason=reason,
            )
        else:
            services.household_update(
                household=Household.objects.get(pk=item.src_id),
                user=user,
                expected_version=version,
                retire=True,
                reason=reason,
            )
        return _decide(item, user, ItemStatus.ACCEPTED)
    geometry = change.geometry
    if item.layer == "buildings":
        parcel = _parcel_under(organisation_id, geometry)
        made = services.building_create(
            parcel=parcel, footprint=geometry, user=user, **_building_fields(change.field_values)
        )
    elif item.layer == "households":
        house_number = change.field_values.get("house_number")
        village = _household_place(organisation_id, geometry, house_number)
        building = Building.objects.filter(
            organisation_id=organisation_id, status=RegisterStatus.ACTIVE, footprint__intersects=geometry
        ).first()
        made = services.household_create(
            organisation=village.organisation,
            house_number=house_number,
            location=geometry,
            village=village,
            building=building,
            user=user,
        )
    else:
        raise DomainError(
            "parcel_from_field", "New parcels are not made from a field packet", "ไม่รับแปลงใหม่จากชุดข้อมูลภาคสนาม"
        )
    FieldPhoto.objects.filter(item=item).update(feature_id=made.pk)
    return _decide(item, user, ItemStatus.ACCEPTED, result_id=made.pk)


@transaction.atomic
def reject_draft(item: CheckInItem, user: Any) -> CheckInItem:
    item = lock_open_item(item, user, ItemStatus.DRAFT, ItemStatus.REFUSED)
    return _decide(item, user, ItemStatus.REJECTED)


@transaction.atomic
def resolve_conflict(item: CheckInItem, user: Any, *, take: str, seen_version: int | None) -> CheckInItem:
    """A person's choice on a conflict: keep the office's version, or write the field's over it.

    ``seen_version`` is the register version shown on the page: if the office changed the feature
    again since, the choice is refused (ConflictError) and the page shows the new version.
    """
    item = lock_open_item(item, user, ItemStatus.CONFLICT)
    if take == "office":
        return _decide(item, user, ItemStatus.KEPT_OFFICE)
    if take != "field":
        raise DomainError(
            "bad_choice", "Choose the office or the field version", "กรุณาเลือกฉบับสำนักงานหรือฉบับภาคสนาม"
        )
    reason = f"field packet #{item.checkin.packet_id}: conflict resolved, field version"
    if item.kind == ItemKind.REMOVE:
        model = Building if item.layer == "buildings" else Household
        update = services.building_update if item.layer == "buildings" else services.household_update
        key = "building" if item.layer == "buildings" else "household"
        update(
            **{key: model.objects.get(pk=item.src_id)},
            user=user,
            expected_version=seen_version,
            retire=True,
            reason=reason,
        )
    else:
        apply_change(_change_of(item), user=user, expected_version=seen_version, reason=reason)
    return _decide(item, user, ItemStatus.TOOK_FIELD)
