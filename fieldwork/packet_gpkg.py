"""The packet's GeoPackage of register layers, and its identity (``packet_info``).

Layers are written with pyogrio in the order of their rows, so feature ids run 1..n as in the
packet's snapshot; the ``packet_info`` table names the packet, its organisation and village, and
carries a signature (HMAC with the server's secret) that a check-in verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

from .schema import FORMAT_VERSION, INFO_TABLE, PACKET_SRID, LayerSpec

PANDAS_TYPES = {"int": "Int64", "float": "float64", "text": "object"}


def packet_signature(packet_uuid: str, organisation_slug: str, village_number: int) -> str:
    message = f"fieldpacket:{FORMAT_VERSION}:{packet_uuid}:{organisation_slug}:{village_number}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _frame(spec: LayerSpec, rows: Sequence[dict[str, Any]]) -> Any:
    import geopandas as gpd
    import pandas as pd
    import shapely

    data = {
        c.name: pd.Series([row.get(c.name) for row in rows], dtype=PANDAS_TYPES[c.kind]) for c in spec.columns
    }
    if spec.geometry is None:
        return pd.DataFrame(data)
    geoms = shapely.from_wkb([row["wkb"] for row in rows]) if rows else []
    return gpd.GeoDataFrame(data, geometry=list(geoms), crs=PACKET_SRID)


def write_layer(path: Path, spec: LayerSpec, rows: Sequence[dict[str, Any]]) -> None:
    import pyogrio

    quiet = logging.getLogger("pyogrio")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        kwargs: dict[str, Any] = {"layer": spec.name, "driver": "GPKG", "append": False}
        if not path.exists():
            # GeoPackage 1.2: what GDAL 3.6 (QGIS 3.22 on Debian 12) and QField read without a warning.
            kwargs["dataset_options"] = {"VERSION": "1.2"}
        if spec.geometry:
            kwargs["geometry_type"] = spec.geometry
            kwargs["layer_options"] = {"SPATIAL_INDEX": "YES", "IDENTIFIER": spec.title}
        pyogrio.write_dataframe(_frame(spec, rows), path, **kwargs)
    finally:
        quiet.setLevel(level)


def write_info(path: Path, info: dict[str, Any]) -> None:
    import pandas as pd
    import pyogrio

    frame = pd.DataFrame({key: [value] for key, value in info.items()})
    pyogrio.write_dataframe(frame, path, layer=INFO_TABLE, driver="GPKG")


def packet_info(packet: Any) -> dict[str, Any]:
    return {
        "packet_uuid": str(packet.uuid),
        "packet_id": packet.pk,
        "organisation_slug": packet.organisation.slug,
        "organisation_name": packet.organisation.name_th,
        "village_no": packet.village.number,
        "village_name": packet.village.name_th,
        "made_at": packet.created_at.isoformat(),
        "made_by": packet.created_by.get_username() if packet.created_by else "",
        "format_version": FORMAT_VERSION,
        "signature": packet_signature(str(packet.uuid), packet.organisation.slug, packet.village.number),
    }
