from django.urls import path  # noqa: F401

app_name = "drone_ingest"

urlpatterns: list = []
