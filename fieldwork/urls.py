from django.urls import path

from . import views

app_name = "fieldwork"

urlpatterns = [
    path("", views.index, name="index"),
    path("packets/", views.make, name="make"),
    path("packets/<int:pk>/", views.packet_page, name="packet"),
    path("packets/<int:pk>/status", views.packet_status, name="status"),
    path("packets/<int:pk>/download", views.download, name="download"),
    path("packets/<int:pk>/checkin", views.upload, name="upload"),
    path("items/<int:pk>/", views.item_page, name="item"),
    path("items/<int:pk>/decide", views.decide, name="decide"),
    path("photos/<int:pk>", views.photo, name="photo"),
]
