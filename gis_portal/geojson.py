"""GeoJSON Features whose geometry PostGIS writes (``ST_AsGeoJSON``), not Python.

rest_framework_gis turns each geometry into GeoJSON in Python: the WKB is read into a GEOS object,
converted to an OGR geometry, printed by OGR and parsed again (twice per feature). Here the list's
query asks PostGIS for the GeoJSON text of the geometry column instead (and leaves the geometry and
its generated web-mercator copy out of the ``SELECT``); the serializer only parses that text. The
properties are written by the same serializer fields, in a loop without DRF's per-field lookups.
Where every property is a stored column shown by a plain field (parcels, buildings, households,
villages, organisations), the page's rows are plain dicts (``values()``: no model instance per row)
and the plan of the fields is kept per class (no serializer fields built per request), with the
request's time zone looked up once a page. For JSON responses the geometry text goes into the output
as PostGIS wrote it (:class:`GeoJsonRenderer`): not parsed into Python lists and printed again. The
API then costs no more than the OGC API (docs/PERFORMANCE.md, "Open interfaces").

The output is the one rest_framework_gis gives, key for key: ``ST_AsGeoJSON(geom, 15)`` prints the
shortest text that reads back as the same double whenever 15 decimals suffice (every coordinate in
degrees of 10 or more, i.e. all of Thailand's longitudes and latitudes north of 10°), so those
responses are byte-for-byte the same (tests/api/test_geojson_output.py); below 10° both round the
15th decimal, and may differ by one unit in it (1e-15°, a tenth of a nanometre). Two spellings differ
with the same value: a coordinate of a whole degree is ``98`` here, ``98.0`` before, and one under
1e-4° is ``0.00001`` here, ``1e-05`` before (none occurs in Thailand but exactly on a degree line).

Foundation-level: imports Django and DRF only.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import GeneratedField, Model, QuerySet
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
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
    def _fast_plan(self) -> Plan | None:
        """How to write a Feature from the annotation; None when the fast path does not apply.

        A plan whose every property is a stored value read by a plain field (integer, text, date,
        ...) is kept per class (:func:`_class_plan`): such a field's output depends on the value
        alone, so the serializer's fields need not be built again for every request.
        """
        if hasattr(self, "_plan"):
            return self._plan
        kept = _class_plan(type(self))
        plan = _with_current_timezone(kept) if kept is not None else _plan_of(self)
        self._plan = plan
        self._raw = bool(self.context.get(RAW_GEOMETRY))
        return plan

    @classmethod
    def row_columns(cls) -> list[str] | None:
        """The columns of a list's rows when every property is a stored value: the rows may then be
        plain dicts (``QuerySet.values(*columns)``), no model instance built per row. None when a
        property needs the instance (a method field, a property of the model, a relation)."""
        plan = _class_plan(cls)
        if plan is None:
            return None
        return [plan.id_attr, *(attr for _name, attr, _convert in plan.properties), GEOJSON_ANNOTATION]

    def to_representation(self, instance: Any) -> dict[str, Any]:
        is_row = isinstance(instance, dict)  # from row_columns()
        stored = instance if is_row else instance.__dict__
        plan = self._fast_plan() if GEOJSON_ANNOTATION in stored else None
        if plan is None:
            return super().to_representation(instance)
        text = stored[GEOJSON_ANNOTATION]
        properties: dict[str, Any] = {}
        for name, attr, convert in plan.properties:
            if attr is None:
                value = convert.get_attribute(instance)
                properties[name] = None if value is None else convert.to_representation(value)
            else:
                value = instance[attr] if is_row else getattr(instance, attr)
                properties[name] = None if value is None else convert(value)
        if text is not None:
            text = RawGeometry(text) if self._raw else json.loads(text)
        return {
            "id": plan.id_convert(instance[plan.id_attr] if is_row else getattr(instance, plan.id_attr)),
            "type": "Feature",
            "geometry": text,
            "properties": properties,
        }


# Serializer context key: the response is rendered by GeoJsonRenderer, geometries may stay text.
RAW_GEOMETRY = "raw_geometry"


class RawGeometry(str):
    """The GeoJSON text of a geometry as PostGIS wrote it, for :class:`GeoJsonRenderer` to write as
    it is instead of parsing it and printing every coordinate again."""


class GeoJsonRenderer(JSONRenderer):
    """DRF's JSON renderer that writes :class:`RawGeometry` texts into the output as they are.

    PostGIS writes compact JSON whose numbers are Python's shortest repr of each coordinate, so the
    bytes are those of parsing the text and rendering the result (tests/api/test_geojson_output.py).
    Pretty-printed output (an ``indent``, the browsable API) parses them and renders as usual.
    """

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        texts: list[str] = []
        indent = self.get_indent(accepted_media_type or "", renderer_context or {})
        token = secrets.token_hex(8)

        def place(feature: Any) -> Any:
            geometry = feature.get("geometry") if isinstance(feature, dict) else None
            if not isinstance(geometry, RawGeometry):
                return feature
            if indent is not None:
                return {**feature, "geometry": json.loads(geometry)}
            texts.append(geometry)
            return {**feature, "geometry": f"@geometry-{token}-{len(texts) - 1}@"}

        if isinstance(data, dict) and isinstance(data.get("features"), list):
            data = {**data, "features": [place(feature) for feature in data["features"]]}
        else:
            data = place(data)
        rendered = super().render(data, accepted_media_type, renderer_context)
        if not texts:
            return rendered
        pattern = re.compile(rb'"@geometry-' + token.encode() + rb'-(\d+)@"')
        return pattern.sub(lambda m: texts[int(m.group(1))].encode(), rendered)


@dataclass(frozen=True)
class Plan:
    id_attr: str
    id_convert: Any
    # (property name, attribute or None for DRF's own lookup, the field's to_representation or field)
    properties: list[tuple[str, str | None, Any]]


# Fields whose output depends on the value alone (no request, context or parent).
PLAIN_FIELDS = (
    serializers.IntegerField,
    serializers.FloatField,
    serializers.DecimalField,
    serializers.CharField,
    serializers.ChoiceField,
    serializers.BooleanField,
    serializers.DateTimeField,
    serializers.DateField,
    serializers.UUIDField,
)
_PLANS: dict[type, Plan | None] = {}


def _plan_of(serializer: PostgisGeoFeatureSerializer) -> Plan | None:
    meta = serializer.Meta
    fields = serializer.fields
    geo = fields.get(meta.geo_field)
    id_field = fields.get(meta.id_field) if meta.id_field else None
    if (
        id_field is None
        or len(id_field.source_attrs) != 1
        or meta.auto_bbox
        or meta.bbox_geo_field
        or geo is None
        or geo.precision is not None
        or geo.remove_dupes
        or geo.transform is not None
    ):
        return None
    properties: list[tuple[str, str | None, Any]] = []
    for name, field in fields.items():
        if name in (meta.id_field, meta.geo_field) or field.write_only:
            continue
        attrs = field.source_attrs  # [] for a method field (source "*")
        if len(attrs) == 1 and _is_stored_value(meta.model, attrs[0]):
            properties.append((name, attrs[0], field.to_representation))
        else:
            properties.append((name, None, field))
    return Plan(id_field.source_attrs[0], id_field.to_representation, properties)


def _with_current_timezone(plan: Plan) -> Plan:
    """The plan for one page: date-time fields with the time zone of this request looked up once
    (DRF looks it up for every value), on copies, as the kept plan serves every request."""
    properties = []
    for name, attr, convert in plan.properties:
        field = getattr(convert, "__self__", None)
        if isinstance(field, serializers.DateTimeField) and not hasattr(field, "timezone"):
            field = copy.copy(field)
            field.timezone = field.default_timezone()
            convert = field.to_representation
        properties.append((name, attr, convert))
    return Plan(plan.id_attr, plan.id_convert, properties)


def _class_plan(cls: type[PostgisGeoFeatureSerializer]) -> Plan | None:
    """The plan of a class whose every property is a stored value read by a plain field, else None."""
    if cls not in _PLANS:
        probe = cls()
        plan = _plan_of(probe)
        plain = (
            plan is not None
            and all(
                attr is not None and isinstance(getattr(convert, "__self__", None), PLAIN_FIELDS)
                for _name, attr, convert in plan.properties
            )
            and isinstance(probe.fields[cls.Meta.id_field], PLAIN_FIELDS)
        )
        _PLANS[cls] = plan if plain else None
    return _PLANS[cls]


def _is_stored_value(model: type[Model], attr: str) -> bool:
    """A column value or annotation (read with plain ``getattr``), not a property, method or relation."""
    for field in model._meta.concrete_fields:
        if attr in (field.name, field.attname):
            return not field.is_relation or attr == field.attname
    return False
