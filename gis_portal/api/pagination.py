"""Limit/offset pagination; spatial lists come back as one GeoJSON FeatureCollection per page."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response


class RegisterPagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000


class GeoJsonLimitOffsetPagination(RegisterPagination):
    """``{"type": "FeatureCollection", "count", "next", "previous", "features": [...]}``."""

    def get_paginated_response(self, data: Any) -> Response:
        features = data["features"] if isinstance(data, dict) else data
        return Response(
            OrderedDict(
                [
                    ("type", "FeatureCollection"),
                    ("count", self.count),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("features", features),
                ]
            )
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        base = super().get_paginated_response_schema(schema)
        props = base["properties"]
        results = props.pop("results")
        # ``results`` is the schema of the list: either the FeatureCollection component or an array.
        features = results if results.get("type") == "array" else {"type": "array", "items": {}}
        base["properties"] = {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            **props,
            "features": features,
        }
        base["required"] = ["type", "count", "features"]
        if results.get("type") != "array":
            return {"allOf": [results, base]}
        return base
