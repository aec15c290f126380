from django.urls import path

from . import views

app_name = "eservices"

urlpatterns = [
    path("h/<str:token>/", views.resident_home, name="resident"),
    path("h/<str:token>/map.webp", views.resident_imagery, name="resident_imagery"),
    path("h/<str:token>/verify/", views.resident_verify, name="resident_verify"),
    path("h/<str:token>/unverify/", views.resident_unverify, name="resident_unverify"),
    path("h/<str:token>/s/<slug:code>/", views.resident_service, name="resident_service"),
    path("h/<str:token>/r/<int:pk>/", views.resident_request, name="resident_request"),
    path("services/queue/", views.staff_queue, name="queue"),
    path("services/queue/map/", views.staff_queue_map, name="queue_map"),
    path("services/queue/map.geojson", views.staff_queue_geojson, name="queue_geojson"),
    path("services/requests/<int:pk>/", views.staff_request, name="request"),
    path("services/requests/<int:pk>/files/<int:att>/", views.staff_attachment, name="attachment"),
    path("services/summary/", views.staff_summary, name="summary"),
]
