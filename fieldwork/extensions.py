"""Further layers a packet can carry, registered by the apps that own them.

The register's own layers (parcels, buildings, households) are in :mod:`fieldwork.schema`. Another
app adds a layer to every packet by registering a :class:`PacketLayer` in its ``AppConfig.ready()``:
the layer's columns (a :class:`~fieldwork.schema.LayerSpec`, e.g. with a ``decision`` value list of
confirm / reject), the rows of a village, and what a change made in the field does at check-in. The
packet writer, the QGIS project (forms and value lists), the check-in reader and the merge treat it
like the register's layers; its changes go through its ``on_change`` (in their own savepoint: a
refusal is kept with the reason, the rest of the packet merges).

Meant for the imagery's open review candidates (buildings found on the orthomosaic, to confirm or
reject in the field) once that feature exists; nothing registers a layer yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .schema import LAYERS_BY_NAME, LayerSpec


@dataclass(frozen=True)
class PacketLayer:
    spec: LayerSpec
    # The village's rows: each a dict of the spec's columns plus "src_id" (the app's own row id),
    # "version" (anything that changes when the row changes) and "wkb" (EPSG:4326 geometry as WKB).
    rows: Callable[[Any], list[dict[str, Any]]]
    # A feature the team changed: (change, user, reason) → None; raise DomainError to refuse it.
    # ``change`` is a fieldwork.merge.FeatureChange (changed fields, packet and field values).
    on_change: Callable[[Any, Any, str], None]


_LAYERS: dict[str, PacketLayer] = {}


def register_layer(layer: PacketLayer) -> None:
    if layer.spec.name in LAYERS_BY_NAME:
        raise ValueError(f"{layer.spec.name} is one of the register's own layers")
    _LAYERS[layer.spec.name] = layer


def extra_layers() -> list[PacketLayer]:
    return list(_LAYERS.values())


def extra_layer(name: str) -> PacketLayer | None:
    return _LAYERS.get(name)


def spec_of(name: str) -> LayerSpec | None:
    """The spec of any packet layer, the register's or a registered one."""
    if name in LAYERS_BY_NAME:
        return LAYERS_BY_NAME[name]
    layer = _LAYERS.get(name)
    return layer.spec if layer else None
