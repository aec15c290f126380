"""The e-service rows of a demo organisation, removed before ``seed_demo --flush`` rebuilds it."""

from __future__ import annotations

from collections.abc import Callable

from parcels.models import Organisation

from .models import HouseholdToken, OneTimeCode, ServiceRequest, VerificationAttempt, WelfareEnrolment


def flush_demo(organisation: Organisation, say: Callable[[str], None]) -> None:
    """Delete requests, stickers, codes, attempts and enrolments that point at the register."""
    steps = [
        ("service requests", ServiceRequest.objects.filter(organisation=organisation)),
        ("verification attempts", VerificationAttempt.objects.filter(household__organisation=organisation)),
        ("one-time codes", OneTimeCode.objects.filter(household__organisation=organisation)),
        ("sticker tokens", HouseholdToken.objects.filter(household__organisation=organisation)),
        ("welfare enrolments", WelfareEnrolment.objects.filter(party__organisation=organisation)),
    ]
    for label, queryset in steps:
        deleted, _ = queryset.delete()
        if deleted:
            say(f"flush: deleted {deleted} {label} rows")
