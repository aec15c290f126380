"""The register's hand-written, parameterised SQL: set-based topology checks in PostGIS.

Every function takes many candidate shapes at once (as WKB, EPSG:4326) so that an import of
thousands of parcels costs a handful of queries, not one per feature.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

_CANDIDATES = """
    WITH cand AS (
        SELECT t.idx, ST_SetSRID(ST_GeomFromWKB(t.wkb), 4326) AS geom
        FROM unnest(%(idx)s::int[], %(wkb)s::bytea[]) AS t(idx, wkb)
    )
"""


@dataclass(frozen=True)
class Overlap:
    idx: int
    other_idx: int | None  # another candidate, or None when the other is a stored parcel
    parcel_id: int | None  # the stored row (parcel or village) it overlaps
    parcel_code: str | None  # its parcel code or village number
    area_m2: float


_OVERLAP_TABLES = {
    "parcel": ("parcels_parcel", "geom", "AND p.status = 'active'"),
    "village": ("parcels_village", "boundary", ""),
}


def overlaps(
    *,
    organisation_id: int,
    table: str = "parcel",
    shapes: Sequence[tuple[int, bytes]],
    tolerance_m2: float,
    exclude_parcel_ids: Sequence[int] = (),
) -> list[Overlap]:
    """Overlaps larger than the tolerance, among the candidates and with the active parcels.

    Shared boundaries (touching) are not overlaps. ``exclude_parcel_ids`` are the stored parcels the
    candidates replace (a reshape, split or merge), which are not compared.
    """
    if not shapes:
        return []
    db_table, column, active = _OVERLAP_TABLES[table]
    params = {
        "idx": [i for i, _ in shapes],
        "wkb": [w for _, w in shapes],
        "org": organisation_id,
        "tol": tolerance_m2,
        "exclude": list(exclude_parcel_ids),
    }
    sql = (
        _CANDIDATES
        + f"""
    , pairs AS (
        SELECT a.idx, b.idx AS other_idx, NULL::bigint AS parcel_id, NULL::text AS code,
               ST_Area(ST_Intersection(a.geom, b.geom)::geography) AS area
        FROM cand a JOIN cand b ON a.idx < b.idx AND a.geom && b.geom
        WHERE ST_Intersects(a.geom, b.geom) AND NOT ST_Touches(a.geom, b.geom)
        UNION ALL
        SELECT a.idx, NULL, p.id, {"p.code" if table == "parcel" else "p.number::text"},
               ST_Area(ST_Intersection(a.geom, p.{column})::geography)
        FROM cand a JOIN {db_table} p
          ON p.organisation_id = %(org)s {active} AND p.{column} && a.geom
         AND NOT (p.id = ANY(%(exclude)s::bigint[]))
        WHERE ST_Intersects(a.geom, p.{column}) AND NOT ST_Touches(a.geom, p.{column})
    )
    SELECT idx, other_idx, parcel_id, code, area FROM pairs WHERE area > %(tol)s
    ORDER BY idx, other_idx NULLS LAST, code
    """  # noqa: S608 - table and column names come from _OVERLAP_TABLES
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [Overlap(*row) for row in cur.fetchall()]


def outside_boundary(
    *,
    boundary_table: str,
    boundary_column: str,
    boundary_id: int,
    shapes: Sequence[tuple[int, bytes]],
    tolerance_m2: float,
) -> dict[int, float]:
    """For each candidate not within a stored boundary, the area (m²) that lies outside.

    A candidate counts as outside when more than the tolerance lies outside, or when its point on
    surface does (so a shape that is tiny because it was drawn in the wrong CRS is caught too).
    """
    if not shapes:
        return {}
    tables = {
        ("parcels_organisation", "boundary"),
        ("parcels_village", "boundary"),
        ("parcels_parcel", "geom"),
    }
    if (boundary_table, boundary_column) not in tables:
        raise ValueError("unknown boundary table")
    sql = (
        _CANDIDATES
        + f"""
    SELECT c.idx, ST_Area(ST_Difference(c.geom, b.{boundary_column})::geography) AS outside,
           ST_Intersects(ST_PointOnSurface(c.geom), b.{boundary_column}) AS anchored
    FROM cand c, {boundary_table} b
    WHERE b.id = %(bid)s AND NOT ST_CoveredBy(c.geom, b.{boundary_column})
    """  # noqa: S608 - table and column come from the allow-list above
    )
    with connection.cursor() as cur:
        cur.execute(sql, {"idx": [i for i, _ in shapes], "wkb": [w for _, w in shapes], "bid": boundary_id})
        return {idx: area for idx, area, anchored in cur.fetchall() if area > tolerance_m2 or not anchored}


def villages_for_points(*, organisation_id: int, points: Sequence[tuple[int, bytes]]) -> dict[int, int]:
    """The village id containing each candidate (point or polygon: the polygon's point on surface)."""
    if not points:
        return {}
    sql = (
        _CANDIDATES
        + """
    SELECT DISTINCT ON (c.idx) c.idx, v.id
    FROM cand c JOIN parcels_village v
      ON v.organisation_id = %(org)s AND ST_Intersects(v.boundary, ST_PointOnSurface(c.geom))
    ORDER BY c.idx, v.number
    """
    )
    with connection.cursor() as cur:
        cur.execute(
            sql, {"idx": [i for i, _ in points], "wkb": [w for _, w in points], "org": organisation_id}
        )
        return dict(cur.fetchall())


def geodesic_areas(shapes: Sequence[tuple[int, bytes]]) -> dict[int, float]:
    """Ellipsoidal area in m² of each candidate."""
    if not shapes:
        return {}
    sql = _CANDIDATES + "SELECT idx, ST_Area(geom::geography) FROM cand"
    with connection.cursor() as cur:
        cur.execute(sql, {"idx": [i for i, _ in shapes], "wkb": [w for _, w in shapes]})
        return dict(cur.fetchall())


def split_polygon_by_line(*, polygon_wkb: bytes, line_wkb: bytes) -> list[bytes]:
    """The pieces of a (multi)polygon cut by a line (``ST_Split``), as WKB polygons, largest first."""
    sql = """
    WITH parts AS (
        SELECT (ST_Dump(ST_Split(ST_SetSRID(ST_GeomFromWKB(%(poly)s), 4326),
                                 ST_SetSRID(ST_GeomFromWKB(%(line)s), 4326)))).geom AS geom
    )
    SELECT ST_AsBinary(geom) FROM parts WHERE ST_Area(geom::geography) > 0
    ORDER BY ST_Area(geom::geography) DESC
    """
    with connection.cursor() as cur:
        cur.execute(sql, {"poly": polygon_wkb, "line": line_wkb})
        return [bytes(row[0]) for row in cur.fetchall()]


def union_polygons(wkbs: Sequence[bytes]) -> bytes:
    """The union of polygons (``ST_Union``), snapped to remove slivers along shared edges."""
    sql = """
    SELECT ST_AsBinary(ST_Multi(ST_Union(ST_SetSRID(ST_GeomFromWKB(w), 4326))))
    FROM unnest(%(wkb)s::bytea[]) AS t(w)
    """
    with connection.cursor() as cur:
        cur.execute(sql, {"wkb": list(wkbs)})
        return bytes(cur.fetchone()[0])
