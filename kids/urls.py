from django.urls import path

from . import views

app_name = "kids"

urlpatterns = [
    path("", views.staff_centres, name="centres"),
    path("c/<int:pk>/", views.staff_centre, name="centre"),
    path("for/<int:household_id>/", views.helper_kids, name="helper"),
]
