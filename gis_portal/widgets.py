"""Map widgets that work with no internet: OpenLayers from our static files, no remote base map."""

from __future__ import annotations

from django.contrib.gis.forms.widgets import OpenLayersWidget

# Around the Pang Mu office; a widget with an existing geometry zooms to it instead.
DEFAULT_LON = 97.96
DEFAULT_LAT = 19.33


class OfflineMapWidget(OpenLayersWidget):
    """Django's OpenLayers widget with the library served locally and a blank (offline) base layer.

    Django's own widgets load OpenLayers from a CDN and tiles from OpenStreetMap or NASA; an LAO
    office on a poor link, or a machine with no internet, gets an empty box. This one loads
    ``static/vendor/ol`` and draws shapes over a plain background (imagery layers join later). Its
    template has no inline script: options travel in a JSON data block read by a static file.
    """

    template_name = "gis_portal/widgets/offline_map.html"

    class Media:
        extend = False  # do not inherit Django's CDN links
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js", "gis_portal/offline_map_widget.js")

    def get_context(self, name: str, value: object, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        context["options_id"] = f"{context['id']}_options"
        context["widget_options"] = {
            "geom_name": context["geom_type"],
            "id": context["id"],
            "map_id": f"{context['id']}_map",
            "map_srid": context["map_srid"],
            "name": context["name"],
            "module": context["module"],
            "default_lon": float(self.attrs["default_lon"]),
            "default_lat": float(self.attrs["default_lat"]),
            "default_zoom": int(self.attrs["default_zoom"]),
        }
        return context

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__()
        self.attrs.update({"default_lon": DEFAULT_LON, "default_lat": DEFAULT_LAT, "default_zoom": 13})
        if attrs:
            self.attrs.update(attrs)
