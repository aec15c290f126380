"""Validators for Thai identifiers and codes used by the register."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_ASCII_DIGITS = re.compile(r"^[0-9]{13}$")
# LTAX parcel code: zone (2 digits), block (1–2 Latin or Thai letters), lot (3 digits), e.g. 01A001.
PARCEL_CODE_RE = re.compile(r"^(?P<zone>[0-9]{2})(?P<block>[A-Zก-ฮ]{1,2})(?P<lot>[0-9]{3})$")


def normalise_national_id(value: str) -> str:
    """Strip the usual separators (spaces and dashes) from a written national ID."""
    return re.sub(r"[\s\-]", "", str(value))


def national_id_check_digit(first12: str) -> int:
    """The 13th digit: (11 − Σ d_i × (14 − i) mod 11) mod 10 over the first 12 digits."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def is_valid_national_id(value: str, kind: str | None = "person") -> bool:
    """True for a 13-digit Thai ID whose check digit matches.

    Only ASCII digits count: Thai digits (๐–๙) pass ``str.isdigit`` but are refused here. A
    person's ID starts with 1–8 (0 and 9 are not issued to persons); a juristic person's tax ID
    starts with 0; ``kind=None`` accepts either.
    """
    try:
        validate_national_id(value, kind)
    except ValidationError:
        return False
    return True


def validate_national_id(value: str, kind: str | None = None) -> None:
    number = normalise_national_id(value)
    if not _ASCII_DIGITS.match(number):
        raise ValidationError(
            "เลขประจำตัวต้องเป็นตัวเลขอารบิก 13 หลัก / A national ID has 13 digits (0-9)",
            code="national_id_format",
        )
    if kind == "person" and number[0] in "09":
        raise ValidationError(
            "เลขประจำตัวประชาชนต้องขึ้นต้นด้วย 1–8 / A personal ID starts with 1–8",
            code="national_id_component",
        )
    if kind == "juristic" and number[0] != "0":
        raise ValidationError(
            "เลขนิติบุคคลต้องขึ้นต้นด้วย 0 / A juristic ID starts with 0",
            code="national_id_component",
        )
    if national_id_check_digit(number[:12]) != int(number[12]):
        raise ValidationError(
            "เลขตรวจสอบหลักสุดท้ายไม่ถูกต้อง / The check digit of this national ID is wrong",
            code="national_id_checksum",
        )


def parse_parcel_code(code: str) -> tuple[str, str, str]:
    """Split an LTAX parcel code into (zone, block, lot); raise ValidationError if malformed."""
    match = PARCEL_CODE_RE.match(str(code).strip().upper())
    if not match:
        raise ValidationError(
            f"รหัสแปลง {code!r} ไม่ตรงรูปแบบ โซน-บล็อก-ล็อต (เช่น 01A001) / "
            f"parcel code {code!r} is not zone-block-lot such as 01A001",
            code="parcel_code_format",
        )
    return match["zone"], match["block"], match["lot"]


def validate_parcel_code(code: str) -> None:
    parse_parcel_code(code)
