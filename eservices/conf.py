"""Settings of the resident portal; each can be set in settings.py or the environment."""

from __future__ import annotations

import os

from django.conf import settings


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, os.environ.get(name, default)))


# The public address printed in the stickers' QR codes (no trailing slash).
PUBLIC_BASE_URL: str = getattr(
    settings,
    "ESERVICES_PUBLIC_BASE_URL",
    os.environ.get("ESERVICES_PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
).rstrip("/")
# Random bytes in a sticker token (secrets.token_urlsafe); 16 bytes = 128 bits, the minimum.
TOKEN_BYTES: int = max(16, _int("ESERVICES_TOKEN_BYTES", 18))
# Verification (eservices/verification.py): failures within the window lock one device on one sticker;
# per address and per sticker (all devices) past the free failures each try waits a doubling delay.
VERIFY_MAX_FAILURES_PER_DEVICE: int = _int("ESERVICES_VERIFY_MAX_FAILURES_PER_DEVICE", 5)
VERIFY_LOCK_MINUTES: int = _int("ESERVICES_VERIFY_LOCK_MINUTES", 15)
VERIFY_FREE_FAILURES_PER_IP: int = _int("ESERVICES_VERIFY_FREE_FAILURES_PER_IP", 10)
VERIFY_FREE_FAILURES_PER_TOKEN: int = _int("ESERVICES_VERIFY_FREE_FAILURES_PER_TOKEN", 10)
VERIFY_SLOWDOWN_BASE_SECONDS: int = _int("ESERVICES_VERIFY_SLOWDOWN_BASE_SECONDS", 2)
VERIFY_SLOWDOWN_MAX_SECONDS: int = _int("ESERVICES_VERIFY_SLOWDOWN_MAX_SECONDS", 60)
# How long a verified phone may see a household's private data without verifying again.
VERIFIED_SESSION_MINUTES: int = _int("ESERVICES_VERIFIED_SESSION_MINUTES", 30)
# Seconds the resident page keeps a household's rendered map and catalogue in the shared cache (0: off).
PUBLIC_CACHE_SECONDS: int = _int("ESERVICES_PUBLIC_CACHE_SECONDS", 300)
# SMS one-time codes.
OTP_TTL_MINUTES: int = _int("ESERVICES_OTP_TTL_MINUTES", 10)
OTP_MAX_SENDS_PER_HOUR: int = _int("ESERVICES_OTP_MAX_SENDS_PER_HOUR", 3)
SMS_BACKEND: str = getattr(
    settings, "ESERVICES_SMS_BACKEND", os.environ.get("ESERVICES_SMS_BACKEND", "console")
)
# Photos sent with requests.
PHOTO_MAX_BYTES: int = _int("ESERVICES_PHOTO_MAX_BYTES", 8 * 1024 * 1024)
PHOTO_MAX_SIDE: int = _int("ESERVICES_PHOTO_MAX_SIDE", 1600)
PHOTO_MAX_PIXELS: int = _int("ESERVICES_PHOTO_MAX_PIXELS", 40_000_000)
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# The emergency number shown first on the emergency service (สพฉ. 1669).
EMERGENCY_PHONE: str = getattr(settings, "ESERVICES_EMERGENCY_PHONE", "1669")

# Workflow of a service type unless the office sets its own.
DEFAULT_WORKFLOW = [
    {"code": "submitted", "name_th": "ยื่นคำขอแล้ว", "name_en": "Submitted", "final": False},
    {"code": "accepted", "name_th": "รับเรื่องแล้ว", "name_en": "Accepted", "final": False},
    {"code": "in_progress", "name_th": "กำลังดำเนินการ", "name_en": "In progress", "final": False},
    {"code": "done", "name_th": "เสร็จสิ้น", "name_en": "Done", "final": True},
    {"code": "rejected", "name_th": "ไม่อนุมัติ", "name_en": "Rejected", "final": True},
]
