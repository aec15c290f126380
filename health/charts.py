"""Inline SVG for the larval survey pages: the village map of households and the index trend chart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from gis_portal.svgmap import Frame, frame_around

from .larval import INDICES, Indices


@dataclass
class VillageMap:
    frame: Frame
    outline: str
    houses: list[dict[str, Any]]
    radius: float


def village_map(village: Any, houses: Sequence[Mapping[str, Any]]) -> VillageMap:
    """The village outline and its households as dots: red = larvae found, green = none, grey = not yet."""
    boundary = village.boundary_3857
    extents = [boundary.extent] + [(h["x"], h["y"], h["x"], h["y"]) for h in houses]
    frame = frame_around(extents, margin=1.05)
    return VillageMap(
        frame=frame,
        outline=frame.path(boundary),
        houses=[
            {**h, "cx": frame.point(h["x"], h["y"])[0], "cy": frame.point(h["x"], h["y"])[1]} for h in houses
        ],
        radius=frame.radius(0.008),
    )


CHART_W, CHART_H, PAD_L, PAD_B, PAD_T = 320, 180, 34, 24, 10
COLOURS = {"HI": "#c62828", "CI": "#1565c0", "BI": "#6a1b9a"}


def _month_label(month: date, lang: str) -> str:
    year = month.year + (0 if lang == "en" else 543)
    return f"{month.month}/{str(year)[-2:]}"


def trend_chart(series: Sequence[Indices], limits: Mapping[str, Decimal], lang: str = "th") -> dict[str, Any]:
    """Polylines of HI, CI and BI by month with dashed threshold lines, in a 320×180 viewBox."""
    months = sorted({s.month for s in series})
    if not months:
        return {"empty": True}
    values = [s.value(i) for s in series for i in INDICES if s.value(i) is not None]
    top = max([Decimal(10), *values, *[v for v in limits.values()]])
    top = Decimal(int(top / 10 + 1) * 10)
    inner_w = CHART_W - PAD_L - 6
    inner_h = CHART_H - PAD_B - PAD_T
    step = inner_w / max(len(months) - 1, 1)

    def x(month: date) -> float:
        return round(PAD_L + months.index(month) * step, 1)

    def y(value: Decimal) -> float:
        return round(PAD_T + inner_h - float(value / top) * inner_h, 1)

    lines = []
    for index in INDICES:
        pts = [(x(s.month), y(s.value(index)), s.value(index)) for s in series if s.value(index) is not None]
        lines.append(
            {
                "index": index,
                "colour": COLOURS[index],
                "points": " ".join(f"{px},{py}" for px, py, _ in pts),
                "dots": [{"x": px, "y": py, "v": v} for px, py, v in pts],
            }
        )
    return {
        "empty": False,
        "w": CHART_W,
        "h": CHART_H,
        "lines": lines,
        "limits": [
            {"index": i, "y": y(v), "v": v, "colour": COLOURS[i]} for i, v in limits.items() if v <= top
        ],
        "ticks": [{"y": y(top * k / 4), "v": (top * k / 4).quantize(Decimal("1"))} for k in range(5)],
        "months": [{"x": x(m), "label": _month_label(m, lang)} for m in months],
        "axis_x": PAD_L,
        "axis_y": PAD_T + inner_h,
        "right": CHART_W - 6,
    }
