"""Fixtures of the resident portal: two households with members, land and a building; seeded services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from eservices import conf, services, sms
from eservices.catalogue import seed_services
from parcels import services as register
from parcels.models import Household, Party
from tests.conftest import utm_point, utm_rect


def national_id(first12: str) -> str:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


@dataclass
class Home:
    household: Household
    token: str
    head: Party
    child: Party
    elder: Party


def make_home(org, village, *, dx: float, number: str, id_prefix: str, phone: str = "0812345678") -> Home:
    parcel = register.parcel_create(
        organisation=org,
        code=f"01A{number.zfill(3)}",
        geom=utm_rect(dx, 0, 60, 40),
        doc_type="chanote",
        doc_number=f"9{number}",
        village=village,
    )
    building = register.building_create(
        parcel=parcel,
        footprint=utm_rect(dx + 10, 10, 12, 10),
        building_type="house",
        material="wood",
        storeys=2,
    )
    household = register.household_create(
        organisation=org,
        house_number=f"{number}/1",
        location=utm_point(dx + 16, 15),
        village=village,
        building=building,
    )
    head = register.party_create(
        organisation=org,
        kind="person",
        national_id=national_id(id_prefix + "00000001"),
        title="นาย",
        first_name=f"หัวหน้า{number}",
        last_name="ไทใหญ่",
        birth_date=date(1975, 3, 14),
        phone=phone,
        household=household,
        is_household_head=True,
    )
    child = register.party_create(
        organisation=org,
        kind="person",
        national_id=national_id(id_prefix + "00000002"),
        first_name=f"ลูก{number}",
        last_name="ไทใหญ่",
        birth_date=date.today().replace(year=date.today().year - 2),
        household=household,
    )
    elder = register.party_create(
        organisation=org,
        kind="person",
        national_id=national_id(id_prefix + "00000003"),
        first_name=f"ยาย{number}",
        last_name="ไทใหญ่",
        birth_date=date(1950, 1, 2),
        household=household,
    )
    register.parcel_right_add(parcel=parcel, party=head)
    register.building_right_add(building=building, party=head)
    return Home(household, services.token_issue(household=household), head, child, elder)


@pytest.fixture
def seeded(pangmu):
    seed_services(pangmu)
    return pangmu


@pytest.fixture
def home(seeded, village) -> Home:
    return make_home(seeded, village, dx=0, number="12", id_prefix="3580")


@pytest.fixture
def other_home(seeded, village) -> Home:
    return make_home(seeded, village, dx=300, number="34", id_prefix="3581", phone="0899999999")


@pytest.fixture
def outbox(monkeypatch):
    monkeypatch.setattr(conf, "SMS_BACKEND", "memory")
    sms.MemorySmsBackend.outbox.clear()
    return sms.MemorySmsBackend.outbox


@pytest.fixture
def officer(make_user, pangmu):
    return make_user("officer", pangmu, "service officer")


def id_answer(home: Home) -> dict:
    """The right answer for the ID + birth-year check, with the year in the Buddhist Era."""
    return {"id_last4": home.head.national_id[-4:], "birth_year": str(home.head.birth_date.year + 543)}


def jpeg_bytes(size=(64, 48), exif_gps: bool = True) -> bytes:
    import io

    from PIL import Image

    img = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    exif = Image.Exif()
    if exif_gps:
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (19.0, 20.0, 0.0)}  # GPS IFD
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


FEE = Decimal("300.00")
