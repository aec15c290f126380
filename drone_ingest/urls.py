from django.urls import path

from . import views

app_name = "drone_ingest"

urlpatterns = [
    path("", views.imagery_index, name="index"),
    path("layers.json", views.layers_json, name="layers"),
    path("<int:pk>/", views.imagery_detail, name="detail"),
    path("<int:pk>/status", views.imagery_status, name="status"),
    path("<int:pk>/retry", views.imagery_retry, name="retry"),
    path("uploads/", views.upload_start, name="upload-start"),
    path("uploads/<uuid:sid>", views.upload_session, name="upload"),
    path("uploads/<uuid:sid>/finalize", views.upload_finalize, name="upload-finalize"),
]
