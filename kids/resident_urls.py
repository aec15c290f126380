from django.urls import path

from . import views

app_name = "kids_resident"

urlpatterns = [path("h/<str:token>/kids/", views.resident_kids, name="apply")]
