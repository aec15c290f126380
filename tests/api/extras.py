"""Imagery, tax and e-service rows on top of :func:`tests.api.register.build_register`.

Made through the apps' own services where they exist (tax year, assessment, issue, payment, service
request); imagery rows are written as the ingest leaves them (a ready one and a failed one).
"""

from __future__ import annotations

import datetime as dt
import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.gis.geos import Polygon
from django.utils import timezone

from drone_ingest.models import ImageryStatus, Orthomosaic, Survey
from eservices import services as eservices
from eservices.catalogue import seed_services
from eservices.models import ServiceType
from parcels.models import Organisation
from taxes import services as taxes
from taxes.models import Assessment, BuildingCost, Depreciation, LandPrice

YEAR = 2026
SECRET_DIR = "/srv/pangmu-secret-imagery"


def build_extras(organisation: Organisation, register: dict[str, Any]) -> dict[str, Any]:
    farm = register["farm"]
    survey = Survey.objects.create(
        organisation=organisation, flown_on=dt.date(2026, 1, 10), surveyor="ทีมสำรวจ", drone="DJI Mavic 3E"
    )
    ready = Orthomosaic.objects.create(
        organisation=organisation,
        survey=survey,
        kind="ortho",
        title="ภาพถ่ายทดสอบ",
        captured_on=dt.date(2026, 1, 10),
        status=ImageryStatus.READY,
        progress=100,
        source_name="ortho.tif",
        source_path=f"{SECRET_DIR}/uploads/ortho.tif",
        file_size=123_456,
        sha256="a" * 64,
        crs="EPSG:32647",
        crs_wkt='PROJCS["WGS 84 / UTM zone 47N"]',
        width=2000,
        height=1500,
        band_count=3,
        dtype="uint8",
        pixel_size_x=0.05,
        pixel_size_y=0.05,
        ground_resolution_m=0.05,
        cog_path=f"{SECRET_DIR}/cog/ready.tif",
        cog_size=98_765,
        bounds_4326=Polygon.from_bbox(farm.geom.extent),
        footprint=farm.geom,
        footprint_area_m2=6400.0,
        claimed_by="worker-host-1",
        processed_at=timezone.now(),
    )
    failed = Orthomosaic.objects.create(
        organisation=organisation,
        kind="dsm",
        captured_on=dt.date(2026, 2, 1),
        status=ImageryStatus.FAILED,
        source_name="dsm.tif",
        source_path=f"{SECRET_DIR}/uploads/dsm.tif",
        file_size=1000,
        sha256="b" * 64,
        error_code="no_crs",
        error_en="The file has no coordinate system",
        error_th="ไฟล์ไม่มีระบบพิกัด",
        retryable=False,
    )

    tax_year = taxes.tax_year_create(organisation=organisation, year=YEAR)
    for zone, block in (("01", "A"), ("02", "B")):
        LandPrice.objects.create(tax_year=tax_year, zone=zone, block=block, price_per_sq_wah=Decimal("5000"))
    BuildingCost.objects.create(tax_year=tax_year, building_type="shophouse", cost_per_m2=Decimal("9000"))
    Depreciation.objects.create(
        tax_year=tax_year, material="concrete", age_from=0, age_to=None, percent=Decimal("10")
    )
    taxes.assess_year(organisation=organisation, year=YEAR)
    taxes.assessments_issue(tax_year=tax_year, issued_on=date(YEAR, 3, 1))  # before the year's dates
    billed = Assessment.objects.filter(tax_year=tax_year, total__gt=0).order_by("id")
    assessment = billed.first()
    assert assessment is not None, "the register must produce a tax bill"
    payment = taxes.payment_record(
        assessment=assessment, amount=Decimal("100.00"), paid_on=timezone.localdate()
    )

    seed_services(organisation)
    service_type = ServiceType.objects.get(organisation=organisation, code="water_connection")
    form = {"phone": "0891234567", "details": "ขอติดตั้งมาตรน้ำ"}
    request, _ = eservices.service_request_submit(
        household=register["household"],
        service_type=service_type,
        nonce=secrets.token_hex(16),
        form=form,
        gps=(register["household"].location.x, register["household"].location.y),
        gps_accuracy_m=8,
        contact_phone="0891234567",
    )
    return {
        "survey": survey,
        "ready": ready,
        "failed": failed,
        "tax_year": tax_year,
        "assessment": assessment,
        "payment": payment,
        "service_type": service_type,
        "request": request,
    }
