from django.urls import path

from . import export_views, views

app_name = "parcels"

urlpatterns = [
    path("import/", views.import_upload, name="import"),
    path("parcels/<int:pk>/", views.parcel_detail, name="parcel-detail"),
    path("export/<slug:org_slug>.gpkg", export_views.register_geopackage, name="export-register"),
]
