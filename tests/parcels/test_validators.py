"""National ID check digits (the shared test vectors) and LTAX parcel codes."""

from __future__ import annotations

import csv

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from parcels.units import format_rnw, rnw_to_sqm, sqm_to_rnw
from parcels.validators import is_valid_national_id, national_id_check_digit, parse_parcel_code


def vectors() -> list[tuple[str, bool]]:
    with (settings.SHARED_DATA_DIR / "thai_pin_test_vectors.csv").open(encoding="utf-8") as fh:
        return [(row["value"], row["expected"].startswith("valid")) for row in csv.DictReader(fh)]


def test_vectors_file_is_there_and_non_trivial():
    rows = vectors()
    assert len(rows) > 20
    assert {ok for _, ok in rows} == {True, False}


@pytest.mark.parametrize(("value", "valid"), vectors())
def test_national_id_vectors(value, valid):
    assert is_valid_national_id(value, kind="person") is valid


def test_thai_digits_are_refused_even_though_isdigit_accepts_them():
    thai = "๓๑๐๐๖๐๐๔๔๕๖๓๕"
    assert thai.isdigit()
    assert not is_valid_national_id(thai)


def test_check_digit_and_juristic_prefix():
    assert national_id_check_digit("310060044563") == 5
    juristic = "010555" + "000001"
    juristic += str(national_id_check_digit(juristic))
    assert is_valid_national_id(juristic, kind="juristic")
    assert not is_valid_national_id(juristic, kind="person")
    assert not is_valid_national_id("3100600445635", kind="juristic")


def test_parcel_codes():
    assert parse_parcel_code("01a001") == ("01", "A", "001")
    assert parse_parcel_code("13AB123") == ("13", "AB", "123")
    assert parse_parcel_code("02ก015") == ("02", "ก", "015")
    for bad in ["1A001", "01A01", "01-A-001", "", "01A0011"]:
        with pytest.raises(ValidationError):
            parse_parcel_code(bad)


def test_rai_ngan_wah():
    assert rnw_to_sqm(2, 1, 35) == 3740  # DOMAIN.md: 2-1-35 = 935 sq wah = 3,740 m²
    assert sqm_to_rnw(3740) == (2, 1, 35)
    assert format_rnw(1600) == "1-0-0.0"
    assert format_rnw(2600) == "1-2-50.0"  # 650 sq wah
