"""Thai telephone numbers as residents type them: spaces, dashes, brackets, +66 and Thai digits.

- mobile: 10 digits starting 06, 08 or 09 (what SMS and LINE reminders need);
- any Thai number: a mobile, or a fixed line of 9 digits starting 02-07 (053 613 341, the office's).

Both answer the number as ``0XXXXXXXX(X)`` or raise a :class:`DomainError` a person can act on.
"""

from __future__ import annotations

import re

from gis_portal.errors import DomainError

_MOBILE = re.compile(r"0[689]\d{8}")
_FIXED = re.compile(r"0[2-7]\d{7}")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _national(raw: str) -> str:
    text = re.sub(r"[\s\-().]", "", str(raw or "").translate(_THAI_DIGITS))
    if text.startswith("+66"):
        return "0" + text[3:]
    if text.startswith("66") and len(text) in (10, 11):
        return "0" + text[2:]
    return text


def thai_mobile(raw: str) -> str:
    """The number as 0XXXXXXXXX; refuses anything that is not a Thai mobile number."""
    text = _national(raw)
    if not _MOBILE.fullmatch(text):
        raise DomainError(
            "not_thai_mobile",
            "Enter a Thai mobile number: 10 digits starting 06, 08 or 09.",
            "กรุณากรอกเบอร์มือถือของไทย 10 หลัก ขึ้นต้นด้วย 06 08 หรือ 09",
        )
    return text


def thai_phone(raw: str) -> str:
    """A Thai mobile (10 digits, 06/08/09) or fixed-line number (9 digits, 02-07), as 0XXXXXXXX(X)."""
    text = _national(raw)
    if not (_MOBILE.fullmatch(text) or _FIXED.fullmatch(text)):
        raise DomainError(
            "not_thai_phone",
            "Enter a Thai phone number: a mobile of 10 digits starting 06, 08 or 09, "
            "or a fixed line of 9 digits such as 053 613 341.",
            "กรุณากรอกเบอร์โทรศัพท์ในประเทศไทย: มือถือ 10 หลัก ขึ้นต้นด้วย 06 08 หรือ 09 "
            "หรือโทรศัพท์บ้าน 9 หลัก เช่น 053 613 341",
        )
    return text
