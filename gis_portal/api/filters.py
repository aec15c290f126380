"""Filters of the register API: bbox, attributes (django-filter) and ordering."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import django_filters as df
from django import forms
from django.contrib.gis.geos import Polygon
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

from drone_ingest.models import ImageryKind, ImageryStatus, Orthomosaic, Survey
from eservices.models import ServiceKind, ServiceRequest, ServiceType
from parcels.models import (
    Building,
    BuildingRight,
    Household,
    LandDocType,
    Parcel,
    ParcelRight,
    Party,
    Village,
)
from taxes.models import (
    Assessment,
    AssessmentStatus,
    Installment,
    Payment,
    PaymentChannel,
    TaxYear,
    TaxYearStatus,
)

from .serializers import PAY_STATUSES


def parse_bbox(value: str, param: str = "bbox") -> tuple[float, float, float, float]:
    """``minx,miny,maxx,maxy`` (4 finite numbers, min ≤ max) or a 400 naming the parameter."""
    try:
        numbers = tuple(float(n) for n in value.split(","))
    except ValueError:
        numbers = ()
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise ValidationError({param: "expected four numbers minx,miny,maxx,maxy / ต้องเป็นตัวเลข 4 ค่า"})
    minx, miny, maxx, maxy = numbers
    if minx > maxx or miny > maxy:
        raise ValidationError({param: "min must not be greater than max / ค่าต่ำสุดต้องไม่เกินค่าสูงสุด"})
    return minx, miny, maxx, maxy


def bbox_polygon(bbox: tuple[float, float, float, float], srid: int = 4326) -> Polygon:
    minx, miny, maxx, maxy = bbox
    if srid == 4326:
        # Clamp to the valid lon/lat range so that PostGIS is never handed an impossible box.
        minx, maxx = max(minx, -180.0), min(maxx, 180.0)
        miny, maxy = max(miny, -90.0), min(maxy, 90.0)
        maxx, maxy = max(minx, maxx), max(miny, maxy)
    poly = Polygon.from_bbox((minx, miny, maxx, maxy))
    poly.srid = srid
    return poly


class BBoxFilter(BaseFilterBackend):
    """``?bbox=minlon,minlat,maxlon,maxlat`` (EPSG:4326): rows whose geometry intersects the box."""

    param = "bbox"

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        field = getattr(view, "bbox_filter_field", None)
        value = request.query_params.get(self.param)
        if not field or not value:
            return queryset
        return queryset.filter(**{f"{field}__intersects": bbox_polygon(parse_bbox(value, self.param))})

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        if not getattr(view, "bbox_filter_field", None):
            return []
        return [
            {
                "name": self.param,
                "in": "query",
                "required": False,
                "description": "minlon,minlat,maxlon,maxlat in EPSG:4326 (WGS 84 longitude/latitude)",
                "schema": {"type": "string"},
            }
        ]


class RegisterFilterBackend(DjangoFilterBackend):
    """django-filter, also over historical records (``?as_of``), without the HTML form templates."""

    def get_filterset_class(self, view: Any, queryset: Any = None) -> Any:
        return getattr(view, "filterset_class", None)

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        # Without any of the filter set's parameters, filtering gives the queryset itself (django-filter
        # skips empty values): spare every plain page the building and validating of the form.
        filterset_class = self.get_filterset_class(view, queryset)
        names = tuple(filterset_class.base_filters) if filterset_class is not None else ()
        if not any(key.startswith(names) for key in request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def to_html(self, request: Any, queryset: Any, view: Any) -> str:
        return ""


class IdFilter(df.NumberFilter):
    field_class = forms.IntegerField


class VillageFilter(df.FilterSet):
    class Meta:
        model = Village
        fields = {"number": ["exact"], "name_th": ["exact", "icontains"]}


class ParcelFilter(df.FilterSet):
    village = IdFilter(field_name="village_id")
    village_number = IdFilter(field_name="village__number")
    doc_type = df.ChoiceFilter(choices=LandDocType.choices)

    class Meta:
        model = Parcel
        fields = {
            "code": ["exact", "startswith"],
            "zone": ["exact"],
            "block": ["exact"],
            "status": ["exact"],
            "doc_number": ["exact"],
        }


class BuildingFilter(df.FilterSet):
    parcel = IdFilter(field_name="parcel_id")
    parcel_code = df.CharFilter(field_name="parcel__code")

    class Meta:
        model = Building
        fields = {
            "building_type": ["exact"],
            "material": ["exact"],
            "status": ["exact"],
            "storeys": ["exact"],
        }


class HouseholdFilter(df.FilterSet):
    village = IdFilter(field_name="village_id")
    village_number = IdFilter(field_name="village__number")
    building = IdFilter(field_name="building_id")

    class Meta:
        model = Household
        fields = {"house_number": ["exact"], "status": ["exact"]}


class PartyFilter(df.FilterSet):
    household = IdFilter(field_name="household_id")
    name = df.CharFilter(method="filter_name", label="part of the first, last or juristic name")

    class Meta:
        model = Party
        fields = {"kind": ["exact"], "is_household_head": ["exact"]}

    def filter_name(self, queryset: Any, name: str, value: str) -> Any:
        from django.db.models import Q

        return queryset.filter(
            Q(first_name__icontains=value) | Q(last_name__icontains=value) | Q(juristic_name__icontains=value)
        )


class ParcelRightFilter(df.FilterSet):
    parcel = IdFilter(field_name="parcel_id")
    party = IdFilter(field_name="party_id")

    class Meta:
        model = ParcelRight
        fields = {"right_type": ["exact"]}


class BuildingRightFilter(df.FilterSet):
    building = IdFilter(field_name="building_id")
    party = IdFilter(field_name="party_id")

    class Meta:
        model = BuildingRight
        fields = {"right_type": ["exact"]}


# --- imagery, taxes, e-services ------------------------------------------------------------------------


class SurveyFilter(df.FilterSet):
    class Meta:
        model = Survey
        fields = {"flown_on": ["exact", "gte", "lte"]}


class OrthomosaicFilter(df.FilterSet):
    survey = IdFilter(field_name="survey_id")
    kind = df.ChoiceFilter(choices=ImageryKind.choices)
    status = df.ChoiceFilter(choices=ImageryStatus.choices)

    class Meta:
        model = Orthomosaic
        fields = {"captured_on": ["exact", "gte", "lte"]}


class TaxYearFilter(df.FilterSet):
    year = IdFilter(field_name="year")
    status = df.ChoiceFilter(choices=TaxYearStatus.choices)

    class Meta:
        model = TaxYear
        fields: list[str] = []


class AssessmentFilter(df.FilterSet):
    tax_year = IdFilter(field_name="tax_year_id")
    year = IdFilter(field_name="tax_year__year", label="tax year (CE), e.g. 2026")
    party = IdFilter(field_name="party_id")
    village = IdFilter(field_name="village_id")
    parcel = IdFilter(method="filter_parcel", label="assessments that include this parcel id")
    status = df.ChoiceFilter(choices=AssessmentStatus.choices)
    pay_status = df.ChoiceFilter(choices=[(s, s) for s in PAY_STATUSES], field_name="pay_status")

    class Meta:
        model = Assessment
        fields = {"category": ["exact"], "notice_number": ["exact"]}

    def filter_parcel(self, queryset: Any, name: str, value: int) -> Any:
        return queryset.filter(parcel_ids__contains=[value])


class InstallmentFilter(df.FilterSet):
    assessment = IdFilter(field_name="assessment_id")
    year = IdFilter(field_name="assessment__tax_year__year", label="tax year (CE)")

    class Meta:
        model = Installment
        fields = {"number": ["exact"], "due_date": ["exact", "gte", "lte"]}


class PaymentFilter(df.FilterSet):
    assessment = IdFilter(field_name="assessment_id")
    year = IdFilter(field_name="assessment__tax_year__year", label="tax year (CE)")
    channel = df.ChoiceFilter(choices=PaymentChannel.choices)

    class Meta:
        model = Payment
        fields = {"paid_on": ["exact", "gte", "lte"], "receipt_number": ["exact"]}


class ServiceTypeFilter(df.FilterSet):
    kind = df.ChoiceFilter(choices=ServiceKind.choices)

    class Meta:
        model = ServiceType
        fields = {"code": ["exact"], "active": ["exact"]}


class UtcDateTimeFilter(df.IsoDateTimeFilter):
    """An ISO 8601 date-time, compared in UTC. Python accepts offsets up to ±24 h, PostgreSQL only up
    to ±15:59: a value is converted to UTC first (an offset the database would refuse, or a date out
    of range once converted, is a 400 that says so, not a server error)."""

    def filter(self, qs: Any, value: Any) -> Any:
        if value is not None:
            try:
                value = value.astimezone(dt.UTC)
            except (OverflowError, ValueError):
                raise ValidationError(
                    {self.field_name: [f"{value.isoformat()} is out of range / วันเวลาอยู่นอกช่วงที่รับได้"]}
                ) from None
        return super().filter(qs, value)


class ServiceRequestFilter(df.FilterSet):
    household = IdFilter(field_name="household_id")
    service_type = IdFilter(field_name="service_type_id")
    service_code = df.CharFilter(field_name="service_type__code")
    created_at__gte = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_at__lte = UtcDateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = ServiceRequest
        fields = {"status": ["exact"], "is_open": ["exact"]}
