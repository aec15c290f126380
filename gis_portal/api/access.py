"""Which organisations a caller may read a table of, by role (one query per request).

Every endpoint of the API and of OGC API – Features narrows its queryset with these helpers: rows
of organisations the caller has no role in are never returned, and within the caller's
organisations only the tables their role may view (``view_<model>`` of the role's group).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gis_portal.roles import ROLES_SEEING_PERSONAL_DATA
from parcels.models import Membership
from parcels.selectors import organisation_ids_for_user, scope_to_user


def organisation_ids_with_permission(
    user: Any, codename: str, app_label: str = "parcels"
) -> list[int] | None:
    """Organisations in which one of the user's roles grants ``app_label.codename`` (None = all)."""
    ids = organisation_ids_for_user(user)
    if ids is None or not ids:
        return ids
    return list(
        Membership.objects.filter(
            user=user,
            role__permissions__codename=codename,
            role__permissions__content_type__app_label=app_label,
        )
        .values_list("organisation_id", flat=True)
        .distinct()
    )


def scope_by_role(
    queryset: QuerySet, user: Any, codename: str, *, field: str = "organisation", app_label: str = "parcels"
) -> QuerySet:
    """``scope_to_user`` narrowed to the organisations where the user's role may view the table."""
    queryset = scope_to_user(queryset, user, field=field)
    ids = organisation_ids_with_permission(user, codename, app_label)
    if ids is None:
        return queryset
    if field == "organisation" and queryset.model._meta.model_name == "organisation":
        return queryset.filter(pk__in=ids)
    return queryset.filter(**{f"{field}__in": ids})


def organisation_ids_seeing_personal_data(user: Any) -> set[int] | None:
    """Organisations where the user sees whole national IDs and phone numbers (None = all)."""
    ids = organisation_ids_for_user(user)
    if ids is None:
        return None
    if not ids:
        return set()
    return set(
        Membership.objects.filter(user=user, role__name__in=ROLES_SEEING_PERSONAL_DATA)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
