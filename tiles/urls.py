from django.urls import path

from . import ortho_views as ov
from .tax_status import tax_status_tile
from .vector_views import vector_tile as mvt

app_name = "tiles"

# Raster tiles of the orthomosaics (tiles/ortho_views.py; the `tileformat` converter is registered there).
urlpatterns = [
    path("ortho/latest/<int:z>/<int:x>/<int:y>.<tileformat:ext>", ov.latest_tile, name="ortho-latest"),
    path("ortho/<int:pk>/<int:z>/<int:x>/<int:y>.<tileformat:ext>", ov.ortho_tile, name="ortho-tile"),
    # Vector tiles of the register (tiles/vector_views.py); one route per layer, so ortho/ is never captured.
    path("villages/<int:z>/<int:x>/<int:y>.mvt", mvt, {"layer": "villages"}, name="mvt-villages"),
    path("parcels/<int:z>/<int:x>/<int:y>.mvt", mvt, {"layer": "parcels"}, name="mvt-parcels"),
    path("buildings/<int:z>/<int:x>/<int:y>.mvt", mvt, {"layer": "buildings"}, name="mvt-buildings"),
    path("households/<int:z>/<int:x>/<int:y>.mvt", mvt, {"layer": "households"}, name="mvt-households"),
    # Parcels coloured by tax status for a tax year (tiles/tax_status.py).
    path("tax-status/<int:year>/<int:z>/<int:x>/<int:y>.mvt", tax_status_tile, name="mvt-tax-status"),
]
