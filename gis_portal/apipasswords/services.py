"""Make, check and revoke API passwords; HTTP Basic sign-in with the login lockout applied."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from gis_portal.errors import DomainError, NotFoundError
from gis_portal.security import clear_failures, client_address, failure_counts, record_failure

from .models import ApiPassword

log = logging.getLogger("gis_portal.security")
# Seen as used at most this often (one UPDATE per client and interval, not one per request).
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


class BasicAuthError(DomainError):
    """Credentials refused: 401, or 429 while the name or address is locked."""

    status_code = 401


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewApiPassword:
    record: ApiPassword
    secret: str  # shown once, never stored


def create_api_password(*, user: Any, label: str) -> NewApiPassword:
    label = (label or "").strip()[:100]
    if not label:
        raise DomainError(
            "label_required",
            "Give the API password a label (e.g. 'QGIS office PC')",
            "กรุณาตั้งชื่อเรียกรหัสผ่าน (เช่น 'QGIS เครื่องสำนักงาน')",
        )
    if not getattr(user, "is_active", False):
        raise DomainError("user_inactive", "The user is not active", "ผู้ใช้นี้ถูกระงับ")
    secret = secrets.token_urlsafe(24)  # 32 characters, 192 bits
    record = ApiPassword.objects.create(user=user, label=label, digest=_digest(secret), hint=secret[-4:])
    return NewApiPassword(record, secret)


def revoke_api_password(*, user: Any, pk: int) -> ApiPassword:
    """Revoke one of the user's API passwords (a superuser may revoke anyone's)."""
    qs = ApiPassword.objects.all() if user.is_superuser else ApiPassword.objects.filter(user=user)
    record = qs.filter(pk=pk).first()
    if record is None:
        raise NotFoundError("api_password_not_found", f"No API password {pk}", f"ไม่พบรหัสผ่าน {pk}")
    if record.revoked_at is None:
        record.revoked_at = timezone.now()
        record.save(update_fields=["revoked_at"])
    return record


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BasicAuthError(
            "bad_basic_header",
            "The Basic credentials are not valid base64 of 'user:password'",
            "ข้อมูล Basic ไม่ถูกต้อง (ต้องเป็น base64 ของ 'ชื่อผู้ใช้:รหัสผ่าน')",
        ) from None
    username, sep, password = decoded.partition(":")
    if not sep or not username or not password or "\x00" in decoded:
        raise BasicAuthError(
            "bad_basic_header", "Basic credentials need 'user:password'", "ข้อมูล Basic ต้องเป็น 'ชื่อผู้ใช้:รหัสผ่าน'"
        )
    return username, password


def authenticate_basic(request: Any) -> Any | None:
    """The user of an ``Authorization: Basic`` header signed with an API password, or None.

    None when the request has no Basic header. Refused (BasicAuthError): plain HTTP where HTTPS is
    required, a locked name or address (the login lockout: 429), a wrong user name or API password
    (counted as a failed sign-in), an inactive user. The login password is never accepted here.
    """
    header = request.META.get("HTTP_AUTHORIZATION", "")
    credentials = _basic_credentials(header) if header else None
    if credentials is None:
        return None
    if settings.API_BASIC_REQUIRE_HTTPS and not request.is_secure():
        raise BasicAuthError(
            "https_required",
            "HTTP Basic is accepted over HTTPS only; use the https:// address",
            "รับ HTTP Basic ผ่าน HTTPS เท่านั้น กรุณาใช้ที่อยู่ https://",
        )
    username, password = credentials
    address = client_address(request)
    by_user, by_address = failure_counts(username, address)
    if max(by_user, by_address) >= settings.LOGIN_MAX_FAILURES:
        log.warning("api basic refused (locked) user=%r address=%s", username, address)
        minutes = settings.LOGIN_LOCKOUT_SECONDS // 60
        error = BasicAuthError(
            "locked",
            f"Too many failed sign-ins: locked for {minutes} minutes",
            f"เข้าสู่ระบบผิดหลายครั้งเกินไป ถูกระงับชั่วคราว {minutes} นาที",
            retry_after=settings.LOGIN_LOCKOUT_SECONDS,
        )
        error.status_code = 429
        raise error
    user = _check(username, password)
    if user is None:
        record_failure(username, address)
        log.warning("api basic failed user=%r address=%s", username, address)
        raise BasicAuthError(
            "bad_credentials",
            "Wrong user name or API password (the login password is not accepted here)",
            "ชื่อผู้ใช้หรือรหัสผ่านสำหรับโปรแกรมไม่ถูกต้อง (ใช้รหัสผ่านเข้าระบบไม่ได้)",
        )
    if by_user:
        clear_failures(username)
    return user


def _check(username: str, password: str) -> Any | None:
    user_model = get_user_model()
    user = user_model._default_manager.filter(
        **{f"{user_model.USERNAME_FIELD}__iexact": username.strip()}, is_active=True
    ).first()
    digest = _digest(password)
    # Compare with every active password of the name (or a dummy), so timing says nothing.
    candidates = (
        list(
            ApiPassword.objects.filter(user=user, revoked_at__isnull=True).values_list(
                "id", "digest", "last_used_at"
            )
        )
        if user
        else []
    )
    found = None
    for pk, stored, last_used in candidates or [(None, "0" * 64, None)]:
        if hmac.compare_digest(stored, digest) and pk is not None:
            found = (pk, last_used)
    if found is None:
        return None
    now = timezone.now()
    if found[1] is None or now - found[1] > LAST_USED_RESOLUTION:
        ApiPassword.objects.filter(pk=found[0]).update(last_used_at=now)
    return user
