"""Writes to the register. Every path (import, admin, web map, API) goes through these functions.

Each service validates, takes the organisation's register lock (so two writers cannot both pass the
overlap check and then both insert), writes in one transaction and records who did it in history.
A refused write raises :class:`gis_portal.errors.DomainError` and leaves the register unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, LineString, MultiLineString, MultiPolygon, Point
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from gis_portal.errors import ConflictError, DomainError, Problem, ValidationProblems

from . import sql
from .geometry import as_multipolygon, validity_problem
from .models import (
    Building,
    BuildingRight,
    BuildingUsePortion,
    Household,
    LandDocType,
    LandUse,
    LandUsePortion,
    Organisation,
    Parcel,
    ParcelLineage,
    ParcelOperation,
    ParcelRight,
    Party,
    RegisterStatus,
    Village,
)
from .validators import parse_parcel_code

REGISTER_LOCK_KEY = 7_262_001  # first key of pg_advisory_xact_lock(key, organisation_id)


def _tiles_touched(organisation_id: int, layers: Sequence[str], *geoms: GEOSGeometry | None) -> None:
    """Once the write commits, make the cached vector tiles covering these shapes stale."""
    from tiles.cache import bbox_of, invalidate

    bboxes = bbox_of(*geoms)
    transaction.on_commit(lambda: invalidate(organisation_id, layers, bboxes), robust=True)


def lock_register(organisation_id: int) -> None:
    """Serialise topology-checked writes within one organisation until the transaction ends."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [REGISTER_LOCK_KEY, organisation_id])


def _with_user(obj: Any, user: Any, reason: str | None = None) -> Any:
    """Mark an object so that django-simple-history records who changed it, and why."""
    obj._history_user = user if getattr(user, "is_authenticated", False) else None
    if reason:
        obj._change_reason = reason
    return obj


@dataclass(frozen=True)
class LandUseShare:
    category: str
    share_percent: Decimal
    years_unused: int = 0


def _check_land_uses(uses: Sequence[LandUseShare]) -> None:
    if not uses:
        return
    categories = [u.category for u in uses]
    unknown = [c for c in categories if c not in LandUse.values]
    if unknown:
        raise DomainError("land_use_unknown", f"Unknown land use {unknown}", f"ไม่รู้จักการใช้ประโยชน์ {unknown}")
    if len(set(categories)) != len(categories):
        raise DomainError("land_use_duplicate", "A land use is listed twice", "ระบุการใช้ประโยชน์ซ้ำ")
    total = sum((Decimal(u.share_percent) for u in uses), Decimal(0))
    if total != Decimal(100):
        raise DomainError(
            "land_use_total",
            f"Land-use shares add up to {total} %, not 100 %",
            f"สัดส่วนการใช้ประโยชน์รวมได้ {total} % ไม่ใช่ 100 %",
        )


def _problems_to_error(problems: list[Problem]) -> None:
    if len(problems) == 1:
        p = problems[0]
        raise DomainError(p.code, p.message_en, p.message_th, **p.extra)
    if problems:
        raise ValidationProblems(problems)


def check_parcel_shapes(
    *,
    organisation: Organisation,
    shapes: Sequence[tuple[str, MultiPolygon]],
    exclude_parcel_ids: Sequence[int] = (),
) -> list[Problem]:
    """Validity, inside the organisation, and no overlap, for many shapes at once (set-based).

    ``shapes`` are (label, geometry in EPSG:4326) pairs; the labels name the shapes in the problems.
    """
    problems: list[Problem] = []
    valid: list[tuple[int, bytes]] = []
    for i, (label, geom) in enumerate(shapes):
        reason = validity_problem(geom)
        if reason:
            problems.append(
                Problem(label, "invalid_geometry", f"invalid geometry: {reason}", f"รูปแปลงไม่ถูกต้อง: {reason}")
            )
        else:
            valid.append((i, bytes(geom.wkb)))
    tolerance = settings.PARCEL_OVERLAP_TOLERANCE_M2
    for i, area in sorted(sql.geodesic_areas(valid).items()):
        if area < settings.PARCEL_MIN_AREA_M2:
            problems.append(
                Problem(
                    shapes[i][0],
                    "too_small",
                    f"the parcel is only {area:.3f} m²; is the file's coordinate system right?",
                    f"แปลงมีพื้นที่เพียง {area:.3f} ตร.ม. ระบบพิกัดของไฟล์ถูกต้องหรือไม่",
                )
            )
    outside = sql.outside_boundary(
        boundary_table="parcels_organisation",
        boundary_column="boundary",
        boundary_id=organisation.pk,
        shapes=valid,
        tolerance_m2=tolerance,
    )
    for i, area in sorted(outside.items()):
        problems.append(
            Problem(
                shapes[i][0],
                "outside_organisation",
                f"{area:.1f} m² lies outside {organisation.name_en or organisation.slug}",
                f"มีพื้นที่ {area:.1f} ตร.ม. อยู่นอกเขต{organisation.name_th}",
            )
        )
    for ov in sql.overlaps(
        organisation_id=organisation.pk,
        shapes=valid,
        tolerance_m2=tolerance,
        exclude_parcel_ids=exclude_parcel_ids,
    ):
        other = shapes[ov.other_idx][0] if ov.other_idx is not None else f"parcel {ov.parcel_code}"
        other_th = shapes[ov.other_idx][0] if ov.other_idx is not None else f"แปลง {ov.parcel_code}"
        problems.append(
            Problem(
                shapes[ov.idx][0],
                "overlap",
                f"overlaps {other} by {ov.area_m2:.1f} m²",
                f"ทับซ้อนกับ {other_th} {ov.area_m2:.1f} ตร.ม.",
                {"other": other, "area_m2": round(ov.area_m2, 2), "parcel_id": ov.parcel_id},
            )
        )
    return problems


def _apply_code(parcel: Parcel, code: str) -> None:
    try:
        zone, block, lot = parse_parcel_code(code)
    except ValidationError as exc:
        raise DomainError(
            "parcel_code_format", exc.messages[0].split(" / ")[-1], exc.messages[0].split(" / ")[0]
        ) from None
    parcel.code = f"{zone}{block}{lot}"
    parcel.zone, parcel.block, parcel.lot = zone, block, lot


def _check_code_free(
    organisation: Organisation, codes: Iterable[str], exclude_ids: Sequence[int] = ()
) -> None:
    taken = list(
        Parcel.objects.filter(organisation=organisation, status=RegisterStatus.ACTIVE, code__in=list(codes))
        .exclude(pk__in=list(exclude_ids))
        .values_list("code", flat=True)
    )
    if taken:
        raise DomainError(
            "duplicate_code",
            f"Parcel code already in use: {', '.join(sorted(taken))}",
            f"รหัสแปลงซ้ำกับแปลงที่มีอยู่: {', '.join(sorted(taken))}",
        )


def _village_for(organisation: Organisation, geom: GEOSGeometry) -> Village | None:
    found = sql.villages_for_points(organisation_id=organisation.pk, points=[(0, bytes(geom.wkb))])
    return Village.objects.get(pk=found[0]) if 0 in found else None


@transaction.atomic
def parcel_create(
    *,
    organisation: Organisation,
    code: str,
    geom: GEOSGeometry,
    doc_type: str = LandDocType.NONE,
    doc_number: str = "",
    village: Village | None = None,
    declared_rai: int | None = None,
    declared_ngan: int | None = None,
    declared_wah: Decimal | None = None,
    land_uses: Sequence[LandUseShare] = (),
    user: Any = None,
) -> Parcel:
    """Add a parcel after checking its code, shape, place in the organisation and overlaps."""
    geom = as_multipolygon(geom)
    if doc_type not in LandDocType.values:
        raise DomainError(
            "doc_type_unknown", f"Unknown land document type {doc_type!r}", "ไม่รู้จักประเภทเอกสารสิทธิ์"
        )
    _check_land_uses(land_uses)
    parcel = Parcel(
        organisation=organisation,
        doc_type=doc_type,
        doc_number=doc_number,
        declared_rai=declared_rai,
        declared_ngan=declared_ngan,
        declared_wah=declared_wah,
        geom=geom,
    )
    _apply_code(parcel, code)
    lock_register(organisation.pk)
    _check_code_free(organisation, [parcel.code])
    _problems_to_error(check_parcel_shapes(organisation=organisation, shapes=[(parcel.code, geom)]))
    parcel.village = village or _village_for(organisation, geom)
    if parcel.village and parcel.village.organisation_id != organisation.pk:
        raise DomainError(
            "village_other_org", "The village belongs to another organisation", "หมู่บ้านเป็นของ อปท. อื่น"
        )
    parcel.full_clean(exclude=["geom_3857", "area_m2"])
    _with_user(parcel, user, "create").save()
    _set_land_uses(parcel, land_uses, user)
    _tiles_touched(organisation.pk, ["parcels"], geom)
    return parcel


def _set_land_uses(parcel: Parcel, uses: Sequence[LandUseShare], user: Any) -> None:
    for old in parcel.land_uses.all():
        _with_user(old, user).delete()
    for use in uses:
        _with_user(
            LandUsePortion(
                parcel=parcel,
                category=use.category,
                share_percent=use.share_percent,
                years_unused=use.years_unused,
            ),
            user,
        ).save()


def _lock_parcel(parcel: Parcel, expected_version: int | None) -> Parcel:
    return _lock_row(Parcel, parcel, expected_version, "parcel", "แปลง", label=lambda p: p.code)


@transaction.atomic
def parcel_update(
    *,
    parcel: Parcel,
    user: Any = None,
    expected_version: int | None = None,
    geom: GEOSGeometry | None = None,
    land_uses: Sequence[LandUseShare] | None = None,
    reason: str = "update",
    exclude_parcel_ids: Sequence[int] = (),
    **attrs: Any,
) -> Parcel:
    """Change a parcel's shape or attributes; a stale ``expected_version`` is refused, not overwritten.

    ``exclude_parcel_ids`` are other parcels being reshaped in the same transaction (already checked
    against this shape by :func:`parcel_reshape_many`), so their old shapes are not compared.
    """
    lock_register(parcel.organisation_id)
    current = _lock_parcel(parcel, expected_version)
    old_geom = current.geom
    allowed = {"doc_type", "doc_number", "declared_rai", "declared_ngan", "declared_wah", "village", "code"}
    unknown = set(attrs) - allowed
    if unknown:
        raise DomainError("unknown_field", f"Cannot change {sorted(unknown)}", f"แก้ไขไม่ได้: {sorted(unknown)}")
    if "code" in attrs and attrs["code"] != current.code:
        _apply_code(current, attrs.pop("code"))
        _check_code_free(current.organisation, [current.code], exclude_ids=[current.pk])
    attrs.pop("code", None)
    for key, value in attrs.items():
        setattr(current, key, value)
    if geom is not None:
        geom = as_multipolygon(geom)
        _problems_to_error(
            check_parcel_shapes(
                organisation=current.organisation,
                shapes=[(current.code, geom)],
                exclude_parcel_ids=[current.pk, *exclude_parcel_ids],
            )
        )
        current.geom = geom
        _check_buildings_inside(current, geom)
    if land_uses is not None:
        _check_land_uses(land_uses)
    current.version += 1
    current.full_clean(exclude=["geom_3857", "area_m2"])
    _with_user(current, user, reason).save()
    if land_uses is not None:
        _set_land_uses(current, land_uses, user)
    _tiles_touched(current.organisation_id, ["parcels"], old_geom, current.geom)
    return current


def _check_buildings_inside(parcel: Parcel, geom: MultiPolygon) -> None:
    tolerance = settings.BUILDING_OUTSIDE_TOLERANCE_M2
    buildings = list(parcel.buildings.filter(status=RegisterStatus.ACTIVE).values_list("id", "footprint"))
    if not buildings:
        return
    poly = bytes(geom.wkb)
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT b.idx FROM unnest(%s::bigint[], %s::bytea[]) AS b(idx, wkb)
            WHERE ST_Area(ST_Difference(ST_SetSRID(ST_GeomFromWKB(b.wkb), 4326),
                                        ST_SetSRID(ST_GeomFromWKB(%s), 4326))::geography) > %s
            """,
            [[b[0] for b in buildings], [bytes(b[1].wkb) for b in buildings], poly, tolerance],
        )
        outside = [row[0] for row in cur.fetchall()]
    if outside:
        raise DomainError(
            "building_outside_parcel",
            f"The new shape leaves {len(outside)} building(s) of parcel {parcel.code} outside it",
            f"รูปแปลงใหม่ทำให้อาคาร {len(outside)} หลังของแปลง {parcel.code} อยู่นอกแปลง",
            building_ids=outside,
        )


@transaction.atomic
def parcel_retire(
    *, parcel: Parcel, user: Any = None, reason: str = "retire", expected_version: int | None = None
) -> Parcel:
    """Retire a parcel (the register never deletes one); its buildings must be moved or retired first."""
    lock_register(parcel.organisation_id)
    current = _lock_parcel(parcel, expected_version)
    explicit = reason == "retire" or reason.startswith("retire: ")  # not a split or merge moving them
    if current.buildings.filter(status=RegisterStatus.ACTIVE).exists() and explicit:
        raise DomainError(
            "parcel_has_buildings",
            f"Parcel {current.code} still has buildings; retire or move them first",
            f"แปลง {current.code} ยังมีอาคารอยู่ กรุณายกเลิกหรือย้ายอาคารก่อน",
        )
    current.status = RegisterStatus.RETIRED
    current.retired_at = timezone.now()
    current.version += 1
    _with_user(current, user, reason).save()
    _tiles_touched(current.organisation_id, ["parcels"], current.geom)
    return current


def _copy_rights(source: Parcel, target: Parcel, user: Any) -> None:
    for right in source.rights.all():
        _with_user(
            ParcelRight(
                parcel=target,
                party_id=right.party_id,
                right_type=right.right_type,
                share_numerator=right.share_numerator,
                share_denominator=right.share_denominator,
            ),
            user,
        ).save()


def _copy_land_uses(source: Parcel, target: Parcel, user: Any) -> None:
    for use in source.land_uses.all():
        _with_user(
            LandUsePortion(
                parcel=target,
                category=use.category,
                share_percent=use.share_percent,
                years_unused=use.years_unused,
            ),
            user,
        ).save()


def _move_buildings(buildings: Sequence[Building], targets: Sequence[Parcel], user: Any) -> None:
    """Give each building to the target parcel that contains its footprint's point on surface."""
    for building in buildings:
        inside = building.footprint.point_on_surface
        target = next((t for t in targets if t.geom.intersects(inside)), None)
        if target is None:
            raise DomainError(
                "building_unplaced",
                f"Building {building} is not inside any of the new parcels",
                f"อาคาร {building} ไม่อยู่ในแปลงใหม่แปลงใดเลย",
            )
        outside = building.footprint.difference(target.geom)
        if not outside.empty:
            area = sql.geodesic_areas([(0, bytes(outside.wkb))]).get(0, 0.0)
            if area > settings.BUILDING_OUTSIDE_TOLERANCE_M2:
                raise DomainError(
                    "building_cut",
                    f"The line cuts building {building}: {area:.1f} m² would lie outside {target.code}",
                    f"เส้นแบ่งตัดผ่านอาคาร {building}: {area:.1f} ตร.ม. จะอยู่นอกแปลง {target.code}",
                )
        building.parcel = target
        _with_user(building, user, f"moved to {target.code}").save(update_fields=["parcel", "updated_at"])


@transaction.atomic
def parcel_split(
    *,
    parcel: Parcel,
    line: GEOSGeometry,
    codes: Sequence[str],
    user: Any = None,
    expected_version: int | None = None,
) -> list[Parcel]:
    """Cut a parcel with a line (``ST_Split``): the parcel is retired and the pieces replace it.

    ``codes`` name the pieces, largest first; each piece keeps the parcel's document, owners and
    land uses, and each building goes to the piece it stands on.
    """
    lock_register(parcel.organisation_id)
    current = _lock_parcel(parcel, expected_version)
    if line.srid and line.srid != 4326:
        line = line.transform(4326, clone=True)
    if not isinstance(line, LineString | MultiLineString):
        raise DomainError("not_a_line", "Split needs a line", "การแบ่งแปลงต้องใช้เส้นแบ่ง")
    pieces = [
        GEOSGeometry(memoryview(w), srid=4326)
        for w in sql.split_polygon_by_line(polygon_wkb=bytes(current.geom.wkb), line_wkb=bytes(line.wkb))
    ]
    if len(pieces) < 2:
        raise DomainError(
            "split_no_effect",
            "The line does not cut the parcel into pieces; draw it across the whole parcel",
            "เส้นแบ่งไม่ได้ตัดแปลงออกเป็นส่วน ๆ กรุณาลากเส้นให้ผ่านตลอดแปลง",
        )
    if len(codes) != len(pieces):
        raise DomainError(
            "split_codes",
            f"The line makes {len(pieces)} pieces but {len(codes)} code(s) were given",
            f"เส้นแบ่งได้ {len(pieces)} แปลง แต่ระบุรหัส {len(codes)} รหัส",
            pieces=len(pieces),
        )
    children = []
    for code, piece in zip(codes, pieces, strict=True):
        child = Parcel(
            organisation=current.organisation,
            village=current.village,
            doc_type=current.doc_type,
            doc_number=current.doc_number,
            geom=as_multipolygon(piece),
        )
        _apply_code(child, code)
        children.append(child)
    current.status = RegisterStatus.RETIRED
    current.retired_at = timezone.now()
    current.version += 1
    _with_user(current, user, f"split into {', '.join(c.code for c in children)}").save()
    _check_code_free(current.organisation, [c.code for c in children])
    if len({c.code for c in children}) != len(children):
        raise DomainError("duplicate_code", "The new parcel codes repeat", "รหัสแปลงใหม่ซ้ำกัน")
    _problems_to_error(
        check_parcel_shapes(
            organisation=current.organisation,
            shapes=[(c.code, c.geom) for c in children],
            exclude_parcel_ids=[current.pk],
        )
    )
    for child in children:
        _with_user(child, user, f"split from {current.code}").save()
        _copy_rights(current, child, user)
        _copy_land_uses(current, child, user)
        ParcelLineage.objects.create(
            predecessor=current,
            successor=child,
            operation=ParcelOperation.SPLIT,
            created_by=_user_or_none(user),
        )
    _move_buildings(list(current.buildings.filter(status=RegisterStatus.ACTIVE)), children, user)
    _tiles_touched(current.organisation_id, ["parcels", "buildings"], current.geom)
    return children


def _user_or_none(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _rights_key(parcel: Parcel) -> set[tuple[int, str, int, int]]:
    return {(r.party_id, r.right_type, r.share_numerator, r.share_denominator) for r in parcel.rights.all()}


@transaction.atomic
def parcel_merge(
    *, parcels: Sequence[Parcel], code: str, user: Any = None, expected_versions: dict[int, int] | None = None
) -> Parcel:
    """Merge adjacent parcels of the same holders into one; the originals are retired with lineage.

    ``expected_versions`` (parcel id → version the editor saw) refuses the merge if one changed since.
    """
    if len(parcels) < 2:
        raise DomainError(
            "merge_needs_two", "Choose at least two parcels to merge", "เลือกอย่างน้อยสองแปลงเพื่อรวม"
        )
    org_ids = {p.organisation_id for p in parcels}
    if len(org_ids) != 1:
        raise DomainError("merge_other_org", "Parcels of different organisations", "แปลงอยู่ต่าง อปท. กัน")
    lock_register(org_ids.pop())
    versions = expected_versions or {}
    current = [_lock_parcel(p, versions.get(p.pk)) for p in sorted(parcels, key=lambda p: p.pk)]
    owners = [_rights_key(p) for p in current]
    if any(o != owners[0] for o in owners[1:]):
        raise DomainError(
            "merge_different_holders",
            "Only parcels with the same holders and shares can be merged",
            "รวมแปลงได้เฉพาะแปลงที่มีผู้ถือสิทธิและสัดส่วนเดียวกัน",
        )
    docs = {(p.doc_type, p.doc_number) for p in current}
    merged_geom = GEOSGeometry(
        memoryview(sql.union_polygons([bytes(p.geom.wkb) for p in current])), srid=4326
    )
    merged_geom = as_multipolygon(merged_geom)
    if len(merged_geom) != 1:
        raise DomainError(
            "merge_not_adjacent",
            "The parcels do not share a boundary, so they cannot become one parcel",
            "แปลงที่เลือกไม่มีแนวเขตติดกัน จึงรวมเป็นแปลงเดียวไม่ได้",
        )
    first = current[0]
    merged = Parcel(
        organisation=first.organisation,
        village=first.village,
        doc_type=first.doc_type if len(docs) == 1 else LandDocType.NONE,
        doc_number=first.doc_number if len(docs) == 1 else "",
        geom=merged_geom,
    )
    _apply_code(merged, code)
    now = timezone.now()
    for p in current:
        p.status = RegisterStatus.RETIRED
        p.retired_at = now
        p.version += 1
        _with_user(p, user, f"merged into {merged.code}").save()
    _check_code_free(first.organisation, [merged.code])
    _problems_to_error(
        check_parcel_shapes(
            organisation=first.organisation,
            shapes=[(merged.code, merged_geom)],
            exclude_parcel_ids=[p.pk for p in current],
        )
    )
    _with_user(merged, user, f"merged from {', '.join(p.code for p in current)}").save()
    _copy_rights(first, merged, user)
    _copy_land_uses(first, merged, user)
    for p in current:
        ParcelLineage.objects.create(
            predecessor=p, successor=merged, operation=ParcelOperation.MERGE, created_by=_user_or_none(user)
        )
    buildings = list(Building.objects.filter(parcel__in=current, status=RegisterStatus.ACTIVE).order_by("id"))
    for n, building in enumerate(buildings, start=1):
        building.parcel = merged
        building.number = n
        _with_user(building, user, f"merged into {merged.code}").save(
            update_fields=["parcel", "number", "updated_at"]
        )
    _tiles_touched(merged.organisation_id, ["parcels", "buildings"], merged_geom)
    return merged


# --- villages ---------------------------------------------------------------------------------------


@transaction.atomic
def village_create(
    *,
    organisation: Organisation,
    number: int,
    name_th: str,
    boundary: GEOSGeometry,
    name_en: str = "",
    user: Any = None,
) -> Village:
    boundary = as_multipolygon(boundary)
    lock_register(organisation.pk)
    problems = check_village_shapes(organisation=organisation, shapes=[(f"หมู่ {number}", boundary)])
    _problems_to_error(problems)
    if Village.objects.filter(organisation=organisation, number=number).exists():
        raise DomainError("duplicate_village", f"Village {number} already exists", f"มีหมู่ที่ {number} อยู่แล้ว")
    village = Village(
        organisation=organisation, number=number, name_th=name_th, name_en=name_en, boundary=boundary
    )
    village.full_clean(exclude=["boundary_3857", "area_m2"])
    _with_user(village, user, "create").save()
    _tiles_touched(organisation.pk, ["villages"], boundary)
    return village


def check_village_shapes(
    *,
    organisation: Organisation,
    shapes: Sequence[tuple[str, MultiPolygon]],
    exclude_village_ids: Sequence[int] = (),
) -> list[Problem]:
    """Villages must be valid, inside the organisation and not overlap each other."""
    problems: list[Problem] = []
    valid: list[tuple[int, bytes]] = []
    for i, (label, geom) in enumerate(shapes):
        reason = validity_problem(geom)
        if reason:
            problems.append(
                Problem(label, "invalid_geometry", f"invalid geometry: {reason}", f"รูปไม่ถูกต้อง: {reason}")
            )
        else:
            valid.append((i, bytes(geom.wkb)))
    # Village boundaries are drawn coarsely; allow them to spill 1 % of their area outside.
    outside = sql.outside_boundary(
        boundary_table="parcels_organisation",
        boundary_column="boundary",
        boundary_id=organisation.pk,
        shapes=valid,
        tolerance_m2=settings.PARCEL_OVERLAP_TOLERANCE_M2,
    )
    areas = sql.geodesic_areas([v for v in valid if v[0] in outside])
    for i, area in sorted(outside.items()):
        if area > 0.01 * areas.get(i, 0.0):
            problems.append(
                Problem(
                    shapes[i][0],
                    "outside_organisation",
                    f"{area:,.0f} m² lies outside the organisation",
                    f"มีพื้นที่ {area:,.0f} ตร.ม. อยู่นอกเขต อปท.",
                )
            )
    for ov in sql.overlaps(
        organisation_id=organisation.pk,
        table="village",
        shapes=valid,
        tolerance_m2=settings.PARCEL_OVERLAP_TOLERANCE_M2,
        exclude_parcel_ids=exclude_village_ids,
    ):
        other = shapes[ov.other_idx][0] if ov.other_idx is not None else f"หมู่ {ov.parcel_code}"
        problems.append(
            Problem(
                shapes[ov.idx][0],
                "overlap",
                f"overlaps {other} by {ov.area_m2:,.0f} m²",
                f"ทับซ้อนกับ {other} {ov.area_m2:,.0f} ตร.ม.",
            )
        )
    return problems


# --- buildings, households, parties, rights -------------------------------------------------------


def check_footprint_on_parcel(parcel: Parcel, footprint: GEOSGeometry) -> MultiPolygon:
    """A valid footprint (as a MultiPolygon in 4326) that does not stick out of its parcel."""
    footprint = as_multipolygon(footprint)
    reason = validity_problem(footprint)
    if reason:
        raise DomainError("invalid_geometry", f"invalid footprint: {reason}", f"รูปอาคารไม่ถูกต้อง: {reason}")
    outside = sql.outside_boundary(
        boundary_table="parcels_parcel",
        boundary_column="geom",
        boundary_id=parcel.pk,
        shapes=[(0, bytes(footprint.wkb))],
        tolerance_m2=settings.BUILDING_OUTSIDE_TOLERANCE_M2,
    )
    if outside:
        raise DomainError(
            "building_outside_parcel",
            f"The building sticks out of parcel {parcel.code} by {outside[0]:.1f} m²",
            f"อาคารล้ำออกนอกแปลง {parcel.code} {outside[0]:.1f} ตร.ม.",
        )
    return footprint


@transaction.atomic
def building_create(
    *,
    parcel: Parcel,
    footprint: GEOSGeometry,
    building_type: str,
    material: str,
    floor_area_m2: Decimal | None = None,
    storeys: int = 1,
    year_built: int | None = None,
    uses: Sequence[LandUseShare] = (),
    user: Any = None,
) -> Building:
    """Add a building standing on its parcel; its floor area defaults to footprint × storeys."""
    if parcel.status != RegisterStatus.ACTIVE:
        raise DomainError(
            "parcel_retired", f"Parcel {parcel.code} is retired", f"แปลง {parcel.code} ถูกยกเลิกแล้ว"
        )
    footprint = check_footprint_on_parcel(parcel, footprint)
    _check_land_uses(uses)
    if floor_area_m2 is None:
        area = sql.geodesic_areas([(0, bytes(footprint.wkb))])[0]
        floor_area_m2 = (Decimal(str(area)) * storeys).quantize(Decimal("0.01"))
    number = (
        Building.objects.filter(parcel=parcel, status=RegisterStatus.ACTIVE)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    building = Building(
        organisation_id=parcel.organisation_id,
        parcel=parcel,
        number=number,
        footprint=footprint,
        building_type=building_type,
        material=material,
        storeys=storeys,
        floor_area_m2=floor_area_m2,
        year_built=year_built,
    )
    building.full_clean(exclude=["footprint_3857", "footprint_area_m2"])
    _with_user(building, user, "create").save()
    for use in uses:
        _with_user(
            BuildingUsePortion(building=building, category=use.category, share_percent=use.share_percent),
            user,
        ).save()
    _tiles_touched(building.organisation_id, ["buildings"], footprint)
    return building


@transaction.atomic
def household_create(
    *,
    organisation: Organisation,
    house_number: str,
    location: Point,
    village: Village | None = None,
    building: Building | None = None,
    user: Any = None,
) -> Household:
    """Add a household; its point must lie inside its village (found from the point if not given)."""
    if location.srid != 4326:
        location = location.transform(4326, clone=True)
    found = sql.villages_for_points(organisation_id=organisation.pk, points=[(0, bytes(location.wkb))])
    if 0 not in found:
        raise DomainError(
            "household_outside_villages",
            "The point is not inside any village of this organisation",
            "ตำแหน่งบ้านไม่อยู่ในหมู่บ้านใดของ อปท. นี้",
        )
    if village is None:
        village = Village.objects.get(pk=found[0])
    elif not village.boundary.intersects(location):
        raise DomainError(
            "household_outside_village",
            f"The point is not inside village {village.number}",
            f"ตำแหน่งบ้านไม่อยู่ในหมู่ที่ {village.number}",
        )
    if building is not None and building.organisation_id != organisation.pk:
        raise DomainError(
            "building_other_org", "The building belongs to another organisation", "อาคารเป็นของ อปท. อื่น"
        )
    household = Household(
        organisation=organisation,
        village=village,
        building=building,
        house_number=house_number.strip(),
        location=location,
    )
    household.full_clean(exclude=["location_3857"])
    _with_user(household, user, "create").save()
    _tiles_touched(organisation.pk, ["households"], location)
    return household


@transaction.atomic
def party_create(*, organisation: Organisation, kind: str, user: Any = None, **fields: Any) -> Party:
    """Add a person or juristic person; a national ID must have a correct check digit."""
    if fields.get("national_id"):
        fields["national_id"] = "".join(ch for ch in str(fields["national_id"]) if ch not in " -")
    party = Party(organisation=organisation, kind=kind, **fields)
    try:
        party.full_clean()
    except ValidationError as exc:
        messages = [f"{field}: {' '.join(errs)}" for field, errs in exc.message_dict.items()]
        raise DomainError("invalid_party", "; ".join(messages), "; ".join(messages)) from None
    _with_user(party, user, "create").save()
    return party


@transaction.atomic
def parcel_right_add(
    *,
    parcel: Parcel,
    party: Party,
    share_numerator: int = 1,
    share_denominator: int = 1,
    right_type: str = "ownership",
    user: Any = None,
) -> ParcelRight:
    """Give a party a share of a parcel; the shares of one right type never exceed the whole."""
    return _right_add(
        ParcelRight, "parcel", parcel, party, share_numerator, share_denominator, right_type, user
    )


@transaction.atomic
def building_right_add(
    *,
    building: Building,
    party: Party,
    share_numerator: int = 1,
    share_denominator: int = 1,
    right_type: str = "ownership",
    user: Any = None,
) -> BuildingRight:
    return _right_add(
        BuildingRight, "building", building, party, share_numerator, share_denominator, right_type, user
    )


def _right_add(
    model: Any, field: str, target: Any, party: Party, num: int, den: int, right_type: str, user: Any
) -> Any:
    from fractions import Fraction

    if party.organisation_id != target.organisation_id:
        raise DomainError(
            "party_other_org", "The party belongs to another organisation", "บุคคลนี้เป็นของ อปท. อื่น"
        )
    if den < 1 or num < 1 or num > den:
        raise DomainError(
            "share_invalid", f"Share {num}/{den} is not a fraction of the whole", f"สัดส่วน {num}/{den} ไม่ถูกต้อง"
        )
    existing = model.objects.select_for_update().filter(**{field: target, "right_type": right_type})
    total = sum((Fraction(r.share_numerator, r.share_denominator) for r in existing), Fraction(0)) + Fraction(
        num, den
    )
    if total > 1:
        raise DomainError(
            "shares_exceed_whole",
            f"Shares would add up to {total}, more than the whole",
            f"สัดส่วนรวมจะเป็น {total} เกินทั้งหมด",
        )
    right = model(
        **{field: target}, party=party, share_numerator=num, share_denominator=den, right_type=right_type
    )
    right.full_clean()
    _with_user(right, user, "create").save()
    return right


# --- web map edits ------------------------------------------------------------------------------------


@transaction.atomic
def parcel_reshape_many(
    *, changes: Sequence[tuple[Parcel, int | None, GEOSGeometry]], user: Any = None
) -> list[Parcel]:
    """Reshape several parcels at once (a shared boundary moved): all are saved, or none.

    ``changes`` are (parcel, version the editor started from, new shape). The new shapes are checked
    together (so two of them cannot overlap), then each goes through :func:`parcel_update`.
    """
    if not changes:
        raise DomainError("nothing_to_save", "No parcel was changed", "ไม่มีแปลงที่ถูกแก้ไข")
    org_ids = {p.organisation_id for p, _v, _g in changes}
    if len(org_ids) != 1:
        raise DomainError("reshape_other_org", "Parcels of different organisations", "แปลงอยู่ต่าง อปท. กัน")
    organisation = changes[0][0].organisation
    lock_register(organisation.pk)
    ids = [p.pk for p, _v, _g in changes]
    shapes = [(p.code, as_multipolygon(g)) for p, _v, g in changes]
    _problems_to_error(check_parcel_shapes(organisation=organisation, shapes=shapes, exclude_parcel_ids=ids))
    return [
        parcel_update(
            parcel=p,
            user=user,
            expected_version=version,
            geom=geom,
            reason="reshape",
            exclude_parcel_ids=[i for i in ids if i != p.pk],
        )
        for (p, version, _g), (_label, geom) in zip(changes, shapes, strict=True)
    ]


def _lock_row(
    model: Any,
    obj: Any,
    expected_version: int | None,
    what_en: str,
    what_th: str,
    label: Any = None,
) -> Any:
    """Lock an active register row; refuse a retired one or a stale ``expected_version`` (409)."""
    current = model.objects.select_for_update().get(pk=obj.pk)
    name_en = f"{what_en.capitalize()} {label(current)}" if label else f"This {what_en}"
    name_th = f"{what_th} {label(current)}" if label else f"{what_th}นี้"
    if current.status != RegisterStatus.ACTIVE:
        raise DomainError(f"{what_en}_retired", f"{name_en} is retired", f"{name_th}ถูกยกเลิกแล้ว")
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(
            "stale_version",
            f"{name_en} was changed by someone else (version {current.version}, you edited version "
            f"{expected_version}); reload it and apply your change again",
            f"{name_th}ถูกแก้ไขโดยผู้อื่นแล้ว (ฉบับ {current.version}) กรุณาโหลดใหม่แล้วแก้ไขอีกครั้ง",
            current_version=current.version,
        )
    return current


@transaction.atomic
def building_update(
    *,
    building: Building,
    user: Any = None,
    expected_version: int | None = None,
    footprint: GEOSGeometry | None = None,
    retire: bool = False,
    reason: str = "update",
    **attrs: Any,
) -> Building:
    """Reshape, change or retire a building; a new footprint must stay on its parcel."""
    lock_register(building.organisation_id)
    current = _lock_row(Building, building, expected_version, "building", "อาคาร")
    old = current.footprint
    allowed = {"building_type", "material", "storeys", "floor_area_m2", "year_built"}
    unknown = set(attrs) - allowed
    if unknown:
        raise DomainError("unknown_field", f"Cannot change {sorted(unknown)}", f"แก้ไขไม่ได้: {sorted(unknown)}")
    for key, value in attrs.items():
        setattr(current, key, value)
    if footprint is not None:
        current.footprint = check_footprint_on_parcel(current.parcel, footprint)
    if retire:
        current.status = RegisterStatus.RETIRED
        reason = reason if reason.startswith("retire") else "retire"
    current.version += 1
    current.full_clean(exclude=["footprint_3857", "footprint_area_m2"])
    _with_user(current, user, reason).save()
    _tiles_touched(current.organisation_id, ["buildings"], old, current.footprint)
    return current


@transaction.atomic
def household_update(
    *,
    household: Household,
    user: Any = None,
    expected_version: int | None = None,
    location: Point | None = None,
    house_number: str | None = None,
    retire: bool = False,
    reason: str = "update",
) -> Household:
    """Move, renumber or retire a household; a new point must stay inside its village."""
    lock_register(household.organisation_id)
    current = _lock_row(Household, household, expected_version, "household", "ครัวเรือน")
    old = current.location
    if location is not None:
        if location.srid != 4326:
            location = location.transform(4326, clone=True)
        if not current.village.boundary.intersects(location):
            raise DomainError(
                "household_outside_village",
                f"The point is not inside village {current.village.number}",
                f"ตำแหน่งบ้านไม่อยู่ในหมู่ที่ {current.village.number}",
            )
        current.location = location
    if house_number is not None:
        current.house_number = house_number.strip()
    if retire:
        current.status = RegisterStatus.RETIRED
        reason = reason if reason.startswith("retire") else "retire"
    current.version += 1
    try:
        current.full_clean(exclude=["location_3857"])
    except ValidationError as exc:
        messages = "; ".join(exc.messages)
        raise DomainError("invalid_household", messages, messages) from None
    _with_user(current, user, reason).save()
    _tiles_touched(current.organisation_id, ["households"], old, current.location)
    return current
