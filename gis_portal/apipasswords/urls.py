from django.urls import path

from . import views

app_name = "apipasswords"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
]
