from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notify/line/<slug:org>/webhook", views.line_webhook, name="line_webhook"),
    path("notify/link/", views.staff_link, name="staff_link"),
    path("h/<str:token>/notify/", views.resident_notify, name="resident_notify"),
]
