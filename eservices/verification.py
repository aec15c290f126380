"""Proving membership of a household on the resident page: the ID-and-birth-year and SMS-code checks,
and how wrong answers are limited.

Villagers often reach the internet through one mobile carrier address, and a family shares one
sticker, so neither may lock the others out:

- a wrong answer counts against this **sticker on this device** (a long-lived signed cookie); after
  ``VERIFY_MAX_FAILURES_PER_DEVICE`` failures that device is locked on that sticker for
  ``VERIFY_LOCK_MINUTES``; other phones on the same sticker are not;
- per **address** and per **sticker** (all devices together) there is only a slowdown: past a number of
  free failures in the window, the next try must wait a delay that doubles with each further failure
  (capped), and is answered "try again in N seconds" without being counted. A person who clears the
  cookie to get a fresh device still meets both slowdowns.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from gis_portal.errors import DomainError
from parcels.models import Household, Party, PartyKind

from . import conf, sms
from .models import OneTimeCode, VerificationAttempt, VerificationMethod

logger = logging.getLogger("eservices.verify")

SESSION_KEY = "eserv_verified"
DEVICE_COOKIE = "pm_device"
DEVICE_SALT = "eservices.verification.device"
DEVICE_MAX_AGE = 2 * 365 * 86400
CHECKS = [VerificationMethod.ID_BIRTH_YEAR, VerificationMethod.OTP]


class TooManyAttempts(DomainError):
    status_code = 429


# --- the device ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Device:
    """This phone's id from its signed cookie (``new``: none was sent, one is to be set)."""

    id: str
    new: bool

    @property
    def key(self) -> str:
        # Only a hash is stored with the attempts: the cookie's value never sits in the database.
        return hashlib.sha256(self.id.encode()).hexdigest()


def device_of(request: HttpRequest) -> Device:
    value = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)
    if value and 16 <= len(value) <= 64:
        return Device(value, False)
    return Device(secrets.token_urlsafe(24), True)


def device_remember(response: HttpResponse, device: Device) -> HttpResponse:
    if device.new:
        response.set_signed_cookie(
            DEVICE_COOKIE,
            device.id,
            salt=DEVICE_SALT,
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


# --- limits -------------------------------------------------------------------------------------


def slowdown_seconds(failures: int, free: int) -> int:
    """The wait before the next try after ``failures`` in the window: 0 up to ``free``, then doubling."""
    over = failures - free
    if over < 0:
        return 0
    return min(conf.VERIFY_SLOWDOWN_MAX_SECONDS, conf.VERIFY_SLOWDOWN_BASE_SECONDS * 2 ** min(over, 30))


def _failures(q: Q, since: datetime) -> tuple[int, datetime | None]:
    got = VerificationAttempt.objects.filter(
        q, success=False, created_at__gte=since, method__in=CHECKS
    ).aggregate(n=Count("id"), last=Max("created_at"))
    return got["n"], got["last"]


def _wait(seconds: float) -> TooManyAttempts:
    seconds = max(1, math.ceil(seconds))
    return TooManyAttempts(
        "verification_slowed",
        f"Too many wrong answers from here. Try again in {seconds} seconds.",
        f"มีการตอบผิดจากที่นี่หลายครั้ง กรุณาลองใหม่ในอีก {seconds} วินาที",
    )


def verification_check(*, token_hash: str, device: Device, ip: str | None) -> None:
    """Refuse (429) a try on a locked device or before the address's or sticker's slowdown is over."""
    now = timezone.now()
    since = now - timedelta(minutes=conf.VERIFY_LOCK_MINUTES)
    # The device's count restarts after its own last success on this sticker.
    last_ok = (
        VerificationAttempt.objects.filter(
            token_hash=token_hash, device=device.key, success=True, created_at__gte=since, method__in=CHECKS
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    mine, my_last = _failures(Q(token_hash=token_hash, device=device.key), max(since, last_ok or since))
    if mine >= conf.VERIFY_MAX_FAILURES_PER_DEVICE:
        left = (my_last + timedelta(minutes=conf.VERIFY_LOCK_MINUTES) - now).total_seconds()
        minutes = max(1, math.ceil(left / 60))
        logger.warning("verification locked token=%s… device=%s… ip=%s", token_hash[:8], device.key[:8], ip)
        raise TooManyAttempts(
            "verification_locked",
            f"Too many wrong answers on this phone. Try again in {minutes} minutes or call the office.",
            f"ตอบผิดหลายครั้งเกินไปบนโทรศัพท์เครื่องนี้ กรุณาลองใหม่ในอีก {minutes} นาที หรือโทรหา อบต.",
        )
    for q, free in (
        (Q(ip=ip), conf.VERIFY_FREE_FAILURES_PER_IP) if ip else (None, 0),
        (Q(token_hash=token_hash), conf.VERIFY_FREE_FAILURES_PER_TOKEN),
    ):
        if q is None:
            continue
        count, last = _failures(q, since)
        delay = slowdown_seconds(count, free)
        wait = (last + timedelta(seconds=delay) - now).total_seconds() if delay and last else 0
        if wait > 0:
            logger.info("verification slowed token=%s… ip=%s wait=%ss", token_hash[:8], ip, math.ceil(wait))
            raise _wait(wait)


def _record(
    token_hash: str, household: Household, ip: str | None, device: Device, method: str, success: bool
) -> None:
    VerificationAttempt.objects.create(
        token_hash=token_hash, household=household, ip=ip, device=device.key, method=method, success=success
    )
    logger.info(
        "verification %s %s household=%s token=%s… device=%s… ip=%s",
        method,
        "success" if success else "failure",
        household.pk,
        token_hash[:8],
        device.key[:8],
        ip,
    )


# --- the checks ---------------------------------------------------------------------------------


def _birth_year_ce(value: str) -> int | None:
    value = (value or "").strip()
    if not value.isdigit() or len(value) != 4:
        return None
    year = int(value)
    return year - 543 if year > 2400 else year


def verify_by_id(
    *, household: Household, token_hash: str, ip: str | None, device: Device, id_last4: str, birth_year: str
) -> bool:
    """True when some member of the household has these last 4 ID digits and this birth year (CE or BE)."""
    verification_check(token_hash=token_hash, device=device, ip=ip)
    last4 = "".join(ch for ch in (id_last4 or "") if ch.isdigit())
    year = _birth_year_ce(birth_year)
    ok = False
    if len(last4) == 4 and year:
        members = Party.objects.filter(
            household=household, kind=PartyKind.PERSON, birth_date__isnull=False
        ).exclude(national_id="")
        for nid, born in members.values_list("national_id", "birth_date"):
            # compare_digest on every member: the time taken does not tell which part matched.
            if hmac.compare_digest(nid[-4:], last4) & (born.year == year):
                ok = True
    _record(token_hash, household, ip, device, VerificationMethod.ID_BIRTH_YEAR, ok)
    return ok


def _code_hash(code: str, token_hash: str) -> str:
    return hashlib.sha256(f"{token_hash}:{code}".encode()).hexdigest()


def mask_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"xxx-xxx-{digits[-4:]}" if len(digits) >= 4 else "xxx"


def otp_send(*, household: Household, token_hash: str, ip: str | None, device: Device) -> str:
    """Send a one-time code to the phone of the household head (or another member); returns it masked."""
    verification_check(token_hash=token_hash, device=device, ip=ip)
    hour_ago = timezone.now() - timedelta(hours=1)
    if (
        OneTimeCode.objects.filter(token_hash=token_hash, created_at__gte=hour_ago).count()
        >= conf.OTP_MAX_SENDS_PER_HOUR
    ):
        raise TooManyAttempts(
            "otp_too_many", "Too many codes sent this hour; try later.", "ขอรหัสบ่อยเกินไป กรุณาลองใหม่ภายหลัง"
        )
    party = (
        Party.objects.filter(household=household, kind=PartyKind.PERSON)
        .exclude(phone="")
        .order_by("-is_household_head", "id")
        .first()
    )
    if party is None:
        raise DomainError(
            "no_phone",
            "No phone number is registered for this household; use the ID and birth year instead.",
            "ครัวเรือนนี้ไม่มีเบอร์โทรศัพท์ในทะเบียน กรุณายืนยันด้วยเลขบัตรและปีเกิด",
        )
    code = f"{secrets.randbelow(10**6):06d}"
    OneTimeCode.objects.create(
        household=household,
        token_hash=token_hash,
        party=party,
        code_hash=_code_hash(code, token_hash),
        expires_at=timezone.now() + timedelta(minutes=conf.OTP_TTL_MINUTES),
    )
    _record(token_hash, household, ip, device, VerificationMethod.OTP_SEND, True)
    sms.get_backend().send(
        party.phone, f"รหัสยืนยัน อบต. {code} (ใช้ได้ {conf.OTP_TTL_MINUTES} นาที) / code {code}"
    )
    return mask_phone(party.phone)


@transaction.atomic
def otp_verify(*, household: Household, token_hash: str, ip: str | None, device: Device, code: str) -> bool:
    verification_check(token_hash=token_hash, device=device, ip=ip)
    now = timezone.now()
    otp = (
        OneTimeCode.objects.select_for_update()
        .filter(token_hash=token_hash, household=household, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    ok = bool(otp) and hmac.compare_digest(otp.code_hash, _code_hash((code or "").strip(), token_hash))
    if ok:
        otp.used_at = now
        otp.save(update_fields=["used_at"])
    _record(token_hash, household, ip, device, VerificationMethod.OTP, ok)
    return ok


# --- the verified session ------------------------------------------------------------------------


def session_mark_verified(session: Any, *, household: Household, token_hash: str) -> None:
    """Remember, in this browser only, that this one household was verified (expires)."""
    expires = timezone.now() + timedelta(minutes=conf.VERIFIED_SESSION_MINUTES)
    session[SESSION_KEY] = {"h": household.pk, "t": token_hash, "exp": expires.timestamp()}
    session.cycle_key()


def session_is_verified(session: Any, *, household: Household, token_hash: str) -> bool:
    mark = session.get(SESSION_KEY) if session is not None else None
    if not mark:
        return False
    return (
        mark.get("h") == household.pk
        and hmac.compare_digest(str(mark.get("t", "")), token_hash)
        and float(mark.get("exp", 0)) > timezone.now().timestamp()
    )
