"""Login rate limiting and lockout for the portal and the admin.

Failures are counted per user name and per client address in the shared cache (Redis), so every
web process agrees. After ``LOGIN_MAX_FAILURES`` failures within ``LOGIN_LOCKOUT_SECONDS`` the
name (or address) is locked for that long, even with the right password; every attempt is logged.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache

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


def _keys(username: str, address: str) -> list[str]:
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:user:{name}", f"login-fail:ip:{address}"]


def is_locked(username: str, address: str) -> bool:
    counts = cache.get_many(_keys(username, address))
    return any(count >= settings.LOGIN_MAX_FAILURES for count in counts.values())


def record_failure(username: str, address: str) -> None:
    for key in _keys(username, address):
        if cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def clear_failures(username: str) -> None:
    cache.delete(_keys(username, "-")[0])


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
