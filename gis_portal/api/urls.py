"""REST API of the register, version 1 (see docs/API.md)."""

from importlib import import_module

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

# (URL prefix, viewset). Imagery, tax and e-service tables are added here, one line each.
REGISTRY = [
    ("organisations", views.OrganisationViewSet),
    ("villages", views.VillageViewSet),
    ("parcels", views.ParcelViewSet),
    ("buildings", views.BuildingViewSet),
    ("households", views.HouseholdViewSet),
    ("parties", views.PartyViewSet),
    ("parcel-rights", views.ParcelRightViewSet),
    ("building-rights", views.BuildingRightViewSet),
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
