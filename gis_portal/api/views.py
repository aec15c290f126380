"""Read-only viewsets of the register under /api/v1/.

Each viewset names its model, the ``view_<model>`` permission that a role needs, the FK path to
the organisation and its serializer; the base class does scoping, ``?as_of=``, filters, ordering
and pagination. A new table (surveys, tax years, bills, ...) is one serializer plus one subclass
registered in :data:`gis_portal.api.urls.REGISTRY`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import drf_spectacular_sidecar
from django.db.models import Model, QuerySet
from django.http import Http404
from django.views.static import serve
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from gis_portal.errors import DomainError, NotFoundError
from parcels import serializers as s
from parcels.models import (
    Building,
    BuildingRight,
    GeodesicArea,
    Household,
    Organisation,
    Parcel,
    ParcelRight,
    Party,
    Village,
)

from . import filters as f
from .access import organisation_ids_seeing_personal_data, scope_by_role
from .history import as_of_queryset, parse_as_of
from .pagination import GeoJsonLimitOffsetPagination, RegisterPagination

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="The register as it was at the end of this day (YYYY-MM-DD, Asia/Bangkok), from the history",
)


class RegisterViewSet(viewsets.ReadOnlyModelViewSet):
    """Base of every read-only register endpoint (scoped to the caller's organisations and role)."""

    model: ClassVar[type[Model]]
    view_codename: ClassVar[str]
    organisation_field: ClassVar[str] = "organisation"
    select: ClassVar[tuple[str, ...]] = ()
    # Generated columns are not kept in the history tables: recomputed for ``?as_of``.
    history_annotations: ClassVar[dict[str, Any]] = {}
    supports_as_of: ClassVar[bool] = True

    # Token first: an unauthenticated machine gets 401 with ``WWW-Authenticate: Token``.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    lookup_field = "id"
    lookup_url_kwarg = "pk"
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends = [f.BBoxFilter, f.RegisterFilterBackend, OrderingFilter]
    ordering = ["id"]
    pagination_class = RegisterPagination

    def as_of(self) -> Any:
        value = self.request.query_params.get("as_of") if self.supports_as_of else None
        return parse_as_of(value) if value else None

    def get_queryset(self) -> QuerySet:
        when = self.as_of()
        if when is not None:
            queryset = as_of_queryset(self.model, when)
            if self.history_annotations:
                queryset = queryset.annotate(**self.history_annotations)
        else:
            queryset = self.model._default_manager.all()
        if self.select:
            queryset = queryset.select_related(*self.select)
        return scope_by_role(queryset, self.request.user, self.view_codename, field=self.organisation_field)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DomainError):
            return Response(exc.as_dict(), status=exc.status_code)
        return super().handle_exception(exc)

    def get_object(self) -> Any:
        try:
            return super().get_object()
        except Http404:
            raise NotFoundError("not_found", "Not found", "ไม่พบข้อมูล") from None


class GeoRegisterViewSet(RegisterViewSet):
    pagination_class = GeoJsonLimitOffsetPagination
    bbox_filter_field: ClassVar[str] = "geom"


@extend_schema_view(list=extend_schema(tags=["register"]), retrieve=extend_schema(tags=["register"]))
class OrganisationViewSet(GeoRegisterViewSet):
    """Organisations (อปท.) the caller works in."""

    model = Organisation
    view_codename = "view_organisation"
    queryset = Organisation.objects.all()
    serializer_class = s.OrganisationSerializer
    supports_as_of = False
    bbox_filter_field = "boundary"
    ordering_fields = ["id", "slug", "name_th"]


def _register_schema(cls: type[RegisterViewSet]) -> type[RegisterViewSet]:
    params = [AS_OF] if cls.supports_as_of else []
    return extend_schema_view(
        list=extend_schema(tags=["register"], parameters=params),
        retrieve=extend_schema(tags=["register"], parameters=params),
    )(cls)


@_register_schema
class VillageViewSet(GeoRegisterViewSet):
    """Villages (หมู่บ้าน); GeoJSON."""

    model = Village
    view_codename = "view_village"
    queryset = Village.objects.all()
    serializer_class = s.VillageSerializer
    filterset_class = f.VillageFilter
    bbox_filter_field = "boundary"
    history_annotations = {"area_m2": GeodesicArea("boundary")}
    ordering_fields = ["id", "number", "name_th", "area_m2"]


@_register_schema
class ParcelViewSet(GeoRegisterViewSet):
    """Land parcels (แปลงที่ดิน); GeoJSON."""

    model = Parcel
    view_codename = "view_parcel"
    queryset = Parcel.objects.all()
    serializer_class = s.ParcelSerializer
    filterset_class = f.ParcelFilter
    bbox_filter_field = "geom"
    history_annotations = {"area_m2": GeodesicArea("geom")}
    ordering_fields = ["id", "code", "area_m2", "updated_at", "village"]


@_register_schema
class BuildingViewSet(GeoRegisterViewSet):
    """Buildings (สิ่งปลูกสร้าง); GeoJSON."""

    model = Building
    view_codename = "view_building"
    queryset = Building.objects.all()
    serializer_class = s.BuildingSerializer
    filterset_class = f.BuildingFilter
    bbox_filter_field = "footprint"
    history_annotations = {"footprint_area_m2": GeodesicArea("footprint")}
    ordering_fields = ["id", "parcel", "number", "floor_area_m2", "year_built", "updated_at"]


@_register_schema
class HouseholdViewSet(GeoRegisterViewSet):
    """Households (ครัวเรือน, บ้านเลขที่); GeoJSON points."""

    model = Household
    view_codename = "view_household"
    queryset = Household.objects.all()
    serializer_class = s.HouseholdSerializer
    filterset_class = f.HouseholdFilter
    bbox_filter_field = "location"
    ordering_fields = ["id", "house_number", "village", "updated_at"]


@_register_schema
class PartyViewSet(RegisterViewSet):
    """Parties (บุคคล): national ID, phone and birth date masked unless the caller's role allows."""

    model = Party
    view_codename = "view_party"
    queryset = Party.objects.all()
    serializer_class = s.PartySerializer
    filterset_class = f.PartyFilter
    ordering_fields = ["id", "first_name", "last_name", "juristic_name", "updated_at"]

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["personal_org_ids"] = organisation_ids_seeing_personal_data(self.request.user)
        return context


@_register_schema
class ParcelRightViewSet(RegisterViewSet):
    """Rights of parties in parcels, with their shares."""

    model = ParcelRight
    view_codename = "view_parcelright"
    organisation_field = "parcel__organisation"
    queryset = ParcelRight.objects.all()
    serializer_class = s.ParcelRightSerializer
    filterset_class = f.ParcelRightFilter
    ordering_fields = ["id", "parcel", "party", "created_at"]


@_register_schema
class BuildingRightViewSet(RegisterViewSet):
    """Rights of parties in buildings, with their shares."""

    model = BuildingRight
    view_codename = "view_buildingright"
    organisation_field = "building__organisation"
    queryset = BuildingRight.objects.all()
    serializer_class = s.BuildingRightSerializer
    filterset_class = f.BuildingRightFilter
    ordering_fields = ["id", "building", "party", "created_at"]


SIDECAR_STATIC = Path(drf_spectacular_sidecar.__file__).parent / "static" / "drf_spectacular_sidecar"


def doc_assets(request: Any, path: str) -> Any:
    """Swagger UI / Redoc files from drf-spectacular-sidecar (local, no CDN)."""
    return serve(request, path, document_root=str(SIDECAR_STATIC))
