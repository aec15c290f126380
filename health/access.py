"""Who may see and record what in the health app: one helper per object kind, used by every view.

- Larval surveys (no personal data): the organisation's health and service officers, and the
  village's leaders and volunteers.
- Outbreak cases (sensitive personal data, PDPA s.26): health officers of the organisation, and
  the volunteers of the case's village (they do the daily check-ins); nobody else.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from community.models import HelperKind
from community.selectors import helper_village_ids
from gis_portal.roles import SERVICE_OFFICER
from parcels.models import Membership, Village

from .roles import HEALTH_OFFICER


def staff_org_ids(user: Any, roles: tuple[str, ...]) -> list[int] | None:
    """Organisations where the user holds one of ``roles``; None for a superuser (all)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return None
    return list(
        Membership.objects.filter(user=user, role__name__in=roles)
        .values_list("organisation_id", flat=True)
        .distinct()
    )


def larval_villages(user: Any) -> list[Village]:
    org_ids = staff_org_ids(user, (HEALTH_OFFICER, SERVICE_OFFICER))
    qs = Village.objects.all() if org_ids is None else Village.objects.filter(organisation_id__in=org_ids)
    helped = helper_village_ids(user)
    if org_ids is not None:
        qs = qs | Village.objects.filter(pk__in=helped)
    return list(qs.defer("boundary", "boundary_3857").order_by("organisation_id", "number").distinct())


def larval_village(user: Any, village_id: int) -> Village:
    """A village whose larval surveys the user may see and record (404 otherwise, same for unknown)."""
    village = Village.objects.filter(pk=village_id).select_related("organisation").first()
    if village is None:
        raise Http404
    org_ids = staff_org_ids(user, (HEALTH_OFFICER, SERVICE_OFFICER))
    if org_ids is None or village.organisation_id in org_ids or village.pk in helper_village_ids(user):
        return village
    raise Http404


def case_scope(user: Any) -> tuple[list[int] | None, list[int]]:
    """``(organisation ids as health officer or None for all, village ids as volunteer)``."""
    return (
        staff_org_ids(user, (HEALTH_OFFICER,)),
        helper_village_ids(user, kinds=(HelperKind.VOLUNTEER,)),
    )


def may_see_cases(user: Any) -> bool:
    orgs, villages = case_scope(user)
    return orgs is None or bool(orgs) or bool(villages)
