"""PromptPay bill payment QR payloads: CRC, building, parsing, refusing tampered payloads.

The fixed payloads below were produced by independent implementations (see taxes/promptpay.py):
npm ``promptparse`` 1.6.0 ``generate.billPayment`` and PyPI ``promptpay`` 1.1.9 (tag 29 transfers).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taxes.promptpay import (
    AID_BILL_PAYMENT,
    build_bill_payment_payload,
    crc16_ccitt_false,
    make_biller_id,
    parse_payload,
    parse_tlv,
    tlv,
)

BILLER = "099400016550100"
# promptparse 1.6.0: billPayment({billerId: BILLER, ref1: "INV12345"})
PROMPTPARSE_STATIC = (
    "00020101021130510016A00000067701011201150994000165501000208INV1234553037645802TH6304FA2F"
)
# promptparse 1.6.0: billPayment({billerId: BILLER, amount: 1234.5, ref1: "ABC123", ref2: "2024"});
# it puts tag 58 before 54, so the string differs from ours while every field agrees
PROMPTPARSE_DYNAMIC = (
    "00020101021230570016A00000067701011201150994000165501000206ABC123030420245303764"
    "5802TH54071234.5063043429"
)
# PyPI promptpay 1.1.9: generate_payload("0812345678", 420.5), a person-to-person transfer (tag 29)
PROMPTPAY_PYPI_TRANSFER = (
    "00020101021229370016A000000677010111011300668123456785802TH53037645406420.506304FC9C"
)


def test_crc_known_vectors() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1  # the CRC-16/CCITT-FALSE check value
    assert crc16_ccitt_false("123456789") == 0x29B1
    assert crc16_ccitt_false(b"") == 0xFFFF
    assert crc16_ccitt_false(b"A") == 0xB915


def test_static_payload_matches_promptparse_byte_for_byte() -> None:
    assert build_bill_payment_payload(biller_id=BILLER, ref1="INV12345") == PROMPTPARSE_STATIC


def test_dynamic_payload_fields() -> None:
    payload = build_bill_payment_payload(biller_id=BILLER, ref1="ABC123", ref2="2024", amount=D("1234.50"))
    assert payload.startswith("000201" + "010212" + "3057" + "0016" + AID_BILL_PAYMENT)
    assert "5303764" in payload and "54071234.50" in payload and "5802TH" in payload
    assert payload[-8:-4] == "6304"
    assert payload[-4:] == f"{crc16_ccitt_false(payload[:-4]):04X}"
    tags = dict(parse_tlv(payload))
    assert list(tags) == ["00", "01", "30", "53", "54", "58", "63"]
    assert parse_tlv(tags["30"]) == [
        ("00", AID_BILL_PAYMENT),
        ("01", BILLER),
        ("02", "ABC123"),
        ("03", "2024"),
    ]


def test_parse_own_payload() -> None:
    payload = build_bill_payment_payload(biller_id=BILLER, ref1="ABC123", ref2="2024", amount=D("1234.50"))
    data = parse_payload(payload)
    assert data["dynamic"] is True
    assert data["amount"] == D("1234.50")
    assert data["currency"] == "764" and data["country"] == "TH"
    assert data["bill_payment"] == {
        "aid": AID_BILL_PAYMENT,
        "biller_id": BILLER,
        "ref1": "ABC123",
        "ref2": "2024",
    }


def test_parse_independent_payloads() -> None:
    data = parse_payload(PROMPTPARSE_DYNAMIC)
    assert data["amount"] == D("1234.50")
    assert data["bill_payment"]["ref2"] == "2024"
    static = parse_payload(PROMPTPARSE_STATIC)
    assert static["dynamic"] is False and static["amount"] is None and static["bill_payment"]["ref2"] is None
    transfer = parse_payload(PROMPTPAY_PYPI_TRANSFER)
    assert transfer["amount"] == D("420.50")
    assert "bill_payment" not in transfer
    assert transfer["tags"]["29"] == {"00": "A000000677010111", "01": "0066812345678"}


def test_tampered_payload_refused() -> None:
    payload = build_bill_payment_payload(biller_id=BILLER, ref1="ABC123", amount=D("1000.00"))
    tampered = payload.replace("1000.00", "1.00").replace("54071000", "54041")
    assert tampered != payload
    with pytest.raises(ValueError, match="CRC mismatch"):
        parse_payload(tampered)
    with pytest.raises(ValueError, match="CRC mismatch"):
        parse_payload(payload[:-1] + ("0" if payload[-1] != "0" else "1"))
    with pytest.raises(ValueError, match="6304"):
        parse_payload(payload[:-8])


def test_lowercase_crc_accepted() -> None:
    assert parse_payload(PROMPTPARSE_STATIC[:-4] + PROMPTPARSE_STATIC[-4:].lower())["crc"] == "FA2F"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"biller_id": "09940001655010", "ref1": "A"}, "15 digits"),
        ({"biller_id": "09940001655010X", "ref1": "A"}, "15 digits"),
        ({"biller_id": BILLER, "ref1": "abc"}, "ref1 must be 1-20 uppercase"),
        ({"biller_id": BILLER, "ref1": ""}, "ref1"),
        ({"biller_id": BILLER, "ref1": "A" * 21}, "ref1"),
        ({"biller_id": BILLER, "ref1": "A-1"}, "ref1"),
        ({"biller_id": BILLER, "ref1": "A", "ref2": "ร้าน"}, "ref2"),
        ({"biller_id": BILLER, "ref1": "A", "amount": D("0")}, "more than 0"),
        ({"biller_id": BILLER, "ref1": "A", "amount": D("-5")}, "more than 0"),
        ({"biller_id": BILLER, "ref1": "A", "amount": D("1.005")}, "2 decimals"),
        ({"biller_id": BILLER, "ref1": "A", "amount": 10.5}, "Decimal"),
        ({"biller_id": BILLER, "ref1": "A", "amount": D("99999999999.99")}, "too long"),
    ],
)
def test_build_validation(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_bill_payment_payload(**kwargs)  # type: ignore[arg-type]


def test_make_biller_id() -> None:
    assert make_biller_id("0-9940-00165-50-1", "00") == BILLER
    with pytest.raises(ValueError, match="13 digits"):
        make_biller_id("123")
    with pytest.raises(ValueError, match="suffix"):
        make_biller_id("0994000165501", "1")


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "garbage6304ABCD",
        # valid CRC but a field runs past the end
        (lambda body: body + f"{crc16_ccitt_false(body):04X}")("000201010212309" + "6304"),
        # valid CRC but the payload format indicator is missing
        (lambda body: body + f"{crc16_ccitt_false(body):04X}")("0102125802TH6304"),
        # valid CRC but tag 30 carries the transfer AID
        (lambda body: body + f"{crc16_ccitt_false(body):04X}")(
            "000201010211"
            + tlv("30", tlv("00", "A000000677010111") + tlv("01", BILLER) + tlv("02", "A"))
            + "6304"
        ),
    ],
)
def test_malformed_payloads_refused(payload: str) -> None:
    with pytest.raises(ValueError):
        parse_payload(payload)


refs = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=20)
billers = st.text(alphabet="0123456789", min_size=15, max_size=15)
# up to 9,999,999,999.99: the 13 characters tag 54 allows
amounts = st.integers(min_value=1, max_value=10**12 - 1).map(lambda n: D(n).scaleb(-2))


@settings(max_examples=75, deadline=None)
@given(billers, refs, st.none() | refs, st.none() | amounts)
def test_round_trip(biller: str, ref1: str, ref2: str | None, amount: D | None) -> None:
    payload = build_bill_payment_payload(biller_id=biller, ref1=ref1, ref2=ref2, amount=amount)
    data = parse_payload(payload)
    assert data["bill_payment"] == {"aid": AID_BILL_PAYMENT, "biller_id": biller, "ref1": ref1, "ref2": ref2}
    assert data["amount"] == amount
    assert data["dynamic"] is (amount is not None)


@settings(max_examples=75, deadline=None)
@given(billers, refs, amounts, st.data())
def test_any_single_character_change_is_detected(
    biller: str, ref1: str, amount: D, data: st.DataObject
) -> None:
    payload = build_bill_payment_payload(biller_id=biller, ref1=ref1, amount=amount)
    pos = data.draw(st.integers(0, len(payload) - 5))  # anywhere before the CRC value
    new = data.draw(
        st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.").filter(lambda c: c != payload[pos])
    )
    tampered = payload[:pos] + new + payload[pos + 1 :]
    with pytest.raises(ValueError):
        parse_payload(tampered)
