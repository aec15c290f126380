"""Vector tiles of the register: the one module of hand-written MVT SQL.

Each layer is one parameterised query over the stored EPSG:3857 geometry (a generated column with
its own GiST index): a ``&&`` bounding-box filter on the tile envelope (plus a small margin so that
shapes crossing the edge are clipped, not cut short), the organisation scope, a feature cap, then
``ST_AsMVTGeom`` and ``ST_AsMVT``. Table and column names come from :data:`LAYERS` (an allow-list in
this module), never from a request; every value is a bound parameter.

Attributes carry only what the map styles and labels need. Nothing personal is ever selected: no
owner names, national IDs, phone numbers or document numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

EXTENT = 4096
BUFFER = 64  # tile pixels of margin around the tile, as ST_AsMVTGeom's buffer


@dataclass(frozen=True)
class Layer:
    name: str
    table: str
    geom: str  # the EPSG:3857 column
    columns: str  # SELECT list of attributes (aliases are the MVT attribute names)
    where: str  # extra filter (status)
    minzoom: int
    maxzoom: int  # the deepest zoom served; the map over-zooms the last level beyond it
    cap: int  # most features in one tile
    join: str = ""


LAYERS: dict[str, Layer] = {
    "villages": Layer(
        name="villages",
        table="parcels_village",
        geom="boundary_3857",
        columns="t.id, t.number, t.name_th, t.name_en",
        where="TRUE",
        minzoom=8,
        maxzoom=16,
        cap=500,
    ),
    "parcels": Layer(
        name="parcels",
        table="parcels_parcel",
        geom="geom_3857",
        columns=(
            "t.id, t.code, t.doc_type, t.version, v.number AS village,"
            # A parcel cut by tile edges is labelled once: in the tile holding its point on surface.
            " ST_Intersects(ST_PointOnSurface(t.geom_3857), b.env) AS label,"
            " (SELECT lu.category FROM parcels_landuseportion lu WHERE lu.parcel_id = t.id"
            "  ORDER BY lu.share_percent DESC, lu.category LIMIT 1) AS land_use"
        ),
        join="LEFT JOIN parcels_village v ON v.id = t.village_id",
        where="t.status = 'active'",
        minzoom=14,
        maxzoom=18,
        cap=20_000,
    ),
    "buildings": Layer(
        name="buildings",
        table="parcels_building",
        geom="footprint_3857",
        columns="t.id, t.number, t.building_type, t.material, t.storeys, t.version",
        where="t.status = 'active'",
        minzoom=15,
        maxzoom=18,
        cap=20_000,
    ),
    "households": Layer(
        name="households",
        table="parcels_household",
        geom="location_3857",
        columns="t.id, t.house_number, v.number AS village, t.version",
        join="JOIN parcels_village v ON v.id = t.village_id",
        where="t.status = 'active'",
        minzoom=15,
        maxzoom=18,
        cap=20_000,
    ),
}


def layer_sql(layer: Layer) -> str:
    """The MVT query of a layer; parameters z, x, y, margin (metres), orgs (bigint[] or NULL), cap."""
    return f"""
    WITH bounds AS (
        SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env,
               ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s) AS query_env
    ), rows AS (
        SELECT ST_AsMVTGeom(t.{layer.geom}, b.env, {EXTENT}, {BUFFER}, true) AS geom, {layer.columns}
        FROM {layer.table} t
        CROSS JOIN bounds b
        {layer.join}
        WHERE t.{layer.geom} && b.query_env
          AND (%(orgs)s::bigint[] IS NULL OR t.organisation_id = ANY(%(orgs)s::bigint[]))
          AND {layer.where}
        LIMIT %(cap)s
    )
    SELECT ST_AsMVT(rows.*, %(layer)s, {EXTENT}, 'geom', 'id') FROM rows WHERE rows.geom IS NOT NULL
    """  # noqa: S608 - identifiers come from LAYERS above, values are bound parameters


def tile_params(layer: Layer, z: int, x: int, y: int, organisation_ids: Sequence[int] | None) -> dict:
    return {
        "z": z,
        "x": x,
        "y": y,
        # ST_TileEnvelope's margin is a fraction of the tile's width.
        "margin": BUFFER / EXTENT,
        "orgs": None if organisation_ids is None else list(organisation_ids),
        "cap": layer.cap,
        "layer": layer.name,
    }


def in_range(z: int, x: int, y: int) -> bool:
    return 0 <= z <= 24 and 0 <= x < 2**z and 0 <= y < 2**z


def render_tile(layer_name: str, z: int, x: int, y: int, organisation_ids: Sequence[int] | None) -> bytes:
    """The MVT bytes of one tile of a layer, limited to the organisations given (None: all)."""
    layer = LAYERS[layer_name]
    if not in_range(z, x, y) or z < layer.minzoom or z > layer.maxzoom:
        return b""
    if organisation_ids is not None and not organisation_ids:
        return b""
    with connection.cursor() as cur:
        cur.execute(layer_sql(layer), tile_params(layer, z, x, y, organisation_ids))
        row = cur.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""
