"""The register of one organisation as one GeoPackage, and the same file back into an empty one.

Export: a layer per register table, geometry in the organisation's UTM zone (metres), the
attributes a consultant needs, and ``src_id`` columns that tie the layers together. Personal
data (national IDs, phones, birth dates) is masked unless asked for.

Import (the round trip): into an organisation with an empty register, all or nothing. Villages
and active parcels go through :mod:`parcels.importers` (every rule of a normal import: codes,
shapes, place in the organisation, overlaps); the other tables are bulk-inserted with their
history rows and then checked set-based (buildings on their parcels, households in their
villages, shares, national IDs). Any problem rolls the whole import back.
"""

from __future__ import annotations

import logging
import math
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB, Difference, Transform
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from gis_portal.errors import DomainError, Problem, ValidationProblems

from .geometry import as_multipolygon
from .importers import import_parcels, import_villages
from .models import (
    Building,
    BuildingRight,
    BuildingUsePortion,
    GeodesicArea,
    Household,
    LandUsePortion,
    Organisation,
    Parcel,
    ParcelLineage,
    ParcelRight,
    Party,
    RegisterStatus,
    Village,
)
from .units import format_rnw

CHANGE_REASON = "import_register"
LAYERS = (
    "organisation",
    "villages",
    "parcels",
    "land_uses",
    "buildings",
    "building_uses",
    "households",
    "parties",
    "parcel_rights",
    "building_rights",
    "parcel_lineage",
)
Say = Callable[[str], None]


# --- export ---------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _frame(rows: list[dict[str, Any]], columns: list[str], srid: int | None) -> Any:
    """A (Geo)DataFrame of ``rows``; ``wkb`` holds the geometry (already in ``srid``) when spatial."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    data = {c: [_plain(r[c]) for r in rows] for c in columns}
    if srid is None:
        return pd.DataFrame(data, columns=columns)
    geoms = shapely.from_wkb([bytes(r["wkb"]) for r in rows]) if rows else []
    return gpd.GeoDataFrame(data, columns=columns, geometry=list(geoms), crs=srid)


def _write(path: Path, layer: str, frame: Any, spatial_type: str | None) -> None:
    import pyogrio

    quiet = logging.getLogger("pyogrio")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        kwargs: dict[str, Any] = {"layer": layer, "driver": "GPKG", "append": path.exists()}
        if spatial_type:
            kwargs["geometry_type"] = spatial_type
        pyogrio.write_dataframe(frame, path, **kwargs)
    finally:
        quiet.setLevel(level)


def _mask_id(value: str) -> str:
    return Party(national_id=value).masked_national_id


def _land_use_text(portions: list[tuple[str, Decimal]]) -> str | None:
    if not portions:
        return None
    return ";".join(f"{category}:{share.normalize():f}" for category, share in portions)


def register_layers(organisation: Organisation, *, with_personal_data: bool = False) -> dict[str, Any]:
    """Every layer of the export as a (Geo)DataFrame, one query per table."""
    utm = organisation.utm_srid

    def geom(name: str) -> Any:
        return AsWKB(Transform(name, utm))

    org = dict(
        Organisation.objects.filter(pk=organisation.pk)
        .values(
            "slug", "dla_code", "name_th", "name_en", "tambon_code", "address", "phone", "tax_id", "utm_srid"
        )
        .annotate(wkb=geom("boundary"))
        .get()
    )
    layers: dict[str, Any] = {
        "organisation": _frame([org], [k for k in org if k != "wkb"], utm),
    }
    villages = list(
        Village.objects.filter(organisation=organisation)
        .order_by("number")
        .values("id", "number", "name_th", "name_en", "area_m2")
        .annotate(wkb=geom("boundary"))
    )
    for v in villages:
        v["src_id"], v["village_no"] = v.pop("id"), v.pop("number")
    layers["villages"] = _frame(villages, ["src_id", "village_no", "name_th", "name_en", "area_m2"], utm)

    uses: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    land_uses = list(
        LandUsePortion.objects.filter(parcel__organisation=organisation)
        .order_by("parcel_id", "category")
        .values("parcel_id", "parcel__code", "category", "share_percent", "years_unused")
    )
    for row in land_uses:
        uses[row["parcel_id"]].append((row["category"], row["share_percent"]))
        row["parcel_src_id"], row["parcel_code"] = row.pop("parcel_id"), row.pop("parcel__code")
    parcels = list(
        Parcel.objects.filter(organisation=organisation)
        .order_by("code", "id")
        .values(
            "id",
            "code",
            "zone",
            "block",
            "lot",
            "doc_type",
            "doc_number",
            "declared_rai",
            "declared_ngan",
            "declared_wah",
            "area_m2",
            "status",
            "retired_at",
            "version",
        )
        .annotate(village_no=F("village__number"), wkb=geom("geom"))
    )
    for p in parcels:
        p["src_id"], p["parcel_code"] = p.pop("id"), p.pop("code")
        p["land_use"] = _land_use_text(uses.get(p["src_id"], []))
        p["area_rnw"] = format_rnw(p["area_m2"])
    layers["parcels"] = _frame(
        parcels,
        [
            "src_id",
            "parcel_code",
            "zone",
            "block",
            "lot",
            "doc_type",
            "doc_number",
            "village_no",
            "declared_rai",
            "declared_ngan",
            "declared_wah",
            "land_use",
            "area_m2",
            "area_rnw",
            "status",
            "retired_at",
            "version",
        ],
        utm,
    )
    layers["land_uses"] = _frame(
        land_uses, ["parcel_src_id", "parcel_code", "category", "share_percent", "years_unused"], None
    )
    buildings = list(
        Building.objects.filter(organisation=organisation)
        .order_by("parcel__code", "number", "id")
        .values(
            "id",
            "parcel_id",
            "number",
            "building_type",
            "material",
            "storeys",
            "floor_area_m2",
            "year_built",
            "footprint_area_m2",
            "status",
        )
        .annotate(parcel_code=F("parcel__code"), wkb=geom("footprint"))
    )
    for b in buildings:
        b["src_id"], b["parcel_src_id"] = b.pop("id"), b.pop("parcel_id")
    layers["buildings"] = _frame(
        buildings,
        [
            "src_id",
            "parcel_src_id",
            "parcel_code",
            "number",
            "building_type",
            "material",
            "storeys",
            "floor_area_m2",
            "year_built",
            "footprint_area_m2",
            "status",
        ],
        utm,
    )
    building_uses = list(
        BuildingUsePortion.objects.filter(building__organisation=organisation)
        .order_by("building_id", "category")
        .values("building_id", "category", "share_percent")
    )
    for u in building_uses:
        u["building_src_id"] = u.pop("building_id")
    layers["building_uses"] = _frame(building_uses, ["building_src_id", "category", "share_percent"], None)
    households = list(
        Household.objects.filter(organisation=organisation)
        .order_by("village__number", "house_number", "id")
        .values("id", "building_id", "house_number", "status")
        .annotate(village_no=F("village__number"), wkb=geom("location"))
    )
    for h in households:
        h["src_id"], h["building_src_id"] = h.pop("id"), h.pop("building_id")
    layers["households"] = _frame(
        households, ["src_id", "village_no", "building_src_id", "house_number", "status"], utm
    )
    parties = list(
        Party.objects.filter(organisation=organisation)
        .order_by("id")
        .values(
            "id",
            "kind",
            "national_id",
            "title",
            "first_name",
            "last_name",
            "juristic_name",
            "birth_date",
            "phone",
            "household_id",
            "is_household_head",
        )
    )
    for p in parties:
        p["src_id"], p["household_src_id"] = p.pop("id"), p.pop("household_id")
        if not with_personal_data:
            p["national_id"] = _mask_id(p["national_id"])
            p["phone"] = ("X" * max(len(p["phone"]) - 4, 0) + p["phone"][-4:]) if p["phone"] else ""
            p["birth_date"] = None
        elif p["birth_date"] is not None:
            p["birth_date"] = p["birth_date"].isoformat()
    layers["parties"] = _frame(
        parties,
        [
            "src_id",
            "kind",
            "national_id",
            "title",
            "first_name",
            "last_name",
            "juristic_name",
            "birth_date",
            "phone",
            "household_src_id",
            "is_household_head",
        ],
        None,
    )
    share_columns = ["party_src_id", "right_type", "share_numerator", "share_denominator"]
    parcel_rights = list(
        ParcelRight.objects.filter(parcel__organisation=organisation)
        .order_by("parcel_id", "party_id", "right_type")
        .values("parcel_id", "party_id", "right_type", "share_numerator", "share_denominator")
        .annotate(parcel_code=F("parcel__code"))
    )
    for r in parcel_rights:
        r["parcel_src_id"], r["party_src_id"] = r.pop("parcel_id"), r.pop("party_id")
    layers["parcel_rights"] = _frame(parcel_rights, ["parcel_src_id", "parcel_code", *share_columns], None)
    building_rights = list(
        BuildingRight.objects.filter(building__organisation=organisation)
        .order_by("building_id", "party_id", "right_type")
        .values("building_id", "party_id", "right_type", "share_numerator", "share_denominator")
    )
    for r in building_rights:
        r["building_src_id"], r["party_src_id"] = r.pop("building_id"), r.pop("party_id")
    layers["building_rights"] = _frame(building_rights, ["building_src_id", *share_columns], None)
    lineage = list(
        ParcelLineage.objects.filter(successor__organisation=organisation)
        .order_by("predecessor_id", "successor_id")
        .values("predecessor_id", "successor_id", "operation")
        .annotate(predecessor_code=F("predecessor__code"), successor_code=F("successor__code"))
    )
    for row in lineage:
        row["predecessor_src_id"], row["successor_src_id"] = (
            row.pop("predecessor_id"),
            row.pop("successor_id"),
        )
    layers["parcel_lineage"] = _frame(
        lineage,
        ["predecessor_src_id", "successor_src_id", "predecessor_code", "successor_code", "operation"],
        None,
    )
    return layers


SPATIAL_TYPES = {
    "organisation": "MultiPolygon",
    "villages": "MultiPolygon",
    "parcels": "MultiPolygon",
    "buildings": "MultiPolygon",
    "households": "Point",
}


def export_register(
    organisation: Organisation, path: str | Path, *, with_personal_data: bool = False
) -> dict[str, int]:
    """Write the GeoPackage (replacing ``path``); returns the row count of every layer."""
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise DomainError("not_gpkg", "The output file must end in .gpkg", "ไฟล์ผลลัพธ์ต้องลงท้ายด้วย .gpkg")
    layers = register_layers(organisation, with_personal_data=with_personal_data)
    path.unlink(missing_ok=True)
    for name in LAYERS:
        _write(path, name, layers[name], SPATIAL_TYPES.get(name))
    return {name: len(layers[name]) for name in LAYERS}


# --- import ---------------------------------------------------------------------------------------


@dataclass
class RegisterImportReport:
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return ", ".join(f"{name} {n}" for name, n in self.counts.items())


def _read(path: Path, layer: str) -> Any:
    import geopandas as gpd
    import pyogrio

    frame = pyogrio.read_dataframe(path, layer=layer)
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None:
        frame = frame.to_crs(4326)
    return frame


def _records(frame: Any) -> list[dict[str, Any]]:
    """Rows as dicts with NaN/NaT/None all turned into None."""
    rows = frame.drop(columns="geometry", errors="ignore").to_dict("records")
    for row in rows:
        for key, value in row.items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                row[key] = None
            elif hasattr(value, "item") and not isinstance(value, str):
                row[key] = value.item()
    return rows


def _geos(shape: Any, *, multi: bool = True) -> GEOSGeometry:
    geom = GEOSGeometry(memoryview(shape.wkb), srid=4326)
    return as_multipolygon(geom) if multi else geom


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _check_empty(organisation: Organisation) -> None:
    tables = {
        "villages": Village.objects.filter(organisation=organisation),
        "parcels": Parcel.objects.filter(organisation=organisation),
        "buildings": Building.objects.filter(organisation=organisation),
        "households": Household.objects.filter(organisation=organisation),
        "parties": Party.objects.filter(organisation=organisation),
    }
    used = [name for name, qs in tables.items() if qs.exists()]
    if used:
        raise DomainError(
            "register_not_empty",
            f"{organisation.slug} already has {', '.join(used)}: a register file goes only into an empty one",
            f"{organisation.slug} มีข้อมูล {', '.join(used)} อยู่แล้ว นำเข้าได้เฉพาะทะเบียนที่ว่าง",
        )


def organisation_from_file(path: str | Path, *, slug: str, dla_code: str | None = None) -> Organisation:
    """Create an organisation from the file's ``organisation`` layer under a new slug (and DLA code)."""
    frame = _read(Path(path), "organisation")
    if len(frame) != 1:
        raise DomainError(
            "bad_register_file", "The organisation layer must hold one row", "ชั้นข้อมูล organisation ต้องมี 1 แถว"
        )
    row = _records(frame)[0]
    code = dla_code or _text(row.get("dla_code"))
    if Organisation.objects.filter(slug=slug).exists() or Organisation.objects.filter(dla_code=code).exists():
        raise DomainError(
            "organisation_exists",
            f"An organisation with slug {slug!r} or DLA code {code!r} already exists",
            f"มีองค์กร {slug!r} หรือรหัส อปท. {code!r} อยู่แล้ว",
        )
    return Organisation.objects.create(
        slug=slug,
        dla_code=code,
        name_th=_text(row.get("name_th")),
        name_en=_text(row.get("name_en")),
        tambon_code=_text(row.get("tambon_code")),
        address=_text(row.get("address")),
        phone=_text(row.get("phone")),
        tax_id=_text(row.get("tax_id")),
        utm_srid=int(row.get("utm_srid") or 32647),
        boundary=_geos(frame.geometry.iloc[0]),
    )


def _raise_report(problems: list[Problem], kind: str) -> None:
    if problems:
        raise ValidationProblems(
            problems,
            f"{len(problems)} problem(s) in the {kind} of the register file; nothing was written",
            f"พบปัญหา {len(problems)} รายการใน {kind} ของไฟล์ทะเบียน ไม่มีการบันทึกข้อมูลใด ๆ",
        )


def _missing(problems: list[Problem], layer: str, n: int, what: str, src: Any) -> None:
    problems.append(
        Problem(
            f"{layer} row {n}",
            "unknown_reference",
            f"{what} {src} is not in the file",
            f"ไม่พบ {what} {src} ในไฟล์",
        )
    )


@transaction.atomic
def import_register(
    organisation: Organisation, path: str | Path, *, user: Any = None, say: Say | None = None
) -> RegisterImportReport:
    """Load a file written by :func:`export_register` into an organisation with an empty register."""
    say = say or (lambda _msg: None)
    path = Path(path)
    import pyogrio

    try:
        present = {name for name, _ in pyogrio.list_layers(path)}
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise DomainError(
            "unreadable_file", f"Cannot read {path.name}: {exc}", f"อ่านไฟล์ {path.name} ไม่ได้"
        ) from None
    missing = [name for name in LAYERS if name not in present]
    if missing:
        raise DomainError(
            "bad_register_file",
            f"{path.name} is not a register export: no layer {', '.join(missing)}",
            f"{path.name} ไม่ใช่ไฟล์ส่งออกทะเบียน: ไม่มีชั้นข้อมูล {', '.join(missing)}",
        )
    _check_empty(organisation)
    report = RegisterImportReport()
    history = {
        "default_change_reason": CHANGE_REASON,
        "default_user": user if getattr(user, "pk", None) else None,
    }

    # Villages: through the importer (numbers, shapes, inside the organisation, no overlaps).
    result = import_villages(organisation=organisation, path=path, layer="villages", user=user)
    _raise_report(result.problems, "villages")
    village_ids = dict(Village.objects.filter(organisation=organisation).values_list("number", "id"))
    report.counts["villages"] = len(village_ids)
    say(f"villages: {len(village_ids)}")

    # Active parcels: through the importer, from a copy of the layer holding only them.
    frame = _read(path, "parcels")
    rows = _records(frame)
    active = frame[frame["status"] == RegisterStatus.ACTIVE]
    with tempfile.TemporaryDirectory(prefix="import_register_") as tmp:
        active_file = Path(tmp) / "parcels.gpkg"
        _write(active_file, "parcels", active, "MultiPolygon")
        result = import_parcels(organisation=organisation, path=active_file, layer="parcels", user=user)
    _raise_report(result.problems, "active parcels")
    by_code = dict(
        Parcel.objects.filter(organisation=organisation, status=RegisterStatus.ACTIVE).values_list(
            "code", "id"
        )
    )
    parcel_ids: dict[int, int] = {}
    problems: list[Problem] = []
    retired: list[tuple[int, Parcel]] = []
    for n, (row, shape) in enumerate(zip(rows, frame.geometry, strict=True), start=1):
        if row["status"] == RegisterStatus.ACTIVE:
            parcel_ids[int(row["src_id"])] = by_code[row["parcel_code"]]
            continue
        # Retired parcels are history: they may overlap their successors, so they are not re-checked.
        parcel = Parcel(
            organisation=organisation,
            code=row["parcel_code"],
            zone=row["zone"],
            block=row["block"],
            lot=row["lot"],
            doc_type=row["doc_type"],
            doc_number=_text(row["doc_number"]),
            declared_rai=_int(row["declared_rai"]),
            declared_ngan=_int(row["declared_ngan"]),
            declared_wah=None if row["declared_wah"] is None else Decimal(str(row["declared_wah"])),
            village_id=village_ids.get(_int(row["village_no"])),
            geom=_geos(shape),
            status=RegisterStatus.RETIRED,
            retired_at=row["retired_at"] or None,
        )
        try:
            parcel.full_clean(
                exclude=["organisation", "village", "geom_3857", "area_m2"], validate_constraints=False
            )
        except ValidationError as exc:
            problems.append(Problem(f"parcels row {n}", "invalid_parcel", str(exc.message_dict)))
        retired.append((int(row["src_id"]), parcel))
    _raise_report(problems, "retired parcels")
    created = bulk_create_with_history([p for _, p in retired], Parcel, **history)
    parcel_ids.update({src: p.pk for (src, _), p in zip(retired, created, strict=True)})
    report.counts["parcels"] = len(parcel_ids)
    say(f"parcels: {len(by_code)} active through the importer, {len(retired)} retired")

    # Land uses: the importer made them for active parcels; years unused and retired parcels' here.
    land_rows = _records(_read(path, "land_uses"))
    existing = {
        (p.parcel_id, p.category): p for p in LandUsePortion.objects.filter(parcel__organisation=organisation)
    }
    new_uses, changed = [], []
    for n, row in enumerate(land_rows, start=1):
        parcel_id = parcel_ids.get(int(row["parcel_src_id"]))
        if parcel_id is None:
            _missing(problems, "land_uses", n, "parcel", row["parcel_src_id"])
            continue
        portion = existing.get((parcel_id, row["category"]))
        if portion is None:
            new_uses.append(
                LandUsePortion(
                    parcel_id=parcel_id,
                    category=row["category"],
                    share_percent=Decimal(str(row["share_percent"])),
                    years_unused=int(row["years_unused"] or 0),
                )
            )
        elif portion.years_unused != int(row["years_unused"] or 0):
            portion.years_unused = int(row["years_unused"] or 0)
            changed.append(portion)
    _raise_report(problems, "land uses")
    bulk_create_with_history(new_uses, LandUsePortion, **history)
    bulk_update_with_history(changed, LandUsePortion, ["years_unused"], **history)
    report.counts["land_uses"] = LandUsePortion.objects.filter(parcel__organisation=organisation).count()

    # Buildings and their uses.
    frame = _read(path, "buildings")
    pending: list[tuple[int, Building]] = []
    for n, (row, shape) in enumerate(zip(_records(frame), frame.geometry, strict=True), start=1):
        parcel_id = parcel_ids.get(int(row["parcel_src_id"]))
        if parcel_id is None:
            _missing(problems, "buildings", n, "parcel", row["parcel_src_id"])
            continue
        building = Building(
            organisation=organisation,
            parcel_id=parcel_id,
            number=int(row["number"]),
            footprint=_geos(shape),
            building_type=row["building_type"],
            material=row["material"],
            storeys=int(row["storeys"]),
            floor_area_m2=Decimal(str(row["floor_area_m2"])).quantize(Decimal("0.01")),
            year_built=_int(row["year_built"]),
            status=row["status"],
        )
        try:
            building.full_clean(
                exclude=["organisation", "parcel", "footprint_3857", "footprint_area_m2"],
                validate_constraints=False,
            )
        except ValidationError as exc:
            problems.append(Problem(f"buildings row {n}", "invalid_building", str(exc.message_dict)))
        pending.append((int(row["src_id"]), building))
    _raise_report(problems, "buildings")
    created = bulk_create_with_history([b for _, b in pending], Building, **history)
    building_ids = {src: b.pk for (src, _), b in zip(pending, created, strict=True)}
    outside = list(
        Building.objects.filter(organisation=organisation, status=RegisterStatus.ACTIVE)
        .annotate(outside=GeodesicArea(Difference("footprint", "parcel__geom")))
        .filter(outside__gt=settings.BUILDING_OUTSIDE_TOLERANCE_M2)
        .values_list("parcel__code", "number")
    )
    problems += [
        Problem(f"building {code}/{num}", "building_outside_parcel", "lies outside its parcel", "อยู่นอกแปลง")
        for code, num in outside
    ]
    uses = []
    for n, row in enumerate(_records(_read(path, "building_uses")), start=1):
        building_id = building_ids.get(int(row["building_src_id"]))
        if building_id is None:
            _missing(problems, "building_uses", n, "building", row["building_src_id"])
            continue
        uses.append(
            BuildingUsePortion(
                building_id=building_id,
                category=row["category"],
                share_percent=Decimal(str(row["share_percent"])),
            )
        )
    _raise_report(problems, "buildings")
    bulk_create_with_history(uses, BuildingUsePortion, **history)
    report.counts["buildings"], report.counts["building_uses"] = len(building_ids), len(uses)
    say(f"buildings: {len(building_ids)}")

    # Households.
    frame = _read(path, "households")
    pending_h: list[tuple[int, Household]] = []
    for n, (row, shape) in enumerate(zip(_records(frame), frame.geometry, strict=True), start=1):
        village_id = village_ids.get(_int(row["village_no"]))
        building_src = _int(row["building_src_id"])
        if village_id is None:
            _missing(problems, "households", n, "village", row["village_no"])
            continue
        if building_src is not None and building_src not in building_ids:
            _missing(problems, "households", n, "building", building_src)
            continue
        pending_h.append(
            (
                int(row["src_id"]),
                Household(
                    organisation=organisation,
                    village_id=village_id,
                    building_id=building_ids.get(building_src) if building_src is not None else None,
                    house_number=_text(row["house_number"]),
                    location=_geos(shape, multi=False),
                    status=row["status"],
                ),
            )
        )
    _raise_report(problems, "households")
    created = bulk_create_with_history([h for _, h in pending_h], Household, **history)
    household_ids = {src: h.pk for (src, _), h in zip(pending_h, created, strict=True)}
    astray = list(
        Household.objects.filter(organisation=organisation)
        .exclude(location__coveredby=F("village__boundary"))
        .values_list("house_number", flat=True)
    )
    problems += [
        Problem(f"household {h}", "household_outside_village", "lies outside its village", "อยู่นอกหมู่บ้าน")
        for h in astray
    ]
    _raise_report(problems, "households")
    report.counts["households"] = len(household_ids)
    say(f"households: {len(household_ids)}")

    # Parties: field validation (national ID check digit, names) in Python, no query per row.
    pending_p: list[tuple[int, Party]] = []
    masked = 0
    for n, row in enumerate(_records(_read(path, "parties")), start=1):
        national_id = _text(row["national_id"])
        if national_id.startswith("X"):
            masked, national_id = masked + 1, ""
        household_src = _int(row["household_src_id"])
        if household_src is not None and household_src not in household_ids:
            _missing(problems, "parties", n, "household", household_src)
            continue
        party = Party(
            organisation=organisation,
            kind=row["kind"],
            national_id=national_id,
            title=_text(row["title"]),
            first_name=_text(row["first_name"]),
            last_name=_text(row["last_name"]),
            juristic_name=_text(row["juristic_name"]),
            birth_date=date.fromisoformat(str(row["birth_date"])[:10]) if row["birth_date"] else None,
            phone="" if _text(row["phone"]).startswith("X") else _text(row["phone"]),
            household_id=household_ids.get(household_src) if household_src is not None else None,
            is_household_head=bool(row["is_household_head"]),
        )
        try:
            party.full_clean(
                exclude=["organisation", "household"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            problems.append(Problem(f"parties row {n}", "invalid_party", str(exc.message_dict)))
        pending_p.append((int(row["src_id"]), party))
    seen: dict[str, int] = {}
    for src, party in pending_p:
        if party.national_id and party.national_id in seen:
            problems.append(
                Problem(
                    f"party {src}", "duplicate_national_id", f"same ID as party {seen[party.national_id]}"
                )
            )
        seen.setdefault(party.national_id, src)
    _raise_report(problems, "parties")
    created = bulk_create_with_history([p for _, p in pending_p], Party, **history)
    party_ids = {src: p.pk for (src, _), p in zip(pending_p, created, strict=True)}
    report.counts["parties"] = len(party_ids)
    if masked:
        report.notes.append(
            f"{masked} national ID(s) were masked in the file and were left empty / "
            f"เลขประจำตัว {masked} รายการถูกปิดบังในไฟล์ จึงเว้นว่างไว้"
        )
    say(f"parties: {len(party_ids)}")

    # Rights: shares of one right type never exceed the whole (checked per parcel/building).
    for layer, model, target, ids in (
        ("parcel_rights", ParcelRight, "parcel", parcel_ids),
        ("building_rights", BuildingRight, "building", building_ids),
    ):
        rights, totals = [], defaultdict(Fraction)
        for n, row in enumerate(_records(_read(path, layer)), start=1):
            target_id, party_id = (
                ids.get(int(row[f"{target}_src_id"])),
                party_ids.get(int(row["party_src_id"])),
            )
            if target_id is None or party_id is None:
                _missing(
                    problems, layer, n, f"{target} or party", (row[f"{target}_src_id"], row["party_src_id"])
                )
                continue
            num, den = int(row["share_numerator"]), int(row["share_denominator"])
            if not 1 <= num <= den:
                problems.append(
                    Problem(f"{layer} row {n}", "bad_share", f"share {num}/{den} is not a fraction of 1")
                )
                continue
            totals[(target_id, row["right_type"])] += Fraction(num, den)
            rights.append(
                model(
                    **{f"{target}_id": target_id},
                    party_id=party_id,
                    right_type=row["right_type"],
                    share_numerator=num,
                    share_denominator=den,
                )
            )
        problems += [
            Problem(f"{layer} {key}", "shares_exceed_whole", f"shares add up to {total}")
            for key, total in totals.items()
            if total > 1
        ]
        _raise_report(problems, layer)
        bulk_create_with_history(rights, model, **history)
        report.counts[layer] = len(rights)

    lineage = []
    for n, row in enumerate(_records(_read(path, "parcel_lineage")), start=1):
        pred, succ = (
            parcel_ids.get(int(row["predecessor_src_id"])),
            parcel_ids.get(int(row["successor_src_id"])),
        )
        if pred is None or succ is None:
            _missing(
                problems, "parcel_lineage", n, "parcel", (row["predecessor_src_id"], row["successor_src_id"])
            )
            continue
        lineage.append(ParcelLineage(predecessor_id=pred, successor_id=succ, operation=row["operation"]))
    _raise_report(problems, "parcel lineage")
    ParcelLineage.objects.bulk_create(lineage)
    report.counts["parcel_lineage"] = len(lineage)
    return report
