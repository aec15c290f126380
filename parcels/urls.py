from django.urls import path

from . import views

app_name = "parcels"

urlpatterns = [
    path("import/", views.import_upload, name="import"),
    path("parcels/<int:pk>/", views.parcel_detail, name="parcel-detail"),
]
