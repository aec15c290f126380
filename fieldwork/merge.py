"""What came back, compared with what went out, and how one feature's change is written.

Each feature of the returned GeoPackage is compared with the packet's snapshot (same feature id):
the fields the team changed, whether the shape moved. Changes are written through the register's
services (their rules, their history with who and why); nothing here writes a register row itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError

from gis_portal.errors import DomainError
from parcels import services
from parcels.models import Building, Household, Parcel
from parcels.services import LandUseShare

from .extensions import spec_of
from .schema import PHOTOS, LayerSpec

GEOMETRY_TOLERANCE = 1e-8  # degrees (about 1 mm): an untouched shape comes back identical
PHOTO_FIELDS = [c.name for c in PHOTOS]
# Fields whose change is written to the register; the other editable ones (note, members found,
# photos) are the team's observations, kept with the check-in.
REGISTER_FIELDS = {
    "parcels": {"land_use", "land_use_2", "land_use_2_pct"},
    "buildings": {"building_type", "material", "storeys", "floor_area_m2", "year_built"},
    "households": {"house_number"},
}
MODELS = {"parcels": Parcel, "buildings": Building, "households": Household}


def normalise(kind: str, value: Any) -> Any:
    if value is None:
        return None
    try:
        if value != value:  # NaN, pandas NA
            return None
    except (TypeError, ValueError):
        return None
    if kind == "int":
        number = float(value)
        return int(number) if math.isfinite(number) else None
    if kind == "float":
        number = float(value)
        return round(number, 2) if math.isfinite(number) else None
    text = str(value).replace("\x00", "").strip()
    return text or None


@dataclass
class FeatureChange:
    layer: str
    fid: int
    src_id: int | None
    kind: str  # "change", "new", "remove"
    changed: list[str] = field(default_factory=list)
    packet_values: dict[str, Any] = field(default_factory=dict)
    field_values: dict[str, Any] = field(default_factory=dict)

    @property
    def spec(self) -> LayerSpec:
        spec = spec_of(self.layer)
        if spec is None:
            raise DomainError(
                "layer_unknown", f"Unknown packet layer {self.layer}", f"ไม่รู้จักชั้นข้อมูล {self.layer}"
            )
        return spec

    @property
    def touches_register(self) -> bool:
        """Whether a change is more than the team's observations (notes, members found, photos)."""
        fields = REGISTER_FIELDS.get(self.layer)
        if fields is None:  # a registered extra layer: every editable field is its own business
            fields = {c.name for c in self.spec.editable_columns} - set(PHOTO_FIELDS) - {"note"}
        return "geometry" in self.changed or bool(set(self.changed) & fields)

    @property
    def geometry(self) -> GEOSGeometry | None:
        wkb = self.field_values.get("wkb")
        return GEOSGeometry(memoryview(bytes.fromhex(wkb)), srid=4326) if wkb else None


def _values(spec: LayerSpec, record: dict[str, Any]) -> dict[str, Any]:
    values = {c.name: normalise(c.kind, record.get(c.name)) for c in spec.columns}
    geometry = record.get("geometry")
    values["wkb"] = (
        shapely.to_wkb(geometry, hex=True) if geometry is not None and not geometry.is_empty else None
    )
    return values


def compare(
    specs: list[LayerSpec], snapshot: dict[str, Any], returned: dict[str, dict[int, dict[str, Any]]]
) -> list[FeatureChange]:
    """Every changed, new and removed feature of every layer (unchanged ones are left out)."""
    changes: list[FeatureChange] = []
    for spec in specs:
        before = snapshot.get(spec.name, {})
        after = returned.get(spec.name, {})
        editable = [c for c in spec.columns if c.editable]
        for fid, record in sorted(after.items()):
            values = _values(spec, record)
            old = before.get(str(fid))
            if old is None:
                changes.append(FeatureChange(spec.name, fid, None, "new", ["geometry"], {}, values))
                continue
            changed = [c.name for c in editable if normalise(c.kind, old.get(c.name)) != values[c.name]]
            old_shape = shapely.from_wkb(bytes.fromhex(old["wkb"]))
            new_shape = record.get("geometry")
            if new_shape is None or not old_shape.equals_exact(new_shape, tolerance=GEOMETRY_TOLERANCE):
                changed.append("geometry")
            if changed:
                changes.append(FeatureChange(spec.name, fid, old["src_id"], "change", changed, old, values))
        for fid_text, old in sorted(before.items(), key=lambda kv: int(kv[0])):
            if int(fid_text) not in after:
                changes.append(FeatureChange(spec.name, int(fid_text), old["src_id"], "remove", [], old, {}))
    return changes


def _require(value: Any, what_en: str, what_th: str) -> Any:
    if value is None:
        raise DomainError("missing_value", f"{what_en} is empty", f"ไม่ได้ระบุ{what_th}")
    return value


def land_use_shares(change: FeatureChange, current: Parcel) -> list[LandUseShare]:
    values = change.field_values
    if (change.packet_values.get("land_use_count") or 0) > 2:
        raise DomainError(
            "land_use_many",
            f"Parcel {current.code} has more than two land uses; change them on the staff map",
            f"แปลง {current.code} มีการใช้ประโยชน์มากกว่าสองแบบ กรุณาแก้ไขบนแผนที่ของสำนักงาน",
        )
    main = _require(values.get("land_use"), "The main land use", "การใช้ประโยชน์หลัก")
    second, pct = values.get("land_use_2"), values.get("land_use_2_pct")
    years = {u.category: u.years_unused for u in current.land_uses.all()}
    if second is None:
        return [LandUseShare(main, Decimal(100), years.get(main, 0))]
    if pct is None or not 1 <= pct <= 99:
        raise DomainError(
            "land_use_share",
            "The second land use needs its share, 1–99 %",
            "การใช้ประโยชน์ที่สองต้องระบุสัดส่วน 1–99 %",
        )
    return [
        LandUseShare(main, Decimal(100 - pct), years.get(main, 0)),
        LandUseShare(second, Decimal(pct), years.get(second, 0)),
    ]


def apply_change(change: FeatureChange, *, user: Any, expected_version: int, reason: str) -> None:
    """Write one feature's changed register fields (and shape) through the register's services.

    Raises DomainError (a rule refused it; ConflictError when the row changed meanwhile).
    """
    values = change.field_values
    try:
        if change.layer == "parcels":
            if "geometry" in change.changed:
                raise DomainError(
                    "parcel_shape_from_field",
                    "Parcel boundaries are not changed from a field packet; "
                    "survey them and edit on the staff map",
                    "ไม่รับการแก้รูปแปลงจากชุดข้อมูลภาคสนาม กรุณารังวัดแล้วแก้ไขบนแผนที่ของสำนักงาน",
                )
            parcel = Parcel.objects.get(pk=change.src_id)
            services.parcel_update(
                parcel=parcel,
                user=user,
                expected_version=expected_version,
                land_uses=land_use_shares(change, parcel),
                reason=reason,
            )
        elif change.layer == "buildings":
            attrs = {}
            for name in sorted(set(change.changed) & REGISTER_FIELDS["buildings"]):
                value = values.get(name)
                if name in ("building_type", "material", "storeys", "floor_area_m2"):
                    _require(
                        value,
                        change.spec.column(name).alias.split(" / ")[-1],
                        change.spec.column(name).alias.split(" / ")[0],
                    )
                if name == "floor_area_m2":
                    value = Decimal(str(value)).quantize(Decimal("0.01"))
                attrs[name] = value
            services.building_update(
                building=Building.objects.get(pk=change.src_id),
                user=user,
                expected_version=expected_version,
                footprint=change.geometry if "geometry" in change.changed else None,
                reason=reason,
                **attrs,
            )
        elif change.layer == "households":
            house_number = values.get("house_number") if "house_number" in change.changed else None
            if "house_number" in change.changed:
                _require(house_number, "The house number", "บ้านเลขที่")
            services.household_update(
                household=Household.objects.get(pk=change.src_id),
                user=user,
                expected_version=expected_version,
                location=change.geometry if "geometry" in change.changed else None,
                house_number=house_number,
                reason=reason,
            )
    except ValidationError as exc:
        messages = "; ".join(exc.messages)
        raise DomainError("invalid_value", messages, messages) from None
