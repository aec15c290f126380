"""Consent and acts on behalf: a helper records a household's consent, and every act is logged."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from gis_portal.errors import DomainError, PermissionDeniedError
from parcels.models import Household, Party

from . import selectors
from .models import HouseholdConsent, ProxyAct


@transaction.atomic
def consent_record(
    *,
    household: Household,
    helper: Any,
    given_by: Party,
    evidence: str,
    recorded_by: Any,
    expires_on: date | None = None,
) -> HouseholdConsent:
    """Record that a member of the household agreed that this helper acts for it."""
    if not selectors.serves_village(helper, household.village_id):
        raise PermissionDeniedError(
            "not_village_helper",
            "This person is not a leader or volunteer of the household's village.",
            "ผู้นี้ไม่ใช่ผู้นำชุมชนหรือ อสม. ของหมู่บ้านนี้",
        )
    if given_by.household_id != household.pk:
        raise DomainError(
            "not_a_member",
            "Consent must come from a member of the household.",
            "ผู้ให้ความยินยอมต้องเป็นสมาชิกในบ้าน",
        )
    evidence = (evidence or "").strip()
    if not evidence:
        raise DomainError(
            "no_evidence",
            "Write the number of the signed consent form (or how consent was given).",
            "กรุณาระบุเลขที่แบบฟอร์มยินยอมที่ลงชื่อ (หรือวิธีที่ให้ความยินยอม)",
        )
    if expires_on is not None and expires_on < timezone.localdate():
        raise DomainError("expired", "The expiry date has already passed.", "วันหมดอายุผ่านไปแล้ว")
    HouseholdConsent.objects.filter(household=household, helper=helper, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return HouseholdConsent.objects.create(
        organisation_id=household.organisation_id,
        household=household,
        helper=helper,
        given_by=given_by,
        evidence=evidence[:200],
        recorded_by=recorded_by,
        expires_on=expires_on,
    )


def consent_revoke(*, consent: HouseholdConsent) -> None:
    if consent.revoked_at is None:
        consent.revoked_at = timezone.now()
        consent.save(update_fields=["revoked_at"])


def require_consent(user: Any, household: Household) -> HouseholdConsent:
    """The consent under which ``user`` may act for ``household``; refuses without one."""
    consent = selectors.active_consent(user, household)
    if consent is None:
        raise PermissionDeniedError(
            "no_consent",
            "The household has not given you consent to act for it.",
            "ครัวเรือนนี้ยังไม่ได้ให้ความยินยอมให้ท่านทำแทน",
        )
    return consent


def act_log(
    *, user: Any, household: Household, consent: HouseholdConsent, action: str, target: str = ""
) -> ProxyAct:
    """Write one act done on the household's behalf (call inside the act's own transaction)."""
    return ProxyAct.objects.create(
        organisation_id=household.organisation_id,
        household=household,
        actor=user,
        consent=consent,
        action=action[:40],
        target=str(target)[:80],
    )
