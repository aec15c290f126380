"""GeoJSON Features whose geometry PostGIS writes (``ST_AsGeoJSON``), not Python.

rest_framework_gis turns each geometry into GeoJSON in Python: the WKB is read into a GEOS object,
converted to an OGR geometry, printed by OGR and parsed again (twice per feature). Here the list's
query asks PostGIS for the GeoJSON text of the geometry column instead (and leaves the geometry and
its generated web-mercator copy out of the ``SELECT``); the serializer only parses that text. The
properties are read with the same serializer fields, in a loop without DRF's per-field lookups.

The output is the one rest_framework_gis gives, key for key: ``ST_AsGeoJSON(geom, 15)`` prints the
shortest text that reads back as the same double whenever 15 decimals suffice (every coordinate in
degrees of 10 or more, i.e. all of Thailand's longitudes and latitudes north of 10°), so those
responses are byte-for-byte the same (tests/api/test_geojson_output.py); below 10° both round the
15th decimal, and may differ by one unit in it (1e-15°, a tenth of a nanometre).

Foundation-level: imports Django and DRF only.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import GeneratedField, Model, QuerySet
from rest_framework_gis.serializers import GeoFeatureModelSerializer

GEOJSON_ANNOTATION = "postgis_geojson"
# Degrees to 1e-15 (what OGR prints for rest_framework_gis), see the module docstring.
PRECISION = 15


def _generated_geometry_columns(model: type[Model]) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, GeneratedField) and isinstance(field.output_field, GeometryField)
    ]


def with_geojson(queryset: QuerySet, geo_field: str) -> QuerySet:
    """``queryset`` with the GeoJSON text of ``geo_field`` written by PostGIS, without the geometry.

    Generated geometry columns (the ``*_3857`` copies for tiles) are left out of the ``SELECT`` too:
    no serializer shows them.
    """
    return queryset.annotate(**{GEOJSON_ANNOTATION: AsGeoJSON(geo_field, precision=PRECISION)}).defer(
        geo_field, *_generated_geometry_columns(queryset.model)
    )


# A GeoJSON Feature serializer that takes the geometry from :func:`with_geojson`'s annotation. Rows
# without the annotation (a queryset that did not ask for it) are serialized by rest_framework_gis as
# before. No docstring on purpose: drf-spectacular would show it as every subclass's description; the
# OpenAPI schema stays that of GeoFeatureModelSerializer.
class PostgisGeoFeatureSerializer(GeoFeatureModelSerializer):
    def _fast_plan(self) -> list[tuple[str, str | None, Any]] | None:
        """(name, attribute or None, converter) per property; None when the fast path does not apply."""
        if hasattr(self, "_plan"):
            return self._plan
        meta = self.Meta
        geo = self.fields.get(meta.geo_field)
        plan: list[tuple[str, str | None, Any]] | None = []
        if (
            meta.id_field is None
            or meta.auto_bbox
            or meta.bbox_geo_field
            or geo is None
            or geo.precision is not None
            or geo.remove_dupes
            or geo.transform is not None
        ):
            plan = None
        else:
            for name, field in self.fields.items():
                if name in (meta.id_field, meta.geo_field) or field.write_only:
                    continue
                attrs = field.source_attrs  # [] for a method field (source "*")
                if len(attrs) == 1 and _is_stored_value(meta.model, attrs[0]):
                    plan.append((name, attrs[0], field.to_representation))
                else:
                    plan.append((name, None, field))
        self._plan = plan
        return plan

    def to_representation(self, instance: Any) -> dict[str, Any]:
        plan = self._fast_plan()
        if plan is None or GEOJSON_ANNOTATION not in instance.__dict__:
            return super().to_representation(instance)
        id_field = self.fields[self.Meta.id_field]
        text = instance.__dict__[GEOJSON_ANNOTATION]
        properties: dict[str, Any] = {}
        for name, attr, convert in plan:
            if attr is None:
                value = convert.get_attribute(instance)
                properties[name] = None if value is None else convert.to_representation(value)
            else:
                value = getattr(instance, attr)
                properties[name] = None if value is None else convert(value)
        return {
            "id": id_field.to_representation(id_field.get_attribute(instance)),
            "type": "Feature",
            "geometry": None if text is None else json.loads(text),
            "properties": properties,
        }


def _is_stored_value(model: type[Model], attr: str) -> bool:
    """A column value or annotation (read with plain ``getattr``), not a property, method or relation."""
    for field in model._meta.concrete_fields:
        if attr in (field.name, field.attname):
            return not field.is_relation or attr == field.attname
    return False
