"""The household's own health page behind the sticker (mounted at the site's root)."""

from django.urls import path

from . import views_outbreak

app_name = "health_resident"

urlpatterns = [path("h/<str:token>/health/", views_outbreak.resident_checkin, name="checkin")]
