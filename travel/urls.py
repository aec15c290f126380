from django.urls import path

from . import views

app_name = "travel"

urlpatterns = [
    path("<slug:org>/", views.travel_home, name="home"),
    path("<slug:org>/p/<int:pk>/", views.place_page, name="place"),
    path("<slug:org>/p/<int:pk>/qr.svg", views.place_qr, name="qr"),
]
