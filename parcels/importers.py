"""All-or-nothing import of villages and parcels from GeoPackage, GeoJSON or zipped Shapefile.

A file is read with pyogrio, reprojected from the CRS it declares to EPSG:4326 (a file without a
CRS is refused), its columns mapped onto our schema (docs/IMPORT_SCHEMA.md), and every feature is
checked: fields, geometry, place in the organisation, duplicates and overlaps. If any feature is
bad, nothing is written and every bad feature is named with its reason.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from gis_portal import untrusted
from gis_portal.crs import epsg_of_declared
from gis_portal.errors import DomainError, Problem

from . import sql
from .geometry import as_multipolygon
from .models import LandDocType, LandUse, LandUsePortion, Organisation, Parcel, RegisterStatus, Village
from .services import check_parcel_shapes, check_village_shapes, lock_register
from .validators import parse_parcel_code

PARCEL_FIELDS = {
    "parcel_code": True,
    "doc_type": True,
    "doc_number": False,
    "village_no": False,
    "declared_rai": False,
    "declared_ngan": False,
    "declared_wah": False,
    "land_use": False,
}
VILLAGE_FIELDS = {"village_no": True, "name_th": True, "name_en": False}

# Spellings of land document types seen in LAO spreadsheets and tax-map files.
DOC_TYPE_ALIASES = {
    "chanote": LandDocType.CHANOTE,
    "โฉนด": LandDocType.CHANOTE,
    "โฉนดที่ดิน": LandDocType.CHANOTE,
    "น.ส.4": LandDocType.CHANOTE,
    "น.ส.4จ.": LandDocType.CHANOTE,
    "นส4": LandDocType.CHANOTE,
    "ns4": LandDocType.CHANOTE,
    "ns3k": LandDocType.NS3K,
    "น.ส.3ก.": LandDocType.NS3K,
    "นส3ก": LandDocType.NS3K,
    "ns3": LandDocType.NS3,
    "น.ส.3": LandDocType.NS3,
    "นส3": LandDocType.NS3,
    "sk1": LandDocType.SK1,
    "ส.ค.1": LandDocType.SK1,
    "สค1": LandDocType.SK1,
    "spk401": LandDocType.SPK401,
    "ส.ป.ก.4-01": LandDocType.SPK401,
    "สปก": LandDocType.SPK401,
    "ส.ป.ก.": LandDocType.SPK401,
    "pbt5": LandDocType.PBT5,
    "ภ.บ.ท.5": LandDocType.PBT5,
    "ภบท5": LandDocType.PBT5,
    "none": LandDocType.NONE,
    "ไม่มี": LandDocType.NONE,
    "ไม่มีเอกสารสิทธิ์": LandDocType.NONE,
    "other": LandDocType.OTHER,
    "อื่นๆ": LandDocType.OTHER,
}
LAND_USE_ALIASES = {
    **{v: v for v in LandUse.values},
    "เกษตรกรรม": LandUse.AGRICULTURAL,
    "เกษตร": LandUse.AGRICULTURAL,
    "ที่อยู่อาศัย": LandUse.RESIDENTIAL,
    "อยู่อาศัย": LandUse.RESIDENTIAL,
    "อื่นๆ": LandUse.OTHER,
    "พาณิชย์": LandUse.OTHER,
    "รกร้างว่างเปล่า": LandUse.VACANT,
    "ว่างเปล่า": LandUse.VACANT,
    "ยกเว้น": LandUse.EXEMPT,
}


@dataclass
class ImportReport:
    """What an import found and did; ``problems`` empty means it was (or would be) written."""

    kind: str
    source_crs: str = ""
    total: int = 0
    created: int = 0
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)
    total_area_m2: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return (
                f"{len(self.problems)} problem(s) in {self.total} feature(s); nothing was written / "
                f"พบปัญหา {len(self.problems)} รายการจาก {self.total} รายการ ไม่มีการบันทึกข้อมูล"
            )
        verb = "would import" if self.dry_run else "imported"
        verb_th = "จะนำเข้า" if self.dry_run else "นำเข้าแล้ว"
        return (
            f"{verb} {self.total} {self.kind} from {self.source_crs} ({self.total_area_m2 / 1e6:,.3f} km²) / "
            f"{verb_th} {self.total} รายการ"
        )


def parse_field_map(pairs: list[str] | None) -> dict[str, str]:
    """``["parcel_code=PCODE", ...]`` (OURS=THEIRS) into a dict, refusing unknown names of ours."""
    mapping: dict[str, str] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise DomainError(
                "field_map",
                f"--field needs OURS=THEIRS, got {pair!r}",
                f"--field ต้องเป็น OURS=THEIRS: {pair!r}",
            )
        ours, theirs = (p.strip() for p in pair.split("=", 1))
        if ours not in PARCEL_FIELDS and ours not in VILLAGE_FIELDS:
            raise DomainError(
                "field_map",
                f"{ours!r} is not one of our fields: {', '.join(sorted({*PARCEL_FIELDS, *VILLAGE_FIELDS}))}",
                f"{ours!r} ไม่ใช่ชื่อฟิลด์ของระบบ",
            )
        mapping[ours] = theirs
    return mapping


# GDAL drivers an uploaded boundary file may be opened with, and what people call them.
VECTOR_DRIVERS = {"GPKG": "GeoPackage", "GeoJSON": "GeoJSON", "ESRI Shapefile": "Shapefile (zip)"}
# What a zipped Shapefile may hold: the parts of one Shapefile and its metadata, nothing else.
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml", ".qmd", ".txt"}
ZIP_MAX_MEMBERS = 64
GPKG_APPLICATION_IDS = {b"GPKG", b"GP10", b"GP11"}
# See gis_portal.untrusted: no side files, no directory listing, no network.
UNTRUSTED_GDAL_CONFIG = untrusted.UNTRUSTED_GDAL_CONFIG


def _refuse_type(name: str, why: str = "") -> DomainError:
    accepted = "GeoPackage (.gpkg), GeoJSON (.geojson) or a zipped Shapefile (.zip)"
    accepted_th = "GeoPackage (.gpkg), GeoJSON (.geojson) หรือ Shapefile แบบ zip (.zip)"
    return DomainError(
        "file_type",
        f"Cannot read {name}{' (' + why + ')' if why else ''}: only {accepted} files are accepted",
        f"ไม่รับไฟล์ {name} รับเฉพาะ {accepted_th}",
    )


@contextmanager
def untrusted_gdal() -> Iterator[None]:
    """Pyogrio's GDAL with :data:`UNTRUSTED_GDAL_CONFIG` set, restored afterwards."""
    import pyogrio

    before = {name: pyogrio.get_gdal_config_option(name) for name in UNTRUSTED_GDAL_CONFIG}
    pyogrio.set_gdal_config_options(UNTRUSTED_GDAL_CONFIG)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def _zipped_shapefile(path: Path) -> str:
    """The ``/vsizip/`` path of the one Shapefile in a zip, after checking every member of it."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refuse_type(path.name, f"not a readable zip ({exc})") from None
    if len(members) > ZIP_MAX_MEMBERS:
        raise _refuse_type(path.name, f"the zip holds {len(members)} files")
    if sum(m.file_size for m in members) > settings.REGISTER_IMPORT_MAX_BYTES:
        raise DomainError(
            "file_too_large",
            f"{path.name} unpacks to more than {settings.REGISTER_IMPORT_MAX_BYTES:,} bytes",
            f"ไฟล์ {path.name} เมื่อแตกออกมีขนาดเกิน {settings.REGISTER_IMPORT_MAX_BYTES:,} ไบต์",
        )
    files = []
    for member in members:
        name = member.filename
        if untrusted.unsafe_zip_member(member):
            raise _refuse_type(path.name, f"unsafe entry {name[:80]!r} in the zip")
        if member.is_dir():
            continue
        if PurePosixPath(name.lower()).suffix not in SHAPEFILE_PARTS:
            raise _refuse_type(path.name, f"{name[:80]!r} in the zip is not part of a Shapefile")
        files.append(name)
    shps = [n for n in files if n.lower().endswith(".shp")]
    if len(shps) != 1:
        raise _refuse_type(path.name, f"the zip must hold exactly one .shp, it holds {len(shps)}")
    stem = shps[0][:-4].lower()
    lowered = {n.lower() for n in files}
    if not {f"{stem}.shx", f"{stem}.dbf"} <= lowered:
        raise _refuse_type(path.name, "the .shp has no .shx and .dbf beside it")
    return f"/vsizip/{path.resolve()}/{shps[0]}"


def vector_source(path: str | Path) -> tuple[str, str]:
    """(GDAL path, the one driver allowed to open it) of an uploaded file, from its content.

    Only a GeoPackage, a GeoJSON object or a zip holding one Shapefile pass; the name does not
    matter (a KML, GML, CSV, VRT or any other file GDAL could read is refused before GDAL sees it).
    """
    path = Path(path)
    if not path.is_file():
        raise DomainError("file_not_found", f"No such file: {path}", f"ไม่พบไฟล์ {path}")
    if path.stat().st_size > settings.REGISTER_IMPORT_MAX_BYTES:
        raise DomainError(
            "file_too_large",
            f"{path.name} is larger than {settings.REGISTER_IMPORT_MAX_BYTES:,} bytes",
            f"ไฟล์ {path.name} ใหญ่เกิน {settings.REGISTER_IMPORT_MAX_BYTES:,} ไบต์",
        )
    with path.open("rb") as f:
        head = f.read(4096)
    if head.startswith(b"SQLite format 3\x00"):
        if head[68:72] not in GPKG_APPLICATION_IDS:
            raise _refuse_type(path.name, "an SQLite database that is not a GeoPackage")
        return str(path.resolve()), "GPKG"
    if head.startswith(b"PK\x03\x04"):
        return _zipped_shapefile(path), "ESRI Shapefile"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return str(path.resolve()), "GeoJSON"
    raise _refuse_type(path.name)


def read_vector_file(path: str | Path, layer: str | None = None) -> Any:
    """Read a GeoPackage, GeoJSON or zipped Shapefile into a GeoDataFrame in EPSG:4326.

    The file is opened only by the GDAL driver its content calls for (:func:`vector_source`), with
    GDAL's network and side-file access off, and its CRS must be an allowed EPSG code.
    """
    import geopandas as gpd
    import pyogrio

    path = Path(path)
    source, driver = vector_source(path)
    try:
        with untrusted_gdal():
            layers = pyogrio.list_layers(source)
            if layer is None and len(layers) > 1:
                # A GeoPackage may hold several layers; take the first one with polygons.
                polygon_layers = [name for name, gtype in layers if gtype and "Polygon" in str(gtype)]
                layer = polygon_layers[0] if polygon_layers else layers[0][0]
            info = pyogrio.read_info(source, layer=layer)
            if info.get("driver") != driver:
                raise _refuse_type(path.name, f"GDAL reads it as {info.get('driver')}")
            if not info.get("crs"):
                raise DomainError(
                    "no_crs",
                    f"{path.name} does not declare its coordinate reference system; "
                    "export it again with a CRS",
                    f"ไฟล์ {path.name} ไม่ระบุระบบพิกัด กรุณาส่งออกใหม่พร้อมระบบพิกัด",
                )
            epsg = epsg_of_declared(info["crs"])
            frame = gpd.read_file(source, layer=layer, engine="pyogrio")
    except DomainError:
        raise
    except Exception as exc:  # pyogrio raises several error types for unreadable files
        raise DomainError(
            "unreadable_file",
            f"Cannot read {path.name} as a {VECTOR_DRIVERS[driver]}: {exc}",
            f"อ่านไฟล์ {path.name} ไม่ได้ (ต้องเป็น GeoPackage, GeoJSON หรือ Shapefile แบบ zip): {exc}",
        ) from None
    # The allowed EPSG definition, not the file's own text, places the coordinates.
    frame = frame.set_crs(epsg, allow_override=True).to_crs(4326)
    frame.attrs["source_crs"] = f"EPSG:{epsg}"
    return frame


def _value(row: Mapping[str, Any], column: str | None) -> Any:
    if column is None:
        return None
    value = row.get(column)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _columns(
    frame: Any, schema: Mapping[str, bool], field_map: Mapping[str, str]
) -> tuple[dict[str, str | None], list[Problem]]:
    """Our field name → the file's column (case-insensitive), and problems for missing required ones."""
    by_lower = {str(c).lower(): str(c) for c in frame.columns if c != "geometry"}
    columns: dict[str, str | None] = {}
    problems = []
    for ours, required in schema.items():
        theirs = field_map.get(ours, ours)
        # A Shapefile (DBF) cuts column names to 10 characters: parcel_code arrives as parcel_cod.
        column = by_lower.get(theirs.lower()) or by_lower.get(theirs.lower()[:10])
        columns[ours] = column
        if column is None and (required or ours in field_map):
            problems.append(
                Problem(
                    "file",
                    "missing_field",
                    f"the file has no column {theirs!r} for {ours!r} (use --field {ours}=<column>)",
                    f"ไฟล์ไม่มีคอลัมน์ {theirs!r} สำหรับ {ours!r}",
                )
            )
    return columns, problems


def _int(
    value: Any, name: str, label: str, problems: list[Problem], *, upper: int | None = None
) -> int | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
        if number != number.to_integral_value() or number < 0 or (upper is not None and number >= upper):
            raise InvalidOperation
        return int(number)
    except (InvalidOperation, ValueError):
        problems.append(
            Problem(
                label,
                "bad_value",
                f"{name} {value!r} is not a valid whole number",
                f"{name} {value!r} ไม่ถูกต้อง",
            )
        )
        return None


def _geometry(value: Any, label: str, problems: list[Problem]) -> GEOSGeometry | None:
    if value is None or value.is_empty:
        problems.append(Problem(label, "no_geometry", "the feature has no geometry", "ไม่มีรูปแปลง"))
        return None
    geom = GEOSGeometry(memoryview(value.wkb), srid=4326)
    try:
        return as_multipolygon(geom)
    except DomainError as exc:
        problems.append(Problem(label, exc.code, exc.message_en, exc.message_th))
        return None


def _parse_land_use(value: Any, label: str, problems: list[Problem]) -> list[tuple[str, Decimal]]:
    """'residential' or 'residential:60;other:40' into [(category, share %)]."""
    if value is None:
        return []
    uses = []
    for part in re.split(r"[;,]", str(value)):
        name, _, share = part.partition(":")
        category = LAND_USE_ALIASES.get(name.strip().lower()) or LAND_USE_ALIASES.get(name.strip())
        try:
            share_value = Decimal(share.strip()) if share.strip() else Decimal(100)
        except InvalidOperation:
            share_value = None
        if category is None or share_value is None:
            problems.append(
                Problem(
                    label,
                    "bad_land_use",
                    f"land_use {value!r} is not understood",
                    f"การใช้ประโยชน์ {value!r} ไม่ถูกต้อง",
                )
            )
            return []
        uses.append((category, share_value))
    if sum(s for _, s in uses) != 100 or len({c for c, _ in uses}) != len(uses):
        problems.append(
            Problem(
                label,
                "bad_land_use",
                f"land_use {value!r} must add up to 100 %",
                f"การใช้ประโยชน์ {value!r} ต้องรวมได้ 100 %",
            )
        )
        return []
    return uses


def import_parcels(
    *,
    organisation: Organisation,
    path: str | Path,
    field_map: Mapping[str, str] | None = None,
    dry_run: bool = False,
    user: Any = None,
    layer: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import every parcel of a file, or none of them (see the module docstring)."""
    say = progress or (lambda _msg: None)
    frame = read_vector_file(path, layer)
    report = ImportReport(
        kind="parcels", source_crs=frame.attrs["source_crs"], total=len(frame), dry_run=dry_run
    )
    say(f"read {len(frame)} feature(s) in {report.source_crs}")
    columns, report.problems = _columns(frame, PARCEL_FIELDS, field_map or {})
    if report.problems:
        return report
    problems: list[Problem] = []
    candidates: list[dict[str, Any]] = []
    seen_codes: dict[str, str] = {}
    records = frame.drop(columns="geometry").to_dict("records")
    for n, (row, shape) in enumerate(zip(records, frame.geometry, strict=True), start=1):
        code_raw = _value(row, columns["parcel_code"])
        label = f"feature {n}" + (f" ({code_raw})" if code_raw else "")
        code = None
        if code_raw is None:
            problems.append(Problem(label, "missing_value", "parcel_code is empty", "ไม่มีรหัสแปลง"))
        else:
            try:
                code = "".join(parse_parcel_code(str(code_raw)))
            except ValidationError as exc:
                problems.append(
                    Problem(
                        label,
                        "parcel_code_format",
                        exc.messages[0].split(" / ")[-1],
                        exc.messages[0].split(" / ")[0],
                    )
                )
        if code and code in seen_codes:
            problems.append(
                Problem(
                    label,
                    "duplicate_code",
                    f"code {code} also used by {seen_codes[code]}",
                    f"รหัส {code} ซ้ำกับ {seen_codes[code]}",
                )
            )
        elif code:
            seen_codes[code] = label
        doc_raw = _value(row, columns["doc_type"])
        doc_type = None
        if doc_raw is None:
            problems.append(Problem(label, "missing_value", "doc_type is empty", "ไม่ระบุประเภทเอกสารสิทธิ์"))
        else:
            key = re.sub(r"\s+", "", str(doc_raw)).lower()
            doc_type = DOC_TYPE_ALIASES.get(key) or (key if key in LandDocType.values else None)
            if doc_type is None:
                problems.append(
                    Problem(
                        label,
                        "doc_type_unknown",
                        f"unknown doc_type {doc_raw!r}",
                        f"ไม่รู้จักเอกสารสิทธิ์ {doc_raw!r}",
                    )
                )
        rai = _int(_value(row, columns["declared_rai"]), "declared_rai", label, problems)
        ngan = _int(_value(row, columns["declared_ngan"]), "declared_ngan", label, problems, upper=4)
        wah_raw = _value(row, columns["declared_wah"])
        wah = None
        if wah_raw is not None:
            try:
                wah = Decimal(str(wah_raw)).quantize(Decimal("0.1"))
                if not 0 <= wah < 100:
                    raise InvalidOperation
            except InvalidOperation:
                problems.append(
                    Problem(
                        label,
                        "bad_value",
                        f"declared_wah {wah_raw!r} must be 0–99.9",
                        f"ตร.ว. {wah_raw!r} ต้องอยู่ระหว่าง 0–99.9",
                    )
                )
        village_no = _int(_value(row, columns["village_no"]), "village_no", label, problems)
        uses = _parse_land_use(_value(row, columns["land_use"]), label, problems)
        geom = _geometry(shape, label, problems)
        candidates.append(
            {
                "label": label,
                "code": code,
                "doc_type": doc_type,
                "geom": geom,
                "village_no": village_no,
                "doc_number": str(_value(row, columns["doc_number"]) or ""),
                "declared_rai": rai,
                "declared_ngan": ngan,
                "declared_wah": wah,
                "uses": uses,
            }
        )
    say("checking codes, villages, boundaries and overlaps in PostGIS")
    with transaction.atomic():
        lock_register(organisation.pk)
        existing = set(
            Parcel.objects.filter(
                organisation=organisation,
                status=RegisterStatus.ACTIVE,
                code__in=[c["code"] for c in candidates if c["code"]],
            ).values_list("code", flat=True)
        )
        for c in candidates:
            if c["code"] in existing:
                problems.append(
                    Problem(
                        c["label"],
                        "duplicate_code",
                        f"code {c['code']} is already in the register",
                        f"รหัส {c['code']} มีอยู่แล้วในทะเบียน",
                    )
                )
        villages = {v.number: v for v in Village.objects.filter(organisation=organisation)}
        for c in candidates:
            if c["village_no"] is not None and c["village_no"] not in villages:
                problems.append(
                    Problem(
                        c["label"],
                        "village_unknown",
                        f"village {c['village_no']} does not exist",
                        f"ไม่มีหมู่ที่ {c['village_no']}",
                    )
                )
        shaped = [c for c in candidates if c["geom"] is not None]
        problems.extend(
            check_parcel_shapes(organisation=organisation, shapes=[(c["label"], c["geom"]) for c in shaped])
        )
        report.problems = sorted(problems, key=lambda p: _feature_order(p.item))
        valid_wkb = [(i, bytes(c["geom"].wkb)) for i, c in enumerate(shaped)]
        report.total_area_m2 = sum(sql.geodesic_areas(valid_wkb).values()) if not report.problems else 0.0
        if report.problems or dry_run:
            return report
        found = sql.villages_for_points(organisation_id=organisation.pk, points=valid_wkb)
        by_id = {v.pk: v for v in villages.values()}
        parcels = []
        for i, c in enumerate(candidates):
            zone, block, lot = parse_parcel_code(c["code"])
            village = (
                villages.get(c["village_no"]) if c["village_no"] is not None else by_id.get(found.get(i))
            )
            parcels.append(
                Parcel(
                    organisation=organisation,
                    village=village,
                    code=c["code"],
                    zone=zone,
                    block=block,
                    lot=lot,
                    doc_type=c["doc_type"],
                    doc_number=c["doc_number"],
                    declared_rai=c["declared_rai"],
                    declared_ngan=c["declared_ngan"],
                    declared_wah=c["declared_wah"],
                    geom=c["geom"],
                )
            )
        say(f"writing {len(parcels)} parcel(s)")
        created = bulk_create_with_history(
            parcels, Parcel, batch_size=1000, default_user=_user(user), default_change_reason="import"
        )
        uses = [
            LandUsePortion(parcel=parcel, category=category, share_percent=share)
            for parcel, c in zip(created, candidates, strict=True)
            for category, share in c["uses"]
        ]
        bulk_create_with_history(
            uses, LandUsePortion, batch_size=2000, default_user=_user(user), default_change_reason="import"
        )
        report.created = len(created)
        _tiles_stale_on_commit(organisation.pk, ["parcels"])
    return report


def _tiles_stale_on_commit(organisation_id: int, layers: list[str]) -> None:
    """A bulk import touches tiles everywhere: make the organisation's cached tiles stale once it commits."""
    from tiles.cache import invalidate_organisation

    transaction.on_commit(lambda: invalidate_organisation(organisation_id, layers), robust=True)


def _feature_order(item: str) -> tuple[int, str]:
    match = re.match(r"feature (\d+)", item)
    return (int(match[1]) if match else 0, item)


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def import_villages(
    *,
    organisation: Organisation,
    path: str | Path,
    field_map: Mapping[str, str] | None = None,
    dry_run: bool = False,
    user: Any = None,
    layer: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import the villages (หมู่บ้าน) of a file, all or nothing; existing numbers are refused."""
    say = progress or (lambda _msg: None)
    frame = read_vector_file(path, layer)
    report = ImportReport(
        kind="villages", source_crs=frame.attrs["source_crs"], total=len(frame), dry_run=dry_run
    )
    say(f"read {len(frame)} feature(s) in {report.source_crs}")
    columns, report.problems = _columns(frame, VILLAGE_FIELDS, field_map or {})
    if report.problems:
        return report
    problems: list[Problem] = []
    candidates = []
    seen: dict[int, str] = {}
    for n, (row, shape) in enumerate(
        zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry, strict=True), start=1
    ):
        number = _int(_value(row, columns["village_no"]), "village_no", f"feature {n}", problems)
        label = f"feature {n}" + (f" (หมู่ {number})" if number is not None else "")
        if number is None:
            problems.append(Problem(label, "missing_value", "village_no is empty", "ไม่มีเลขหมู่"))
        elif number in seen:
            problems.append(
                Problem(
                    label,
                    "duplicate_village",
                    f"village {number} also in {seen[number]}",
                    f"หมู่ {number} ซ้ำกับ {seen[number]}",
                )
            )
        else:
            seen[number] = label
        name_th = _value(row, columns["name_th"])
        if name_th is None:
            problems.append(Problem(label, "missing_value", "name_th is empty", "ไม่มีชื่อหมู่บ้าน"))
        geom = _geometry(shape, label, problems)
        candidates.append(
            {
                "label": label,
                "number": number,
                "name_th": name_th,
                "name_en": _value(row, columns["name_en"]) or "",
                "geom": geom,
            }
        )
    with transaction.atomic():
        lock_register(organisation.pk)
        existing = set(
            Village.objects.filter(organisation=organisation, number__in=list(seen)).values_list(
                "number", flat=True
            )
        )
        for c in candidates:
            if c["number"] in existing:
                problems.append(
                    Problem(
                        c["label"],
                        "duplicate_village",
                        f"village {c['number']} already exists",
                        f"มีหมู่ที่ {c['number']} อยู่แล้ว",
                    )
                )
        shaped = [c for c in candidates if c["geom"] is not None]
        problems.extend(
            check_village_shapes(organisation=organisation, shapes=[(c["label"], c["geom"]) for c in shaped])
        )
        report.problems = sorted(problems, key=lambda p: _feature_order(p.item))
        if report.problems or dry_run:
            return report
        villages = [
            Village(
                organisation=organisation,
                number=c["number"],
                name_th=str(c["name_th"]),
                name_en=str(c["name_en"]),
                boundary=c["geom"],
            )
            for c in candidates
        ]
        created = bulk_create_with_history(
            villages, Village, default_user=_user(user), default_change_reason="import"
        )
        report.created = len(created)
        _tiles_stale_on_commit(organisation.pk, ["villages"])
        report.total_area_m2 = sum(
            sql.geodesic_areas([(i, bytes(v.boundary.wkb)) for i, v in enumerate(villages)]).values()
        )
    return report
