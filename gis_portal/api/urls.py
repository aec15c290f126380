"""REST API of the register, version 1 (see docs/API.md)."""

from importlib import import_module

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

# (URL prefix, viewset): the register, imagery, taxes and e-services, one line each.
REGISTRY = [
    ("organisations", views.OrganisationViewSet),
    ("villages", views.VillageViewSet),
    ("parcels", views.ParcelViewSet),
    ("buildings", views.BuildingViewSet),
    ("households", views.HouseholdViewSet),
    ("parties", views.PartyViewSet),
    ("parcel-rights", views.ParcelRightViewSet),
    ("building-rights", views.BuildingRightViewSet),
    ("surveys", views.SurveyViewSet),
    ("orthomosaics", views.OrthomosaicViewSet),
    ("tax-years", views.TaxYearViewSet),
    ("assessments", views.AssessmentViewSet),
    ("installments", views.InstallmentViewSet),
    ("payments", views.PaymentViewSet),
    ("service-types", views.ServiceTypeViewSet),
    ("service-requests", views.ServiceRequestViewSet),
]

router = DefaultRouter()
for prefix, viewset in REGISTRY:
    router.register(prefix, viewset, basename=prefix)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    re_path(r"^docs/assets/(?P<path>.+)$", views.doc_assets, name="doc-assets"),
    path("tax/quote", import_module("taxes.api").tax_quote, name="tax-quote"),
    *router.urls,
]
