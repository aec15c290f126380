"""Output serializers of the register API (read-only; writes go through parcels.services).

Spatial tables are GeoJSON Features (geometry in EPSG:4326, WGS 84 lon/lat). The same serializers
render live rows and the historical records of ``?as_of=`` (which carry the same field names).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from gis_portal.geojson import PostgisGeoFeatureSerializer

from .models import Building, BuildingRight, Household, Organisation, Parcel, ParcelRight, Party, Village


class OrganisationSerializer(PostgisGeoFeatureSerializer):
    class Meta:
        model = Organisation
        geo_field = "boundary"
        fields = [
            "id",
            "slug",
            "dla_code",
            "name_th",
            "name_en",
            "tambon_code",
            "address",
            "phone",
            "utm_srid",
        ]
        read_only_fields = fields


class VillageSerializer(PostgisGeoFeatureSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    area_m2 = serializers.FloatField(read_only=True, help_text="ellipsoidal area (WGS 84), m²")

    class Meta:
        model = Village
        geo_field = "boundary"
        fields = ["id", "organisation", "number", "name_th", "name_en", "area_m2"]
        read_only_fields = fields


class ParcelSerializer(PostgisGeoFeatureSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    village = serializers.IntegerField(source="village_id", read_only=True, allow_null=True)
    area_m2 = serializers.FloatField(read_only=True, help_text="ellipsoidal area (WGS 84), m²")

    class Meta:
        model = Parcel
        geo_field = "geom"
        fields = [
            "id",
            "organisation",
            "village",
            "code",
            "zone",
            "block",
            "lot",
            "doc_type",
            "doc_number",
            "declared_rai",
            "declared_ngan",
            "declared_wah",
            "area_m2",
            "status",
            "retired_at",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class BuildingSerializer(PostgisGeoFeatureSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    parcel = serializers.IntegerField(source="parcel_id", read_only=True)
    footprint_area_m2 = serializers.FloatField(read_only=True, help_text="ellipsoidal area (WGS 84), m²")

    class Meta:
        model = Building
        geo_field = "footprint"
        fields = [
            "id",
            "organisation",
            "parcel",
            "number",
            "building_type",
            "material",
            "storeys",
            "floor_area_m2",
            "footprint_area_m2",
            "year_built",
            "status",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class HouseholdSerializer(PostgisGeoFeatureSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    village = serializers.IntegerField(source="village_id", read_only=True)
    building = serializers.IntegerField(source="building_id", read_only=True, allow_null=True)

    class Meta:
        model = Household
        geo_field = "location"
        fields = [
            "id",
            "organisation",
            "village",
            "building",
            "house_number",
            "status",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


def _mask_phone(phone: str) -> str:
    return ("X" * max(len(phone) - 4, 0) + phone[-4:]) if phone else ""


class PartySerializer(serializers.ModelSerializer):
    """National ID, phone and birth date only in full to roles in ROLES_SEEING_PERSONAL_DATA.

    The view passes ``personal_org_ids`` (organisations where the caller may see personal data;
    None for all) in the serializer context.
    """

    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    household = serializers.IntegerField(source="household_id", read_only=True, allow_null=True)
    national_id = serializers.CharField(
        read_only=True, help_text="masked (X-XXXX-XXXXX-123-4) unless allowed"
    )
    phone = serializers.CharField(read_only=True, help_text="masked unless allowed")
    birth_date = serializers.DateField(read_only=True, allow_null=True, help_text="null unless allowed")
    display_name = serializers.SerializerMethodField()
    personal_data_masked = serializers.SerializerMethodField()

    class Meta:
        model = Party
        fields = [
            "id",
            "organisation",
            "kind",
            "national_id",
            "title",
            "first_name",
            "last_name",
            "juristic_name",
            "display_name",
            "birth_date",
            "phone",
            "household",
            "is_household_head",
            "personal_data_masked",
            "updated_at",
        ]
        read_only_fields = fields

    def _allowed(self, obj: Any) -> bool:
        allowed = self.context.get("personal_org_ids", set())
        return allowed is None or obj.organisation_id in allowed

    def get_display_name(self, obj: Any) -> str:
        return Party.display_name.fget(obj)  # type: ignore[attr-defined]  # works for history records too

    def get_personal_data_masked(self, obj: Any) -> bool:
        return not self._allowed(obj)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self._allowed(instance):
            data["national_id"] = Party.masked_national_id.fget(instance)  # type: ignore[attr-defined]
            data["phone"] = _mask_phone(instance.phone)
            data["birth_date"] = None
        return data


class ParcelRightSerializer(serializers.ModelSerializer):
    parcel = serializers.IntegerField(source="parcel_id", read_only=True)
    party = serializers.IntegerField(source="party_id", read_only=True)

    class Meta:
        model = ParcelRight
        fields = ["id", "parcel", "party", "right_type", "share_numerator", "share_denominator", "created_at"]
        read_only_fields = fields


class BuildingRightSerializer(serializers.ModelSerializer):
    building = serializers.IntegerField(source="building_id", read_only=True)
    party = serializers.IntegerField(source="party_id", read_only=True)

    class Meta:
        model = BuildingRight
        fields = [
            "id",
            "building",
            "party",
            "right_type",
            "share_numerator",
            "share_denominator",
            "created_at",
        ]
        read_only_fields = fields
