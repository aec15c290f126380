"""Reads of field packets, scoped to the user's organisations; a few queries per page."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from gis_portal.errors import NotFoundError
from parcels.models import Organisation, Village
from parcels.selectors import organisations_for_user, scope_to_user, user_has_role

from .models import CheckInItem, FieldPacket, FieldPhoto
from .roles import CHECKIN_ROLES, MAKE_ROLES


def fieldwork_organisations(user: Any) -> list[Organisation]:
    """The organisations where the user makes or checks in packets."""
    return [
        org
        for org in organisations_for_user(user).order_by("name_th")
        if user_has_role(user, org, *MAKE_ROLES, *CHECKIN_ROLES)
    ]


def packets_by_village(organisation: Organisation, per_village: int = 10) -> list[dict[str, Any]]:
    """Each village with its latest packets: who took them, when, and whether they came back."""
    packets: dict[int, list[FieldPacket]] = defaultdict(list)
    rows = (
        FieldPacket.objects.filter(organisation=organisation)
        .select_related("created_by", "checkin", "checkin__uploaded_by")
        .defer("snapshot")
        .order_by("village_id", "-created_at", "-id")
    )
    for packet in rows:
        if len(packets[packet.village_id]) < per_village:
            packets[packet.village_id].append(packet)
    return [
        {"village": village, "packets": packets.get(village.pk, [])}
        for village in Village.objects.filter(organisation=organisation).order_by("number")
    ]


def packets_for_user(user: Any) -> QuerySet[FieldPacket]:
    return scope_to_user(FieldPacket.objects.select_related("organisation", "village", "created_by"), user)


def packet_for_user(user: Any, pk: int) -> FieldPacket:
    packet = packets_for_user(user).filter(pk=pk).first()
    if packet is None or not user_has_role(user, packet.organisation_id, *MAKE_ROLES, *CHECKIN_ROLES):
        raise NotFoundError("packet_not_found", f"No packet {pk}", f"ไม่พบชุดข้อมูล {pk}")
    return packet


def item_for_user(user: Any, pk: int) -> CheckInItem:
    item = (
        scope_to_user(CheckInItem.objects.all(), user, field="checkin__organisation")
        .select_related("checkin__packet__village", "checkin__organisation", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if item is None or not user_has_role(user, item.checkin.organisation_id, *MAKE_ROLES, *CHECKIN_ROLES):
        raise NotFoundError("item_not_found", f"No check-in item {pk}", f"ไม่พบรายการ {pk}")
    return item


def photo_for_user(user: Any, pk: int) -> FieldPhoto:
    photo = scope_to_user(FieldPhoto.objects.all(), user).filter(pk=pk).first()
    if photo is None or not user_has_role(user, photo.organisation_id, *MAKE_ROLES, *CHECKIN_ROLES):
        raise NotFoundError("photo_not_found", f"No photo {pk}", f"ไม่พบรูปถ่าย {pk}")
    return photo


def photos_of(layer: str, feature_id: int) -> QuerySet[FieldPhoto]:
    """The field photos kept with a register feature."""
    return FieldPhoto.objects.filter(layer=layer, feature_id=feature_id).order_by("-created_at")
