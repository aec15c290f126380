"""Thai mobile numbers: 10 digits starting 06, 08 or 09 (or +66 / 66 and 9 digits)."""

from __future__ import annotations

import re

from gis_portal.errors import DomainError

_MOBILE = re.compile(r"0[689]\d{8}")


def thai_mobile(raw: str) -> str:
    """The number as 0XXXXXXXXX; refuses anything that is not a Thai mobile number."""
    text = re.sub(r"[\s\-().]", "", str(raw or ""))
    if text.startswith("+66"):
        text = "0" + text[3:]
    elif text.startswith("66") and len(text) == 11:
        text = "0" + text[2:]
    if not _MOBILE.fullmatch(text):
        raise DomainError(
            "not_thai_mobile",
            "Enter a Thai mobile number: 10 digits starting 06, 08 or 09.",
            "กรุณากรอกเบอร์มือถือของไทย 10 หลัก ขึ้นต้นด้วย 06 08 หรือ 09",
        )
    return text


def international(phone: str) -> str:
    """0812345678 → 66812345678 (the form SMS gateways take)."""
    return "66" + thai_mobile(phone)[1:]
