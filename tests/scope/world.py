"""Two offices with a row of every table each, for the second-organisation tests.

Pang Mu (the "victim") and Mok Champae (the "intruder's" office) get the same register, imagery,
tax and e-service rows (``tests.api``'s builders) plus one row of each table those builders leave
out. Pang Mu's rows that show a name carry the marker ``ลับเอ`` so a page of the other office can be
searched for any of them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from drone_ingest.models import RefusedImagery, UploadSession
from eservices import services as eservices
from eservices.models import (
    DisabilityCard,
    HouseholdIncome,
    ServiceType,
    VerificationAttempt,
    WelfareEnrolment,
)
from gis_portal import roles
from gis_portal.audit import log as audit_log
from gis_portal.org_scope import filter_to_organisations
from health.catalogue import seed_health
from health.models import LarvalSurvey, VillageAlert
from kids.models import ChildCentre
from notifications.models import LineChannel, Notification
from parcels.models import Household, Membership, Organisation, Party, Village
from taxes import services as taxes
from taxes.models import CondoUnitPrice, Refund, Reminder, ReminderBatch, SpecialReductionRecord
from tests.api.extras import build_extras
from tests.api.register import build_register
from travel.models import Place

MARKER = "ลับเอ"
ALL_ROLES = (roles.GIS_EDITOR, roles.TAX_OFFICER, roles.SERVICE_OFFICER, roles.SURVEYOR, roles.VIEWER)


def build_office(organisation: Organisation, *, id_seed: str, owner: Any) -> dict[str, Any]:
    register = build_register(organisation, id_seed=id_seed)
    extras = build_extras(organisation, register)
    taxes.tax_office_for(organisation)
    CondoUnitPrice.objects.create(
        tax_year=extras["tax_year"], condominium="คอนโดทดสอบ", price_per_m2=Decimal("20000")
    )
    objection = taxes.objection_file(assessment=extras["assessment"], reason="ราคาประเมินสูงเกินไป")
    refund = Refund.objects.create(assessment=extras["assessment"], amount=Decimal("10.00"), reason="ชำระเกิน")
    token = eservices.token_issue(household=register["household"])
    VerificationAttempt.objects.create(
        token_hash="c" * 64, household=register["household"], ip="203.0.113.9", method="id_year"
    )
    enrolment = WelfareEnrolment.objects.create(party=register["person"], program="elderly")
    upload = UploadSession.objects.create(
        organisation=organisation,
        user=owner,
        filename="ortho.tif",
        size=1000,
        captured_on=dt.date(2026, 1, 10),
    )
    RefusedImagery.objects.create(
        organisation=organisation,
        orthomosaic_id=10_000 + organisation.pk,
        kind="ortho",
        captured_on=dt.date(2026, 1, 10),
        source_name="outside.tif",
        file_size=1000,
        sha256="d" * 64,
        error_code="outside_organisation",
        error_en="outside",
        error_th="อยู่นอกเขต",
    )
    _health_notice_travel_rows(organisation, register, owner)
    _collection_and_welfare_rows(organisation, register, extras)
    audit_log.record(
        None,
        kind=audit_log.PARTY,
        ids_by_organisation={organisation.pk: [register["person"].pk]},
        purpose="seen before the test",
    )
    return {
        **register,
        **extras,
        "objection": objection,
        "refund": refund,
        "token": token,
        "enrolment": enrolment,
        "upload": upload,
    }


def _health_notice_travel_rows(organisation: Organisation, register: dict[str, Any], owner: Any) -> None:
    """A row of each table of the health, notification and travel apps."""
    seed_health(organisation)  # container kinds, index thresholds, diseases
    month = dt.date(2026, 1, 1)
    LarvalSurvey.objects.create(
        organisation=organisation,
        village=register["village"],
        household=register["household"],
        month=month,
        surveyed_on=dt.date(2026, 1, 5),
        containers_inspected=4,
        containers_positive=1,
        recorded_by=owner,
    )
    VillageAlert.objects.create(
        organisation=organisation,
        village=register["village"],
        month=month,
        index="HI",
        value=Decimal("100.00"),
        threshold=Decimal("10.00"),
    )
    LineChannel.objects.create(
        organisation=organisation, channel_secret="s" * 32, access_token="t" * 40, basic_id="@office"
    )
    Notification.objects.create(
        organisation=organisation,
        household=register["household"],
        channel="line",
        address=f"U{organisation.pk:032d}",
        text="คำขอของท่านได้รับแล้ว",
        event=f"request:{organisation.pk}:accepted",
    )
    Place.objects.create(
        organisation=organisation,
        kind="place",
        name_th="น้ำตกทดสอบ",
        location=register["household"].location,
    )


def _collection_and_welfare_rows(
    organisation: Organisation, register: dict[str, Any], extras: dict[str, Any]
) -> None:
    """A row of each table of the collection cycle, the welfare evidence and the child centres."""
    SpecialReductionRecord.objects.create(organisation=organisation, parcel=register["farm"], code="ม.4 (3)")
    batch = ReminderBatch.objects.create(
        tax_year=extras["tax_year"], issued_on=dt.date(2026, 9, 1), pay_by=dt.date(2026, 9, 30)
    )
    Reminder.objects.create(
        batch=batch,
        assessment=extras["assessment"],
        number=f"R{organisation.pk}-1",
        overdue_tax=Decimal("5.00"),
    )
    DisabilityCard.objects.create(
        party=register["person"], card_number="12345", issued_on=dt.date(2024, 1, 1)
    )
    HouseholdIncome.objects.create(
        household=register["household"], year=2025, annual_income=Decimal("60000"), members=3
    )
    ChildCentre.objects.create(organisation=organisation, name_th="ศูนย์พัฒนาเด็กเล็กทดสอบ", capacity=30)


def mark_victim(organisation: Organisation) -> None:
    """Names of the victim office's rows carry the marker (so a leak on a page can be seen)."""
    Village.objects.filter(organisation=organisation).update(name_th=f"บ้าน{MARKER}", name_en=f"Ban {MARKER}")
    Party.objects.filter(organisation=organisation, kind="person").update(first_name=f"สม{MARKER}")
    Party.objects.filter(organisation=organisation, kind="juristic").update(
        juristic_name=f"บริษัท {MARKER} จำกัด"
    )
    Household.objects.filter(organisation=organisation).update(house_number=f"{MARKER}12")
    ServiceType.objects.filter(organisation=organisation).update(name_th=f"บริการ{MARKER}")
    Organisation.objects.filter(pk=organisation.pk).update(name_th=f"อบต.{MARKER}")


def staff_of(user_model: Any, organisation: Organisation, username: str) -> Any:
    """A staff user holding every role in one organisation."""
    roles.sync_roles()
    user = user_model.objects.create_user(username=username, password="x-Pass-2569!", is_staff=True)
    for role in ALL_ROLES:
        Membership.objects.create(user=user, organisation=organisation, role=Group.objects.get(name=role))
    return user


def rows_of(model: Any, organisation: Organisation) -> Any:
    return filter_to_organisations(model._default_manager.all(), {organisation.pk})


def stamp() -> str:
    return f"{timezone.now():%H%M%S}{secrets.token_hex(2)}"
