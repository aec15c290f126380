"""Login rate limiting and lockout for the portal and the admin.

Failures are recorded in PostgreSQL (``audit.LoginFailure``: a hash of the user name, the client
address, the time), so every web process agrees and the lockout holds while Redis is down. After
``LOGIN_MAX_FAILURES`` failures within ``LOGIN_LOCKOUT_SECONDS`` the name (or address) is locked
until the window has passed, even with the right password; every attempt is logged. A successful
sign-in clears the name's failures. One query per sign-in attempt (and one insert per failure).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

log = logging.getLogger("gis_portal.security")

LOCKED_MESSAGE = (
    "เข้าสู่ระบบผิดหลายครั้งเกินไป บัญชีนี้ถูกระงับชั่วคราว กรุณารอ %(minutes)d นาที / "
    "Too many failed sign-ins: this account is locked for %(minutes)d minutes."
)


def client_address(request: Any) -> str:
    if request is None:
        return "-"
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "-")


def user_key(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


def failure_counts(username: str, address: str) -> tuple[int, int]:
    """Failed sign-ins within the lockout window: (by this user name, by this address)."""
    from django.db.models import Count, Q

    from gis_portal.audit.models import LoginFailure

    key = user_key(username)
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    counts = LoginFailure.objects.filter(Q(user_key=key) | Q(address=address), at__gte=since).aggregate(
        by_user=Count("id", filter=Q(user_key=key)), by_address=Count("id", filter=Q(address=address))
    )
    return counts["by_user"], counts["by_address"]


def is_locked(username: str, address: str) -> bool:
    return max(failure_counts(username, address)) >= settings.LOGIN_MAX_FAILURES


def record_failure(username: str, address: str) -> None:
    from gis_portal.audit.models import LoginFailure

    now = timezone.now()
    LoginFailure.objects.create(at=now, user_key=user_key(username), address=address[:64])
    LoginFailure.objects.filter(at__lt=now - dt.timedelta(days=1)).delete()


def clear_failures(username: str) -> None:
    from gis_portal.audit.models import LoginFailure

    LoginFailure.objects.filter(user_key=user_key(username)).delete()


class LockoutMixin:
    """Refuse a locked name/address before checking the password; count failures."""

    request: Any
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        if is_locked(username, address):
            log.warning("login refused (locked) user=%r address=%s", username, address)
            raise forms.ValidationError(
                LOCKED_MESSAGE, code="locked", params={"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60}
            )
        try:
            data = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            record_failure(username, address)
            log.warning("login failed user=%r address=%s", username, address)
            raise
        clear_failures(username)
        log.info("login ok user=%r address=%s", username, address)
        return data


class LockoutAuthenticationForm(LockoutMixin, AuthenticationForm):
    pass


class LockoutAdminAuthenticationForm(LockoutMixin, AdminAuthenticationForm):
    pass
