"""Reads of the register, always scoped to the organisations a user may see."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db.models import Count, Model, Q, QuerySet

from gis_portal.errors import NotFoundError, PermissionDeniedError

from .models import Building, Household, Organisation, Parcel, ParcelLineage, Party, RegisterStatus, Village

M = TypeVar("M", bound=Model)


def organisation_ids_for_user(user: Any) -> list[int] | None:
    """The organisations a user works in; None means every organisation (superuser)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    return list(user.memberships.values_list("organisation_id", flat=True).distinct())


def scope_to_user(queryset: QuerySet[M], user: Any, *, field: str = "organisation") -> QuerySet[M]:
    """Filter any register queryset to the user's organisations (by ``field``, an FK path)."""
    ids = organisation_ids_for_user(user)
    if ids is None:
        return queryset
    if queryset.model is Organisation and field == "organisation":
        return queryset.filter(pk__in=ids)
    return queryset.filter(**{f"{field}__in": ids})


def user_has_role(user: Any, organisation: Organisation | int, *roles: str) -> bool:
    """True when the user holds one of the roles (group names) in the organisation."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return user.memberships.filter(organisation_id=org_id, role__name__in=roles).exists()


def organisations_for_user(user: Any) -> QuerySet[Organisation]:
    return scope_to_user(Organisation.objects.all(), user)


def organisation_by_slug(slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        raise NotFoundError(
            "organisation_not_found", f"No organisation with slug {slug!r}", f"ไม่พบองค์กร {slug!r}"
        ) from None


def _object_for_user(queryset: QuerySet[M], user: Any, pk: int, what_en: str, what_th: str) -> M:
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFoundError(f"{what_en}_not_found", f"No {what_en} {pk}", f"ไม่พบ{what_th} {pk}")
    ids = organisation_ids_for_user(user)
    if ids is not None and obj.organisation_id not in ids:
        # Same answer as for a missing row: another organisation's rows are not even acknowledged.
        raise NotFoundError(f"{what_en}_not_found", f"No {what_en} {pk}", f"ไม่พบ{what_th} {pk}")
    return obj


def parcel_for_user(user: Any, pk: int) -> Parcel:
    return _object_for_user(
        Parcel.objects.select_related("organisation", "village"), user, pk, "parcel", "แปลง"
    )


def building_for_user(user: Any, pk: int) -> Building:
    return _object_for_user(Building.objects.select_related("parcel"), user, pk, "building", "อาคาร")


def household_for_user(user: Any, pk: int) -> Household:
    return _object_for_user(Household.objects.select_related("village"), user, pk, "household", "ครัวเรือน")


def party_for_user(user: Any, pk: int) -> Party:
    return _object_for_user(Party.objects.all(), user, pk, "party", "บุคคล")


def village_for_user(user: Any, pk: int) -> Village:
    return _object_for_user(Village.objects.all(), user, pk, "village", "หมู่บ้าน")


def require_role(user: Any, organisation: Organisation | int, *roles: str) -> None:
    if not user_has_role(user, organisation, *roles):
        raise PermissionDeniedError(
            "forbidden",
            "You do not have a role that allows this in this organisation",
            "ท่านไม่มีสิทธิ์ทำรายการนี้ในองค์กรนี้",
        )


def active_parcels(organisation: Organisation) -> QuerySet[Parcel]:
    return Parcel.objects.filter(organisation=organisation, status=RegisterStatus.ACTIVE)


def parcel_as_of(parcel_id: int, when: dt.datetime) -> Any:
    """The parcel's historical record as it was at ``when`` (None if it did not exist yet)."""
    return Parcel.history.filter(id=parcel_id, history_date__lte=when).order_by("-history_date").first()


def parcel_lineage(parcel: Parcel) -> dict[str, list[ParcelLineage]]:
    """Where a parcel came from and what replaced it."""
    return {
        "predecessors": list(parcel.predecessor_links.select_related("predecessor")),
        "successors": list(parcel.successor_links.select_related("successor")),
    }


def organisation_summary(organisation: Organisation) -> list[dict[str, Any]]:
    """Counts per village for the portal's front page (one query per table, not per village)."""
    active = Q(status=RegisterStatus.ACTIVE)
    parcels = dict(
        Parcel.objects.filter(active, organisation=organisation)
        .values("village_id")
        .annotate(n=Count("id"))
        .values_list("village_id", "n")
    )
    households = dict(
        Household.objects.filter(active, organisation=organisation)
        .values("village_id")
        .annotate(n=Count("id"))
        .values_list("village_id", "n")
    )
    buildings = dict(
        Building.objects.filter(active, organisation=organisation)
        .values("parcel__village_id")
        .annotate(n=Count("id"))
        .values_list("parcel__village_id", "n")
    )
    rows = []
    for village in Village.objects.filter(organisation=organisation).order_by("number"):
        rows.append(
            {
                "village": village,
                "area_km2": (village.area_m2 or 0) / 1e6,
                "parcels": parcels.get(village.id, 0),
                "buildings": buildings.get(village.id, 0),
                "households": households.get(village.id, 0),
            }
        )
    return rows
