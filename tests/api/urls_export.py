"""The project's URLs plus the register download, as parcels/urls.py will wire it."""

from django.urls import include, path

from gis_portal.urls import urlpatterns as project_urls
from parcels import export_views

urlpatterns = [
    path("register-export/<slug:org_slug>.gpkg", export_views.register_geopackage, name="export-register"),
    path("", include(project_urls)),
]
