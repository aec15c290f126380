from django.urls import path

from . import views

app_name = "map"

urlpatterns: list = [
    path("", views.map_page, name="page"),
    path("api/search/", views.search, name="search"),
    path("api/features/<str:layer>/", views.features, name="features"),
    path("api/panel/<str:layer>/<int:pk>/", views.panel, name="panel"),
    path("api/parcels/create/", views.parcel_create, name="parcel-create"),
    path("api/parcels/reshape/", views.parcel_reshape, name="parcel-reshape"),
    path("api/parcels/merge/", views.parcel_merge, name="parcel-merge"),
    path("api/parcels/<int:pk>/split/", views.parcel_split, name="parcel-split"),
    path("api/parcels/<int:pk>/undo/", views.parcel_undo, name="parcel-undo"),
    path("api/parcels/<int:pk>/restore/", views.parcel_restore, name="parcel-restore"),
    path("api/buildings/create/", views.building_create, name="building-create"),
    path("api/buildings/<int:pk>/reshape/", views.building_reshape, name="building-reshape"),
    path("api/households/create/", views.household_create, name="household-create"),
    path("api/households/<int:pk>/move/", views.household_move, name="household-move"),
    path("api/<str:layer>/<int:pk>/retire/", views.retire, name="retire"),
]
