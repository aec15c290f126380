"""Small maps drawn server-side as inline SVG (a few KB, no map library, no tiles).

Geometries come in EPSG:3857 metres; the SVG's user units are metres too, with y flipped and the
origin at the frame's top-left corner, so a page can turn a tap back into a coordinate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


def svg_path(geom: Any, ox: float, oy: float) -> str:
    """SVG path data for a (multi)polygon in EPSG:3857, y flipped, relative to (ox, oy), in metres."""
    parts = []
    polygons = geom if geom.geom_type == "MultiPolygon" else [geom]
    for poly in polygons:
        for ring in poly:
            coords = ring.coords
            pts = " ".join(f"{x - ox:.1f},{oy - y:.1f}" for x, y in coords[:-1])
            parts.append(f"M{pts}Z")
    return "".join(parts)


@dataclass(frozen=True)
class Frame:
    """A square frame around some geometries: ``x_svg = x - ox``, ``y_svg = oy - y`` (metres)."""

    ox: float
    oy: float
    size: float

    @property
    def view_box(self) -> str:
        return f"0 0 {self.size:.1f} {self.size:.1f}"

    def point(self, x: float, y: float) -> tuple[float, float]:
        return round(x - self.ox, 1), round(self.oy - y, 1)

    def path(self, geom: Any) -> str:
        return svg_path(geom, self.ox, self.oy)

    def radius(self, fraction: float) -> float:
        """A marker radius as a fraction of the frame (keeps markers readable at any zoom)."""
        return round(self.size * fraction, 1)


def frame_around(
    extents: Iterable[tuple[float, float, float, float]], *, margin: float = 1.1, minimum: float = 80.0
) -> Frame:
    """The square frame holding every ``(xmin, ymin, xmax, ymax)`` extent (EPSG:3857), with a margin."""
    boxes = list(extents)
    if not boxes:
        raise ValueError("nothing to frame")
    minx = min(b[0] for b in boxes)
    miny = min(b[1] for b in boxes)
    maxx = max(b[2] for b in boxes)
    maxy = max(b[3] for b in boxes)
    size = max(maxx - minx, maxy - miny, minimum) * margin
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    return Frame(ox=cx - size / 2, oy=cy + size / 2, size=size)
