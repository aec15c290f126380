"""Output serializers of the imagery, tax and e-service endpoints (read-only).

Money is a decimal string (``"1200.00"``), never a float. Spatial tables are GeoJSON Features in
EPSG:4326. Server file paths of imagery are never part of an answer.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.contrib.rest_framework_gis import GeoFeatureModelSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from drone_ingest.models import ImageryKind, ImageryStatus, Orthomosaic, Survey
from eservices.models import ServiceRequest, ServiceType
from gis_portal.geojson import PostgisGeoFeatureSerializer
from taxes.models import Assessment, Installment, Payment, TaxYear

ORTHO_TILE_TEMPLATE = "/tiles/ortho/{id}/{{z}}/{{x}}/{{y}}.{ext}"


class NullableGeometryExtension(GeoFeatureModelSerializerExtension):
    """A Feature's ``geometry`` may be null where the model's geometry column is (e.g. imagery in work)."""

    priority = 1

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema = super().map_serializer(auto_schema, direction)
        field = self.target.Meta.model._meta.get_field(self.target.Meta.geo_field)
        if field.null and schema["properties"].get("geometry"):
            schema["properties"]["geometry"] = {**schema["properties"]["geometry"], "nullable": True}
        return schema


def _mask_phone(phone: str) -> str:
    return ("X" * max(len(phone) - 4, 0) + phone[-4:]) if phone else ""


# --- imagery ----------------------------------------------------------------------------------------


class SurveySerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)

    class Meta:
        model = Survey
        fields = ["id", "organisation", "flown_on", "surveyor", "drone", "camera", "notes", "created_at"]
        read_only_fields = fields


class OrthomosaicSerializer(PostgisGeoFeatureSerializer):
    """Footprint as the Feature's geometry (null until processed); no file paths, no worker names."""

    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    survey = serializers.IntegerField(source="survey_id", read_only=True, allow_null=True)
    bounds = serializers.SerializerMethodField(
        help_text="[west, south, east, north] in EPSG:4326; null until ready"
    )
    tile_url_template = serializers.SerializerMethodField(
        help_text="XYZ tiles of a ready image, e.g. /tiles/ortho/7/{z}/{x}/{y}.jpg (web session); else null"
    )
    error_message = serializers.CharField(read_only=True, help_text="Thai / English, empty unless failed")

    class Meta:
        model = Orthomosaic
        geo_field = "footprint"
        fields = [
            "id",
            "organisation",
            "survey",
            "kind",
            "title",
            "captured_on",
            "status",
            "progress",
            "attempts",
            "retryable",
            "error_code",
            "error_en",
            "error_th",
            "error_message",
            "source_name",
            "file_size",
            "sha256",
            "crs",
            "width",
            "height",
            "band_count",
            "dtype",
            "pixel_size_x",
            "pixel_size_y",
            "ground_resolution_m",
            "cog_size",
            "footprint_area_m2",
            "value_min",
            "value_max",
            "bounds",
            "tile_url_template",
            "processed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4, "nullable": True}
    )
    def get_bounds(self, obj: Orthomosaic) -> list[float] | None:
        return list(obj.bounds_4326.extent) if obj.bounds_4326 else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_tile_url_template(self, obj: Orthomosaic) -> str | None:
        if obj.status != ImageryStatus.READY:
            return None
        ext = "jpg" if obj.kind == ImageryKind.ORTHO else "png"
        return ORTHO_TILE_TEMPLATE.format(id=obj.pk, ext=ext)


# --- taxes ------------------------------------------------------------------------------------------


class TaxYearSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    year_be = serializers.SerializerMethodField(help_text="the tax year in the Buddhist Era (พ.ศ.)")
    rules = serializers.JSONField(read_only=True, help_text="rates, exemptions and due dates of the year")

    class Meta:
        model = TaxYear
        fields = [
            "id",
            "organisation",
            "year",
            "year_be",
            "status",
            "notice_date",
            "last_assessed_at",
            "rules",
        ]
        read_only_fields = fields

    def get_year_be(self, obj: TaxYear) -> int:
        return obj.year + 543


class InstallmentSerializer(serializers.ModelSerializer):
    assessment = serializers.IntegerField(source="assessment_id", read_only=True)

    class Meta:
        model = Installment
        fields = ["id", "assessment", "number", "due_date", "amount"]
        read_only_fields = fields


class NestedInstallmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Installment
        fields = ["number", "due_date", "amount"]
        read_only_fields = fields


PAY_STATUSES = ["draft", "issued_unpaid", "partly_paid", "paid", "overdue"]


class AssessmentSerializer(serializers.ModelSerializer):
    """One taxpayer's assessment (the bill, ใบแจ้งการประเมิน) with its installments."""

    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    tax_year = serializers.IntegerField(source="tax_year_id", read_only=True)
    party = serializers.IntegerField(source="party_id", read_only=True)
    village = serializers.IntegerField(source="village_id", read_only=True, allow_null=True)
    parcel_ids = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    pay_status = serializers.ChoiceField(
        choices=PAY_STATUSES, read_only=True, help_text="payment state today (overdue: installment late)"
    )
    installments = NestedInstallmentSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "organisation",
            "tax_year",
            "party",
            "village",
            "category",
            "status",
            "pay_status",
            "notice_number",
            "issued_at",
            "value",
            "exemption",
            "total",
            "paid",
            "outstanding",
            "surcharge_paid",
            "surcharge_accrued",
            "parcel_ids",
            "installments",
            "created_at",
        ]
        read_only_fields = fields


class AssessmentDetailSerializer(AssessmentSerializer):
    # stored compactly on the model; ``itemised`` renders the lines with their texts
    detail = serializers.JSONField(
        source="itemised", read_only=True, help_text="the itemised assessment (parcels, buildings, notes)"
    )

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "detail"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    assessment = serializers.IntegerField(source="assessment_id", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "organisation",
            "assessment",
            "channel",
            "paid_on",
            "amount",
            "tax_part",
            "surcharge_part",
            "excess_part",
            "receipt_number",
            "bank_reference",
            "ref1",
            "ref2",
            "created_at",
        ]
        read_only_fields = fields


# --- e-services -------------------------------------------------------------------------------------


class ServiceTypeSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    form_fields = serializers.JSONField(read_only=True)
    required_attachments = serializers.JSONField(read_only=True)
    workflow_states = serializers.JSONField(read_only=True)

    class Meta:
        model = ServiceType
        fields = [
            "id",
            "organisation",
            "code",
            "kind",
            "name_th",
            "name_en",
            "description_th",
            "description_en",
            "icon",
            "fee",
            "form_fields",
            "required_attachments",
            "workflow_states",
            "target_days",
            "requires_verification",
            "active",
            "position",
        ]
        read_only_fields = fields


class ServiceRequestSerializer(PostgisGeoFeatureSerializer):
    """A resident's request at its place; contact phone, form answers and phone GPS masked unless allowed.

    The view passes ``personal_org_ids`` (organisations where the caller may see personal data; None
    for all) in the context, as for parties.
    """

    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    household = serializers.IntegerField(source="household_id", read_only=True)
    service_type = serializers.IntegerField(source="service_type_id", read_only=True)
    service_code = serializers.CharField(source="service_type.code", read_only=True)
    reference = serializers.CharField(read_only=True, help_text="R000123")
    contact_phone = serializers.CharField(read_only=True, help_text="masked (XXXXXX5678) unless allowed")
    data = serializers.SerializerMethodField(
        help_text="the answers of the service's form; null unless allowed"
    )
    gps = serializers.SerializerMethodField(help_text="[lon, lat] of the phone's GPS; null unless allowed")
    personal_data_masked = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        geo_field = "location"
        fields = [
            "id",
            "reference",
            "organisation",
            "household",
            "service_type",
            "service_code",
            "status",
            "is_open",
            "pin_moved",
            "gps",
            "gps_accuracy_m",
            "data",
            "contact_phone",
            "fee",
            "personal_data_masked",
            "due_at",
            "created_at",
            "updated_at",
            "closed_at",
        ]
        read_only_fields = fields

    def _allowed(self, obj: ServiceRequest) -> bool:
        allowed = self.context.get("personal_org_ids", set())
        return allowed is None or obj.organisation_id in allowed

    @extend_schema_field({"type": "object", "additionalProperties": True, "nullable": True})
    def get_data(self, obj: ServiceRequest) -> dict[str, Any] | None:
        return obj.data if self._allowed(obj) else None

    @extend_schema_field(
        {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2, "nullable": True}
    )
    def get_gps(self, obj: ServiceRequest) -> list[float] | None:
        return [obj.gps.x, obj.gps.y] if obj.gps is not None and self._allowed(obj) else None

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_personal_data_masked(self, obj: ServiceRequest) -> bool:
        return not self._allowed(obj)

    def to_representation(self, instance: ServiceRequest) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self._allowed(instance):
            data["properties"]["contact_phone"] = _mask_phone(instance.contact_phone)
        return data
