"""PromptPay bill payment QR payloads (Thai QR Payment, EMVCo merchant-presented mode).

A payload is a string of TLV fields: a 2-digit tag, a 2-digit length and the value. For a bill
payment (a tax notice paid through any Thai bank app):

=====  ===========================================================================
tag    value
=====  ===========================================================================
00     payload format indicator ``01``
01     point of initiation: ``12`` dynamic (one bill, with amount) or ``11`` static
30     merchant account, bill payment: sub-tags ``00`` AID ``A000000677010112``,
       ``01`` biller id (13-digit tax id + 2-digit suffix), ``02`` reference 1,
       ``03`` reference 2 (optional)
53     currency ``764`` (THB)
54     amount, 2 decimals (only with a dynamic payload)
58     country ``TH``
63     CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR) over the
       whole payload up to and including ``6304``, 4 uppercase hex digits
=====  ===========================================================================

Cross-checked (in throwaway environments outside the project, not dependencies):
- npm ``promptparse`` 1.6.0, ``generate.billPayment({billerId, amount, ref1, ref2})``: for the same
  inputs it emits the same tag 30 and CRC algorithm (it orders 58 before 54, so whole strings
  differ); its ``parse(payload, true)`` accepts our payloads with CRC checking, and our
  :func:`parse_payload` accepts its payloads and reads the same biller id, references and amount.
- PyPI ``promptpay`` 1.1.9 and ``promptpay-qr`` 0.1.2 build only person-to-person payloads (tag 29,
  AID ``A000000677010111``), not bill payments; :func:`parse_payload` accepts their payloads
  (same CRC: ``libscrc.xmodem(data, 0xFFFF)``) and reads their amount.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

__all__ = [
    "AID_BILL_PAYMENT",
    "build_bill_payment_payload",
    "crc16_ccitt_false",
    "make_biller_id",
    "parse_payload",
    "parse_tlv",
    "tlv",
]

AID_BILL_PAYMENT = "A000000677010112"
AID_PROMPTPAY_CREDIT_TRANSFER = "A000000677010111"
CURRENCY_THB = "764"
COUNTRY_TH = "TH"
POI_STATIC = "11"
POI_DYNAMIC = "12"

_REF = re.compile(r"^[A-Z0-9]{1,20}$")
_DIGITS = re.compile(r"^[0-9]+$")
# Templates whose value is itself TLV: merchant account information (26-51) and 62 additional data.
_TEMPLATE_TAGS = {f"{n:02d}" for n in range(26, 52)} | {"62", "64"}


def crc16_ccitt_false(data: bytes | str) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, MSB first, no final XOR. '123456789' -> 0x29B1."""
    if isinstance(data, str):
        data = data.encode("ascii")
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    """One field: tag, 2-digit length, value (at most 99 characters)."""
    if len(tag) != 2 or not _DIGITS.match(tag):
        raise ValueError(f"a tag is two digits, got {tag!r}")
    if not value:
        raise ValueError(f"tag {tag}: empty value")
    if len(value) > 99:
        raise ValueError(f"tag {tag}: value longer than 99 characters")
    if not value.isascii():
        raise ValueError(f"tag {tag}: value must be ASCII")
    return f"{tag}{len(value):02d}{value}"


def parse_tlv(text: str) -> list[tuple[str, str]]:
    """Split TLV text into (tag, value) pairs; raises ValueError on a malformed field."""
    fields: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        head = text[pos : pos + 4]
        if len(head) < 4 or not _DIGITS.match(head):
            raise ValueError(f"malformed field at position {pos}: {text[pos : pos + 4]!r}")
        tag, length = head[:2], int(head[2:])
        value = text[pos + 4 : pos + 4 + length]
        if len(value) != length:
            raise ValueError(f"tag {tag} at position {pos}: length {length} runs past the end")
        fields.append((tag, value))
        pos += 4 + length
    return fields


def make_biller_id(tax_id: str, suffix: str = "00") -> str:
    """The 15-digit biller id: the biller's 13-digit tax id and a 2-digit suffix from the bank."""
    tax_id = tax_id.replace("-", "").replace(" ", "")
    if len(tax_id) != 13 or not _DIGITS.match(tax_id):
        raise ValueError(f"tax id must be 13 digits, got {tax_id!r}")
    if len(suffix) != 2 or not _DIGITS.match(suffix):
        raise ValueError(f"biller id suffix must be 2 digits, got {suffix!r}")
    return tax_id + suffix


def _amount_text(amount: Decimal) -> str:
    if isinstance(amount, bool) or not isinstance(amount, Decimal):
        raise ValueError(f"amount must be a Decimal, got {type(amount).__name__} {amount!r}")
    if not amount.is_finite() or amount <= 0:
        raise ValueError(f"amount must be more than 0, got {amount}")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"amount must have at most 2 decimals (satang), got {amount}")
    text = f"{amount:.2f}"
    if len(text) > 13:
        raise ValueError(f"amount {text} is too long for the QR (at most 13 characters)")
    return text


def build_bill_payment_payload(
    *, biller_id: str, ref1: str, ref2: str | None = None, amount: Decimal | None = None
) -> str:
    """A PromptPay bill payment payload; dynamic (tag 01 = 12) when ``amount`` is given, else static.

    ``biller_id``: 15 digits (see :func:`make_biller_id`); ``ref1`` and ``ref2``: uppercase letters
    and digits, at most 20 characters each; ``amount``: a Decimal above 0 with at most 2 decimals.
    """
    if not isinstance(biller_id, str) or len(biller_id) != 15 or not _DIGITS.match(biller_id):
        raise ValueError(f"biller id must be 15 digits (13-digit tax id + 2-digit suffix), got {biller_id!r}")
    for name, ref in (("ref1", ref1), ("ref2", ref2)):
        if ref is None and name == "ref2":
            continue
        if not isinstance(ref, str) or not _REF.match(ref):
            raise ValueError(f"{name} must be 1-20 uppercase letters A-Z or digits 0-9, got {ref!r}")
    account = tlv("00", AID_BILL_PAYMENT) + tlv("01", biller_id) + tlv("02", ref1)
    if ref2 is not None:
        account += tlv("03", ref2)
    parts = [
        tlv("00", "01"),
        tlv("01", POI_DYNAMIC if amount is not None else POI_STATIC),
        tlv("30", account),
        tlv("53", CURRENCY_THB),
    ]
    if amount is not None:
        parts.append(tlv("54", _amount_text(amount)))
    parts.append(tlv("58", COUNTRY_TH))
    body = "".join(parts) + "6304"
    return body + f"{crc16_ccitt_false(body):04X}"


def parse_payload(payload: str) -> dict[str, Any]:
    """Parse and check a Thai QR payload; raises ValueError on a bad CRC or a malformed payload.

    Returns ``tags`` (every top-level tag, templates as dicts of their sub-tags) and, read from them,
    ``payload_format``, ``dynamic``, ``currency``, ``amount`` (Decimal or None), ``country``,
    ``crc`` and, for a bill payment (tag 30), ``bill_payment`` with ``aid``, ``biller_id``, ``ref1``
    and ``ref2`` (None when absent).
    """
    if not isinstance(payload, str) or not payload.isascii():
        raise ValueError("payload must be ASCII text")
    payload = payload.strip()
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise ValueError("payload must end with the CRC field 6304XXXX")
    expected = f"{crc16_ccitt_false(payload[:-4]):04X}"
    if payload[-4:].upper() != expected:
        raise ValueError(f"CRC mismatch: payload says {payload[-4:]}, computed {expected}; refusing it")
    tags: dict[str, Any] = {}
    for tag, value in parse_tlv(payload):
        if tag in tags:
            raise ValueError(f"tag {tag} appears twice")
        if tag in _TEMPLATE_TAGS:
            sub: dict[str, str] = {}
            for sub_tag, sub_value in parse_tlv(value):
                if sub_tag in sub:
                    raise ValueError(f"tag {tag}.{sub_tag} appears twice")
                sub[sub_tag] = sub_value
            tags[tag] = sub
        else:
            tags[tag] = value
    if tags.get("00") != "01":
        raise ValueError("payload format indicator (tag 00) must be 01")
    if list(tags)[-1] != "63":
        raise ValueError("the CRC (tag 63) must be the last field")
    poi = tags.get("01")
    if poi not in (None, POI_STATIC, POI_DYNAMIC):
        raise ValueError(f"point of initiation (tag 01) must be 11 or 12, got {poi!r}")
    amount = None
    if "54" in tags:
        if not re.match(r"^\d+(\.\d{1,2})?$", tags["54"]):
            raise ValueError(f"amount (tag 54) is not a number: {tags['54']!r}")
        amount = Decimal(tags["54"])
    result: dict[str, Any] = {
        "payload_format": tags["00"],
        "dynamic": poi == POI_DYNAMIC,
        "currency": tags.get("53"),
        "amount": amount,
        "country": tags.get("58"),
        "crc": payload[-4:].upper(),
        "tags": tags,
    }
    if "30" in tags:
        account = tags["30"]
        if account.get("00") != AID_BILL_PAYMENT:
            raise ValueError(f"tag 30 AID must be {AID_BILL_PAYMENT}, got {account.get('00')!r}")
        if "01" not in account or "02" not in account:
            raise ValueError("tag 30 needs a biller id (01) and reference 1 (02)")
        result["bill_payment"] = {
            "aid": account["00"],
            "biller_id": account["01"],
            "ref1": account["02"],
            "ref2": account.get("03"),
        }
    return result
