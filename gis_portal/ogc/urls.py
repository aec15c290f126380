"""OGC API – Features under /ogc/ (see docs/OGC_QGIS.md)."""

from django.urls import path, re_path

from . import views

app_name = "ogc"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("api", views.api, name="api"),
    path("conformance", views.conformance, name="conformance"),
    path("collections", views.collections, name="collections"),
    path("collections/<slug:collection_id>", views.collection, name="collection"),
    path("collections/<slug:collection_id>/items", views.items, name="items"),
    re_path(
        r"^collections/(?P<collection_id>[-a-z]+)/items/(?P<feature_id>[0-9]{1,18})$", views.item, name="item"
    ),
]
