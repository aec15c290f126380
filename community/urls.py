from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("", views.home, name="home"),
    path("v/<int:village_id>/requests/", views.village_requests, name="village_requests"),
    path("v/<int:village_id>/households/", views.village_households, name="village_households"),
    path("h/<int:household_id>/", views.household_page, name="household"),
    path("h/<int:household_id>/s/", views.act_request, name="act_services"),
    path("h/<int:household_id>/s/<slug:code>/", views.act_request, name="act_request"),
]
