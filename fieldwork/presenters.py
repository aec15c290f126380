"""A check-in item as the decision page shows it: the attribute table of both versions (value-list
labels in Thai and English) and the two shapes as GeoJSON for the side-by-side maps."""

from __future__ import annotations

import json
from typing import Any

import shapely

from .extensions import spec_of
from .models import CheckInItem


def _label(column: Any, value: Any) -> str:
    if value is None or value == "":
        return "–"
    if column.value_list:
        return dict(column.value_list).get(str(value), str(value))
    return str(value)


def _geojson(wkb_hex: str | None) -> dict[str, Any] | None:
    if not wkb_hex:
        return None
    return json.loads(shapely.to_geojson(shapely.from_wkb(bytes.fromhex(wkb_hex))))


def item_view(item: CheckInItem) -> dict[str, Any]:
    spec = spec_of(item.layer)
    office = item.office_values or {}
    packet = item.packet_values or {}
    field = item.field_values or {}
    rows = []
    for column in spec.columns:
        rows.append(
            {
                "name": column.name,
                "alias": column.alias,
                "packet": _label(column, packet.get(column.name)),
                "office": _label(column, office.get(column.name)) if office else None,
                "field": _label(column, field.get(column.name)) if field else None,
                "field_changed": column.name in item.changed_fields,
                "office_changed": bool(office) and office.get(column.name) != packet.get(column.name),
            }
        )
    shapes = {
        "packet": _geojson(packet.get("wkb")),
        "office": _geojson(office.get("wkb")) if office else None,
        "field": _geojson(field.get("wkb")) if field else None,
    }
    return {
        "spec": spec,
        "rows": rows,
        "shapes": shapes,
        "geometry_changed_field": "geometry" in item.changed_fields,
        "geometry_changed_office": bool(office) and office.get("wkb") != packet.get("wkb"),
        "office_status": office.get("status"),
    }
