from django.urls import path

from . import ortho_views as ov

app_name = "tiles"

urlpatterns = [
    path("ortho/latest/<int:z>/<int:x>/<int:y>.<tileformat:ext>", ov.latest_tile, name="ortho-latest"),
    path("ortho/<int:pk>/<int:z>/<int:x>/<int:y>.<tileformat:ext>", ov.ortho_tile, name="ortho-tile"),
]
