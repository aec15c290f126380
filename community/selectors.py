"""Reads about community helpers: which villages a user serves, whether they may act for a household."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from parcels.models import Household, Village

from .models import HouseholdConsent, ProxyAct, VillageHelper


def helper_village_ids(user: Any, *, kinds: tuple[str, ...] = ()) -> list[int]:
    """Ids of the villages the user serves (as leader or volunteer, or only the given kinds)."""
    if not getattr(user, "is_authenticated", False):
        return []
    qs = VillageHelper.objects.filter(user=user, active=True)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return list(qs.values_list("village_id", flat=True).distinct())


def helper_villages(user: Any) -> QuerySet[Village]:
    return Village.objects.filter(pk__in=helper_village_ids(user)).order_by("organisation_id", "number")


def is_helper(user: Any) -> bool:
    return bool(helper_village_ids(user))


def serves_village(user: Any, village_id: int) -> bool:
    return village_id in helper_village_ids(user)


def active_consent(user: Any, household: Household) -> HouseholdConsent | None:
    """The household's unrevoked, unexpired consent for this helper, if the helper serves its village."""
    if not serves_village(user, household.village_id):
        return None
    today = timezone.localdate()
    consent = (
        HouseholdConsent.objects.filter(household=household, helper=user, revoked_at__isnull=True)
        .order_by("-recorded_at")
        .first()
    )
    if consent is None or (consent.expires_on and consent.expires_on < today):
        return None
    return consent


def village_households(village_id: int, query: str = "") -> QuerySet[Household]:
    qs = Household.objects.filter(village_id=village_id, status="active").only(
        "id", "house_number", "village_id", "location"
    )
    if query:
        qs = qs.filter(house_number__startswith=query.strip()[:20])
    return qs.order_by("house_number")


def household_acts(household: Household, limit: int = 50) -> list[ProxyAct]:
    return list(ProxyAct.objects.filter(household=household).select_related("actor")[:limit])
