"""The register tables published through OGC API – Features, and how their features are read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Model

from parcels.models import Building, GeodesicArea, Household, Parcel, Village


@dataclass(frozen=True)
class Collection:
    id: str
    model: type[Model]
    geom: str
    geometry_type: str
    codename: str
    title_th: str
    title_en: str
    # Properties: names of columns, or name → expression (joins, generated columns).
    columns: tuple[str, ...]
    expressions: dict[str, Callable[[], Any]] = field(default_factory=dict)
    # Generated columns are not in the history tables: their expressions for historical records.
    history_expressions: dict[str, Callable[[], Any]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.title_th} / {self.title_en}"

    @property
    def properties(self) -> list[str]:
        return [*self.columns, *self.expressions, *self.history_expressions]


COLLECTIONS: dict[str, Collection] = {
    c.id: c
    for c in (
        Collection(
            id="villages",
            model=Village,
            geom="boundary",
            geometry_type="MultiPolygon",
            codename="view_village",
            title_th="หมู่บ้าน",
            title_en="Villages",
            columns=("number", "name_th", "name_en"),
            history_expressions={"area_m2": lambda: GeodesicArea("boundary")},
        ),
        Collection(
            id="parcels",
            model=Parcel,
            geom="geom",
            geometry_type="MultiPolygon",
            codename="view_parcel",
            title_th="แปลงที่ดิน",
            title_en="Land parcels",
            columns=(
                "code",
                "zone",
                "block",
                "lot",
                "doc_type",
                "doc_number",
                "declared_rai",
                "declared_ngan",
                "declared_wah",
                "status",
                "retired_at",
                "version",
                "updated_at",
            ),
            expressions={"village_number": lambda: F("village__number")},
            history_expressions={"area_m2": lambda: GeodesicArea("geom")},
        ),
        Collection(
            id="buildings",
            model=Building,
            geom="footprint",
            geometry_type="MultiPolygon",
            codename="view_building",
            title_th="สิ่งปลูกสร้าง",
            title_en="Buildings",
            columns=(
                "parcel_id",
                "number",
                "building_type",
                "material",
                "storeys",
                "floor_area_m2",
                "year_built",
                "status",
                "version",
                "updated_at",
            ),
            expressions={"parcel_code": lambda: F("parcel__code")},
            history_expressions={"footprint_area_m2": lambda: GeodesicArea("footprint")},
        ),
        Collection(
            id="households",
            model=Household,
            geom="location",
            geometry_type="Point",
            codename="view_household",
            title_th="ครัวเรือน",
            title_en="Households",
            columns=("building_id", "house_number", "status", "version", "updated_at"),
            expressions={"village_number": lambda: F("village__number")},
        ),
    )
}
