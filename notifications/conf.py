"""Settings of the notifications; each can be set in settings.py or the environment."""

from __future__ import annotations

import os

from django.conf import settings


def _get(name: str, default: str) -> str:
    return str(getattr(settings, name, os.environ.get(name, default)))


def line_api_base() -> str:
    """The LINE Messaging API host (a local server in tests)."""
    return _get("LINE_API_BASE", "https://api.line.me").rstrip("/")


def sms_backend() -> str:
    """The SMS sender for notifications (see eservices.sms): ``thaibulksms`` in production."""
    return _get("NOTIFY_SMS_BACKEND", "console")


def thaibulksms_base() -> str:
    return _get("THAIBULKSMS_API_BASE", "https://api-v2.thaibulksms.com").rstrip("/")


def thaibulksms_credentials() -> tuple[str, str, str]:
    """(API key, API secret, sender name) from the environment; never in the repository."""
    return (
        _get("THAIBULKSMS_API_KEY", ""),
        _get("THAIBULKSMS_API_SECRET", ""),
        _get("THAIBULKSMS_SENDER", "SMS"),
    )


HTTP_TIMEOUT = float(os.environ.get("NOTIFY_HTTP_TIMEOUT", "10"))
MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "6"))
LINK_CODE_MINUTES = int(os.environ.get("NOTIFY_LINK_CODE_MINUTES", "30"))
# Bills falling due within this many days get one reminder.
BILL_DUE_SOON_DAYS = int(os.environ.get("NOTIFY_BILL_DUE_SOON_DAYS", "7"))
