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
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response

from drone_ingest.models import Orthomosaic, Survey
from eservices.models import ServiceRequest, ServiceType
from gis_portal.apipasswords.authentication import ApiPasswordBasicAuthentication
from gis_portal.audit import log as audit_log
from gis_portal.errors import DomainError, NotFoundError
from gis_portal.geojson import GEOJSON_ANNOTATION, RAW_GEOMETRY, GeoJsonRenderer, with_geojson
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
from taxes.models import Assessment, Installment, Payment, TaxYear
from taxes.selectors import with_pay_status

from . import filters as f
from . import serializers as api_s
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
    # The app of the ``view_<model>`` permission (register tables: parcels).
    app_label: ClassVar[str] = "parcels"
    organisation_field: ClassVar[str] = "organisation"
    select: ClassVar[tuple[str, ...]] = ()
    prefetch: ClassVar[tuple[str, ...]] = ()
    # Generated columns are not kept in the history tables: recomputed for ``?as_of``.
    history_annotations: ClassVar[dict[str, Any]] = {}
    supports_as_of: ClassVar[bool] = True

    # Token first: an unauthenticated machine gets 401 with ``WWW-Authenticate: Token``. HTTP Basic
    # takes a per-user API password (what QGIS can send), never the login password.
    authentication_classes = [TokenAuthentication, SessionAuthentication, ApiPasswordBasicAuthentication]
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
            queryset = self.live_queryset()
        if self.select:
            queryset = queryset.select_related(*self.select)
        if self.prefetch:
            queryset = queryset.prefetch_related(*self.prefetch)
        return scope_by_role(
            queryset,
            self.request.user,
            self.view_codename,
            field=self.organisation_field,
            app_label=self.app_label,
        )

    def live_queryset(self) -> QuerySet:
        """The current rows (before scoping); subclasses add annotations here."""
        return self.model._default_manager.all()

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
    renderer_classes = [GeoJsonRenderer, BrowsableAPIRenderer]

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context[RAW_GEOMETRY] = isinstance(getattr(self.request, "accepted_renderer", None), GeoJsonRenderer)
        return context

    def get_queryset(self) -> QuerySet:
        # PostGIS writes each Feature's geometry (gis_portal/geojson.py), not Python.
        return with_geojson(super().get_queryset(), self.get_serializer_class().Meta.geo_field)

    def paginate_queryset(self, queryset: QuerySet) -> Any:
        # A page of plain rows when the serializer needs no model instance (gis_portal/geojson.py).
        columns = getattr(self.get_serializer_class(), "row_columns", lambda: None)()
        if columns and GEOJSON_ANNOTATION in queryset.query.annotations:
            queryset = queryset.values(*columns)
        return super().paginate_queryset(queryset)


class PersonalDataViewSetMixin:
    """Personal data masked by role, and every answer that shows it written to the audit log.

    The serializer gets ``personal_org_ids`` (organisations where the caller sees personal data in
    full; None = all). After a successful GET, the rows that were serialized go into one audit entry
    per organisation (one INSERT), with the ids shown masked listed apart. Nothing is logged for an
    empty page or a refusal.
    """

    audit_kind: ClassVar[str]
    request: Any
    basename: str
    action: str | None

    def personal_org_ids(self) -> set[int] | None:
        if not hasattr(self, "_personal_org_ids"):
            self._personal_org_ids = organisation_ids_seeing_personal_data(self.request.user)
        return self._personal_org_ids

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()  # type: ignore[misc]
        context["personal_org_ids"] = self.personal_org_ids()
        return context

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args and args[0] is not None:
            self._shown = list(args[0]) if kwargs.get("many") else [args[0]]
        return super().get_serializer(*args, **kwargs)  # type: ignore[misc]

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        shown = getattr(self, "_shown", None)
        if shown and request.method in ("GET", "HEAD") and response.status_code == 200:
            as_of = request.query_params.get("as_of")
            audit_log.record_rows(
                request,
                shown,
                kind=self.audit_kind,
                purpose=f"api {self.basename} {self.action}",
                personal_org_ids=self.personal_org_ids(),
                detail={"as_of": as_of} if as_of else None,
            )
            self._shown = []
        return response


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
class PartyViewSet(PersonalDataViewSetMixin, RegisterViewSet):
    """Parties (บุคคล): national ID, phone and birth date masked unless the caller's role allows.

    Every answer with parties is written to the personal data audit log (docs/PRIVACY.md).
    """

    model = Party
    view_codename = "view_party"
    queryset = Party.objects.all()
    serializer_class = s.PartySerializer
    filterset_class = f.PartyFilter
    ordering_fields = ["id", "first_name", "last_name", "juristic_name", "updated_at"]
    audit_kind = audit_log.PARTY


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


# --- imagery -------------------------------------------------------------------------------------------


def _tagged(tag: str) -> Any:
    return extend_schema_view(list=extend_schema(tags=[tag]), retrieve=extend_schema(tags=[tag]))


@_tagged("imagery")
class SurveyViewSet(RegisterViewSet):
    """Drone surveys (flight campaigns)."""

    model = Survey
    app_label = "drone_ingest"
    view_codename = "view_survey"
    queryset = Survey.objects.all()
    serializer_class = api_s.SurveySerializer
    filterset_class = f.SurveyFilter
    supports_as_of = False
    ordering = ["-flown_on", "-id"]
    ordering_fields = ["id", "flown_on", "created_at"]


@_tagged("imagery")
class OrthomosaicViewSet(GeoRegisterViewSet):
    """Orthomosaics and elevation models: processing state, CRS, resolution; footprint as GeoJSON."""

    model = Orthomosaic
    app_label = "drone_ingest"
    view_codename = "view_orthomosaic"
    queryset = Orthomosaic.objects.all()
    serializer_class = api_s.OrthomosaicSerializer
    filterset_class = f.OrthomosaicFilter
    supports_as_of = False
    bbox_filter_field = "footprint"
    ordering = ["-captured_on", "-id"]
    ordering_fields = ["id", "captured_on", "status", "ground_resolution_m", "created_at", "updated_at"]

    def live_queryset(self) -> QuerySet:
        # Server file paths and the original's WKT never leave the database.
        return Orthomosaic.objects.defer("source_path", "cog_path", "crs_wkt", "claimed_by")


# --- taxes ---------------------------------------------------------------------------------------------


class TaxViewSet(RegisterViewSet):
    """Tax tables: only roles with ``taxes.view_<model>`` (tax officer, viewer) see rows."""

    app_label = "taxes"
    supports_as_of = False


@_tagged("taxes")
class TaxYearViewSet(TaxViewSet):
    """Tax years of the caller's organisations, with their rules."""

    model = TaxYear
    view_codename = "view_taxyear"
    queryset = TaxYear.objects.all()
    serializer_class = api_s.TaxYearSerializer
    filterset_class = f.TaxYearFilter
    ordering = ["-year", "id"]
    ordering_fields = ["id", "year", "status", "notice_date"]


@_tagged("taxes")
class AssessmentViewSet(TaxViewSet):
    """Assessments (ใบแจ้งการประเมิน): amounts, payment state today and installments; ``detail`` on one."""

    model = Assessment
    view_codename = "view_assessment"
    queryset = Assessment.objects.all()
    serializer_class = api_s.AssessmentSerializer
    filterset_class = f.AssessmentFilter
    prefetch = ("installments",)
    ordering_fields = ["id", "notice_number", "party", "village", "total", "paid", "pay_status", "created_at"]

    def live_queryset(self) -> QuerySet:
        return with_pay_status(Assessment.objects.all())

    def get_serializer_class(self) -> Any:
        return api_s.AssessmentDetailSerializer if self.action == "retrieve" else api_s.AssessmentSerializer


@_tagged("taxes")
class InstallmentViewSet(TaxViewSet):
    """Installments (งวด) of issued assessments: amount and due date."""

    model = Installment
    view_codename = "view_installment"
    organisation_field = "assessment__organisation"
    queryset = Installment.objects.all()
    serializer_class = api_s.InstallmentSerializer
    filterset_class = f.InstallmentFilter
    ordering_fields = ["id", "assessment", "number", "due_date", "amount"]


@_tagged("taxes")
class PaymentViewSet(TaxViewSet):
    """Payments received, split into tax, surcharge and excess, with the receipt number."""

    model = Payment
    view_codename = "view_payment"
    queryset = Payment.objects.all()
    serializer_class = api_s.PaymentSerializer
    filterset_class = f.PaymentFilter
    ordering_fields = ["id", "paid_on", "amount", "receipt_number", "created_at"]


# --- e-services ----------------------------------------------------------------------------------------


@_tagged("eservices")
class ServiceTypeViewSet(RegisterViewSet):
    """Services the office offers: form, fee, workflow states and target days."""

    model = ServiceType
    app_label = "eservices"
    view_codename = "view_servicetype"
    queryset = ServiceType.objects.all()
    serializer_class = api_s.ServiceTypeSerializer
    filterset_class = f.ServiceTypeFilter
    supports_as_of = False
    ordering = ["position", "code", "id"]
    ordering_fields = ["id", "code", "position", "name_th", "name_en"]


@_tagged("eservices")
class ServiceRequestViewSet(PersonalDataViewSetMixin, GeoRegisterViewSet):
    """Residents' requests at their place (GeoJSON points); contact data masked unless the role allows.

    Every answer with requests is written to the personal data audit log (docs/PRIVACY.md).
    """

    model = ServiceRequest
    app_label = "eservices"
    view_codename = "view_servicerequest"
    queryset = ServiceRequest.objects.all()
    serializer_class = api_s.ServiceRequestSerializer
    filterset_class = f.ServiceRequestFilter
    supports_as_of = False
    select = ("service_type",)
    bbox_filter_field = "location"
    ordering = ["-created_at", "-id"]
    ordering_fields = ["id", "created_at", "updated_at", "due_at", "status"]
    audit_kind = audit_log.SERVICE_REQUEST


SIDECAR_STATIC = Path(drf_spectacular_sidecar.__file__).parent / "static" / "drf_spectacular_sidecar"


def doc_assets(request: Any, path: str) -> Any:
    """Swagger UI / Redoc files from drf-spectacular-sidecar (local, no CDN)."""
    return serve(request, path, document_root=str(SIDECAR_STATIC))
