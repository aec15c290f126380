"""The Pang Mu demo register: a deterministic, plausible register generated on the real tambon.

Only the tambon boundary is real (OCHA / Royal Thai Survey Department, see docs/DEMO_DATA.md);
villages, roads, parcels, buildings, households and people are generated from a seed, so the same
seed always gives the same register.

The work is split in two:
- *planning* (pure functions, no database): village partition, roads, parcels and buildings in UTM
  47N metres with shapely, then households, people and rights;
- *writing*: villages and parcels go through the real import path (:mod:`parcels.importers`, from a
  temporary GeoPackage), the rest is bulk-created with history, and two set-based PostGIS checks
  confirm that buildings lie on their parcels and households in their villages.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import Difference
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import transaction
from django.db.models import F, ProtectedError, RestrictedError, Sum
from django.db.models.deletion import Collector
from django.test.utils import override_settings
from django.utils import timezone
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import sql
from .geometry import as_multipolygon
from .importers import ImportReport, import_parcels, import_villages
from .models import (
    Building,
    BuildingRight,
    BuildingUsePortion,
    GeodesicArea,
    Household,
    LandDocType,
    LandUsePortion,
    Organisation,
    Parcel,
    ParcelLineage,
    ParcelRight,
    Party,
    PartyKind,
    RightType,
    Village,
)
from .validators import national_id_check_digit

DEFAULT_SEED = 2569
DEFAULT_HOUSEHOLDS = 2500
CHANGE_REASON = "seed_demo"
UTM_SRID = 32647
TAMBON_FILE = "pang_mu_tambon_ocha.geojson"
TAMBON_PCODE = "TH580104"
# Ages and "years unused" are computed on 1 January of tax year 2569 (2026 CE), not on today's
# date, so that a seed gives the same register whenever it is run.
REFERENCE_DATE = date(2026, 1, 1)

ORGANISATION = {
    "slug": "pangmu",
    "dla_code": "6580104",  # illustrative: verify against the DLA's list of LAO codes
    "name_th": "องค์การบริหารส่วนตำบลปางหมู",
    "name_en": "Pang Mu Subdistrict Administrative Organisation",
    "tambon_code": "580104",
    "address": "184 หมู่ 3 ตำบลปางหมู อำเภอเมืองแม่ฮ่องสอน จังหวัดแม่ฮ่องสอน",
    "phone": "053-613341",
    "utm_srid": UTM_SRID,
}

Say = Callable[[str], None]


class DemoDataMissing(FileNotFoundError):
    """The real tambon boundary the demo is built on is not where settings say it is."""


class DemoSeedError(RuntimeError):
    """The generated register failed one of its own checks (a bug in the generator)."""


# --- villages ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VillageSpec:
    """A generated village: its centre in the valley, its main road direction and its people."""

    number: int
    name_th: str
    name_en: str
    lon: float
    lat: float
    axis_deg: float  # direction of the valley road, degrees counter-clockwise from east
    weight: float  # relative number of households
    groups: tuple[tuple[str, float], ...]  # ethnic mix of the names
    school: bool = False


# หมู่ที่ 1 is บ้านปางหมู (DOMAIN.md); the other names are generated and must be checked against the
# office's list. Centres follow the Pai valley and the main road north and south of the office.
# number, Thai name, English name, centre (lon, lat), valley direction, household weight, ethnic mix
_VILLAGE_TABLE = (
    (1, "บ้านปางหมู", "Ban Pang Mu", 97.957, 19.338, 80, 1.5, "taiyai .8 muang .15 karen .05"),
    (2, "บ้านทุ่งมะส้าน", "Ban Thung Ma San", 97.968, 19.352, 70, 1.2, "taiyai .6 muang .3 karen .1"),
    (3, "บ้านสบสอย", "Ban Sop Soi", 97.967, 19.324, 95, 1.3, "taiyai .5 muang .3 karen .2"),
    (4, "บ้านห้วยเดื่อ", "Ban Huai Duea", 97.978, 19.368, 60, 1.0, "karen .5 taiyai .3 muang .2"),
    (5, "บ้านห้วยขาน", "Ban Huai Khan", 97.992, 19.384, 50, 0.8, "karen .6 lisu .2 taiyai .2"),
    (6, "บ้านนาป่าก่อ", "Ban Na Pa Ko", 97.946, 19.318, 110, 1.1, "taiyai .5 muang .4 karen .1"),
    (7, "บ้านไม้สะเป่", "Ban Mai Sa Pe", 97.943, 19.298, 100, 1.0, "taiyai .85 muang .15"),
    (8, "บ้านห้วยผึ้ง", "Ban Huai Phueng", 97.962, 19.276, 20, 0.8, "karen .6 taiyai .4"),
    (9, "บ้านนาปลาจาด", "Ban Na Pla Chat", 97.992, 19.302, 80, 1.0, "taiyai .6 muang .4"),
    (10, "บ้านห้วยมะเขือส้ม", "Ban Huai Makhuea Som", 97.925, 19.338, 170, 0.8, "karen .7 taiyai .3"),
    (11, "บ้านปางตอง", "Ban Pang Tong", 97.895, 19.350, 160, 0.6, "hmong .5 lisu .3 taiyai .2"),
    (12, "บ้านดอยแสง", "Ban Doi Saeng", 97.942, 19.366, 120, 0.6, "lisu .6 hmong .2 karen .2"),
    (13, "บ้านห้วยแก้ว", "Ban Huai Kaeo", 98.012, 19.332, 20, 0.7, "hmong .5 karen .3 muang .2"),
)
_SCHOOL_VILLAGES = frozenset({1, 3, 4, 7, 9, 11, 13})


def _mix(text: str) -> tuple[tuple[str, float], ...]:
    words = text.split()
    return tuple((name, float(share)) for name, share in zip(words[::2], words[1::2], strict=True))


VILLAGES: tuple[VillageSpec, ...] = tuple(
    VillageSpec(number, th, en, lon, lat, axis, weight, _mix(mix), number in _SCHOOL_VILLAGES)
    for number, th, en, lon, lat, axis, weight, mix in _VILLAGE_TABLE
)


# --- names (generated; several ethnic groups of Mae Hong Son) -----------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_MODERN_MALE = _words(
    "ธนากร ณัฐวุฒิ กิตติพงษ์ ภานุวัฒน์ ศุภชัย อนุชา วีรยุทธ ชยพล ธนวัฒน์ ปิยะพงษ์ กฤษดา สุรเชษฐ์ ภูมิพัฒน์ ธีรภัทร "
    "พงศกร ณัฐพล อภิสิทธิ์ จิรายุ"
)
_MODERN_FEMALE = _words(
    "สุภาวดี ณัฐธิดา กมลชนก พิมพ์ชนก ศิริพร อรอุมา วรรณิษา จิราพร ปวีณา ธิดารัตน์ สุดารัตน์ นันทนา ชลธิชา "
    "กัญญารัตน์ พรรณนภา ภัทรวดี ปาริชาติ อริสา"
)
# Per group and purpose, the parts a name is composed of, each a space-separated list of options
# (a Tai Yai man's name is จาย + one syllable, a surname two syllables, ...), so names vary but stay in
# character. Hill-tribe clan surnames (แซ่...) are whole names.
_NAME_PARTS: dict[str, dict[str, tuple[str, ...]]] = {
    "taiyai": {
        "male": ("จาย", "คำ แสง ทุน หล้า อ่อง ส่างคำ จ่าง เมือง ปัน ลู หนุ่ม ก้อน ยอด นวล จิ่ง ส่าง แก้ว สุข มั่น ติ"),
        "female": ("คำ หอม นวล ปิ่น แสง เฮือน ใส อ่อน ปาน เงิน ฟอง บัว", "แสง คำ นวล แก้ว จันทร์ หอม ศรี เงิน ใส ปิ่น"),
        "surname": (
            "คำ แสง จันทร์ ก๋อง ปัน ส่าง หมื่น ไชย หลวง ยอด ทุน อ่อง",
            "แก้ว คำ ใจ มูล วงศ์ หล้า เมือง ปัญญา จิต สุข ยอด",
        ),
    },
    "muang": {
        "male": ("สม บุญ อิน ปัน คำ ศรี ทอง แก้ว จันทร์ อุ่น", "ศักดิ์ มา ตา เรือง ชัย ยศ วงศ์ แสง หล้า เป็ง"),
        "female": ("บุญ จันทร์ ศรี บัว สม แสง ทอง ดวง คำ พิม", "ศรี เพ็ญ นวล แก้ว พร ดาว ใบ ใจ ผัน พา"),
        "surname": ("อิน ปัน คำ ใจ ธิ กัน ศรี สุ ยา แก้ว บุญ ทอง", "ต๊ะ ยา วงศ์ มา วิชัย ทะ ใจ มูล เรือน ปัญญา คำ สุข"),
    },
    "karen": {
        "male": ("จ่อ ดิ ทู พะ ลา ซอ เก ปู โพ", "แฮ เล โพ หมื่อ ทอ บี ปอ เส่ง ลู วา"),
        "female": ("หน่อ มึ นอ มือ พอ เอ", "ลา แฮ บือ เหม่ ปอ หมื่อ วา ทู ลู"),
        "surname": ("ไพร พนา คีรี ภู ดอย สาย ธารา ห้วย ผา", "พนา สันติ สุข วัน ทอง งาม รักษ์ ใส เขียว ธาร"),
    },
    "lisu": {
        "male": ("อา", "เหล่ หมื่อ ซอ เบ เล โหย่ จา ผะ ยี่ ลุ"),
        "female": ("อา หมี่", "เมียะ จู ฟู หมี่ ซา มา ลี เย"),
        "surname": ("แซ่ลี แซ่หมี่ แซ่ย่าง แซ่ฟู แซ่จู แซ่หว่าง แซ่เลา ลีเจริญ หมี่สกุล ย่างพนา ฟูสกุล",),
    },
    "hmong": {
        "male": ("ชัย ยิ่ง เปา ซัว จ๋อ ไซ หลง ต๋ง เหน่ง ไค เจ ปอ ทอง ก๋า",),
        "female": ("หมี เพ้ง ซี ไม ยัว เกีย ตั๊ว หนู ม้าย ปลา ลี",),
        "surname": ("แซ่ย่าง แซ่ลี แซ่ว่าง แซ่โซ้ง แซ่ท้าว แซ่ม้า แซ่เฒ่า แซ่หาง แซ่จาง ย่างยืนยง ลีสกุลไพร ว่างพนา",),
    },
}
_NAMES: dict[str, dict[str, tuple[tuple[str, ...], ...]]] = {
    group: {purpose: tuple(_words(part) for part in parts) for purpose, parts in purposes.items()}
    for group, purposes in _NAME_PARTS.items()
}


def _compose(rng: random.Random, parts: tuple[tuple[str, ...], ...]) -> str:
    return "".join(rng.choice(p) for p in parts)


def _given_name(rng: random.Random, group: str, sex: str, age: int) -> str:
    # Younger people in every group often carry a Thai name chosen at registration.
    if age < 35 and rng.random() < 0.55:
        return rng.choice(_MODERN_MALE if sex == "M" else _MODERN_FEMALE)
    return _compose(rng, _NAMES[group]["male" if sex == "M" else "female"])


def _surname(rng: random.Random, group: str) -> str:
    return _compose(rng, _NAMES[group]["surname"])


# --- small helpers ------------------------------------------------------------------------------------


def _rng(seed: int, *keys: object) -> random.Random:
    """An independent, reproducible random stream per purpose (str seeds do not depend on hashing)."""
    return random.Random(":".join(str(k) for k in (seed, *keys)))


def _weighted(rng: random.Random, choices: Sequence[tuple[Any, float]]) -> Any:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder), so the parts add up exactly."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - parts[i], -i), reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _angle_diff(a: float, b: float) -> float:
    return (a - b + math.pi) % (2 * math.pi) - math.pi


def _block_letters(i: int) -> str:
    """A, B, ..., Z, AA, AB, ...: the LTAX block of the i-th road of a village."""
    return chr(65 + i) if i < 26 else chr(64 + i // 26) + chr(65 + i % 26)


def _transformer(src: int, dst: int) -> Callable[[np.ndarray], np.ndarray]:
    tr = Transformer.from_crs(src, dst, always_xy=True)

    def apply(xy: np.ndarray) -> np.ndarray:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return apply


_TO_UTM = _transformer(4326, UTM_SRID)
_TO_LL = _transformer(UTM_SRID, 4326)


def to_utm(geom: Any) -> Any:
    return shapely.transform(geom, _TO_UTM)


def to_lonlat(geom: Any) -> Any:
    return shapely.transform(geom, _TO_LL)


def load_tambon(path: Path | None = None) -> Polygon | MultiPolygon:
    """The real Pang Mu tambon polygon (EPSG:4326) from ``settings.SHARED_DATA_DIR``."""
    path = path or Path(settings.SHARED_DATA_DIR) / TAMBON_FILE
    if not path.exists():
        raise DemoDataMissing(
            f"The Pang Mu tambon boundary {path} is missing; set SHARED_DATA_DIR "
            f"(now {settings.SHARED_DATA_DIR}) to the folder holding {TAMBON_FILE}"
        )
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    feature = next((f for f in features if f["properties"].get("ADM3_PCODE") == TAMBON_PCODE), None)
    if feature is None:
        raise DemoSeedError(f"{path} has no feature with ADM3_PCODE {TAMBON_PCODE}")
    geom = shapely.geometry.shape(feature["geometry"])
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    return geom


def _polygonal(geom: BaseGeometry) -> MultiPolygon:
    """The polygon parts of a geometry as a valid MultiPolygon (make_valid may add lines or points)."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and not g.is_empty]
    if not parts:
        parts = [
            g
            for sub in shapely.get_parts(geom)
            if hasattr(sub, "geoms")
            for g in sub.geoms
            if isinstance(g, Polygon)
        ]
    return MultiPolygon(parts)


# --- plan ---------------------------------------------------------------------------------------------


@dataclass
class VillagePlan:
    spec: VillageSpec
    centre: tuple[float, float]  # UTM
    boundary: MultiPolygon  # EPSG:4326, as imported
    boundary_utm: MultiPolygon
    households: int = 0


@dataclass
class Road:
    village_no: int
    index: int
    line: LineString  # UTM
    offset: float  # network distance of the road's start from the village centre (m)
    main: bool


@dataclass
class BuildingPlan:
    geom: Polygon  # UTM
    building_type: str
    material: str
    storeys: int
    year_built: int
    is_home: bool = False


@dataclass
class PlotPlan:
    village_no: int
    road: int
    s: float  # position along its road (m)
    side: int
    tier: int
    kind: str  # house, mixed, shop, vacant_lot, field, vacant_field, resort, mill, temple, school
    geom: Polygon  # UTM
    origin: tuple[float, float]
    u: tuple[float, float]  # along the road
    n: tuple[float, float]  # away from the road
    frontage: float
    depth: float
    code: str = ""
    doc_type: str = ""
    doc_number: str = ""
    declared: tuple[int, int, Decimal] | None = None
    land_use: str = ""
    years_unused: int = 0
    buildings: list[BuildingPlan] = field(default_factory=list)
    household: int | None = None  # index in DemoPlan.households
    holders: list[tuple[int, Fraction]] = field(default_factory=list)  # (party index, share)
    right_type: str = RightType.OWNERSHIP


@dataclass
class PartyPlan:
    kind: str
    national_id: str
    title: str = ""
    first_name: str = ""
    last_name: str = ""
    juristic_name: str = ""
    birth_date: date | None = None
    phone: str = ""
    household: int | None = None
    is_head: bool = False
    relation: str = ""  # head, spouse, child, grandchild or parent of the head


@dataclass
class HouseholdPlan:
    village_no: int
    house_number: str
    plot: int  # index in DemoPlan.plots
    members: list[int] = field(default_factory=list)  # party indexes, head first


@dataclass
class DemoPlan:
    seed: int
    villages: list[VillagePlan]
    roads: list[Road]
    plots: list[PlotPlan]
    households: list[HouseholdPlan]
    parties: list[PartyPlan]

    @property
    def buildings(self) -> int:
        return sum(len(p.buildings) for p in self.plots)


def plan_villages(tambon: Polygon | MultiPolygon, seed: int) -> list[VillagePlan]:
    """13 villages partitioning the tambon: Voronoi cells of the village centres, clipped to it.

    The cells are computed in UTM, their vertices projected to EPSG:4326 and then clipped to the
    *original* tambon polygon, so that the villages cover exactly the tambon (and so exclude the
    Chong Kham enclave) and share their edges exactly; each cell also has the earlier cells
    subtracted, so they cannot overlap even by rounding.
    """
    rng = _rng(seed, "village-centres")
    tambon_utm = to_utm(tambon)
    safe = tambon_utm.buffer(-400)
    centres = []
    for spec in VILLAGES:
        base = to_utm(shapely.Point(spec.lon, spec.lat))
        angle, dist = rng.uniform(0, 2 * math.pi), rng.uniform(0, 250)
        moved = shapely.Point(base.x + dist * math.cos(angle), base.y + dist * math.sin(angle))
        centres.append(moved if safe.contains(moved) else base)
    cells = shapely.voronoi_polygons(shapely.MultiPoint(centres), extend_to=tambon_utm.envelope.buffer(5000))
    by_centre = []
    for centre in centres:
        cell = next(c for c in cells.geoms if c.contains(centre))
        by_centre.append(cell)
    villages = []
    taken: BaseGeometry | None = None
    for spec, centre, cell in zip(VILLAGES, centres, by_centre, strict=True):
        clipped = to_lonlat(cell).intersection(tambon)
        if taken is not None:
            clipped = clipped.difference(taken)
        boundary = _polygonal(clipped)
        taken = boundary if taken is None else taken.union(boundary)
        villages.append(
            VillagePlan(
                spec=spec, centre=(centre.x, centre.y), boundary=boundary, boundary_utm=to_utm(boundary)
            )
        )
    return villages


# --- roads --------------------------------------------------------------------------------------------

ROAD_HALF_WIDTH = 3.5  # metres either side of the centre line kept free of parcels
STEP = 25.0


def _walk(
    rng: random.Random,
    inside: BaseGeometry,
    start: tuple[float, float],
    heading: float,
    length: float,
    *,
    wiggle_deg: float = 5.0,
    pull: float = 0.08,
    clear: Callable[[float, float, float, float], bool] | None = None,
) -> LineString | None:
    """A random walk that keeps a general direction (a road up a valley) and turns away from edges.

    ``clear(x0, y0, x1, y1)`` may refuse a step (a lane must not run through parcels placed already).
    """
    x, y = start
    points = [(x, y)]
    preferred = heading
    travelled = 0.0
    turns = (0, 20, -20, 40, -40, 65, -65, 90, -90)
    while travelled < length:
        heading += math.radians(rng.gauss(0, wiggle_deg)) + pull * _angle_diff(preferred, heading)
        sign = rng.choice((1, -1))
        for turn in turns:
            trial = heading + sign * math.radians(turn)
            nx, ny = x + STEP * math.cos(trial), y + STEP * math.sin(trial)
            if shapely.contains_xy(inside, nx, ny) and (clear is None or clear(x, y, nx, ny)):
                break
        else:
            break
        if turn:
            preferred = trial  # the valley bends: follow it
        heading, x, y = trial, nx, ny
        points.append((x, y))
        travelled += STEP
    return LineString(points) if len(points) >= 4 else None


def _road_inside(village: VillagePlan) -> BaseGeometry:
    inside = village.boundary_utm.buffer(-60)
    shapely.prepare(inside)
    return inside


def plan_main_roads(village: VillagePlan, seed: int) -> list[Road]:
    """3-5 roads from the village centre: two along the valley axis, the others up side valleys."""
    rng = _rng(seed, "roads", village.spec.number)
    inside = _road_inside(village)
    axis = math.radians(village.spec.axis_deg)
    headings = [axis, axis + math.pi]
    for _ in range(rng.randint(1, 3)):
        headings.append(axis + rng.choice((1, -1)) * math.radians(rng.uniform(50, 130)))
    roads: list[Road] = []
    start = village.centre
    if not shapely.contains_xy(inside, *start):
        point = village.boundary_utm.point_on_surface()
        start = (point.x, point.y)
    for heading in headings:
        line = _walk(rng, inside, start, heading, rng.uniform(2500, 5500))
        if line is not None:
            roads.append(Road(village.spec.number, len(roads), line, 0.0, main=True))
    return roads


def plan_lanes(
    village: VillagePlan,
    roads: list[Road],
    seed: int,
    round_no: int,
    count: int,
    clear: Callable[[float, float, float, float], bool] | None = None,
) -> list[Road]:
    """Side lanes (sois) branching off the existing roads, farther out in later rounds."""
    rng = _rng(seed, "lanes", village.spec.number, round_no)
    inside = _road_inside(village)
    lanes = []
    for _ in range(count * 6):
        if len(lanes) >= count:
            break
        parent = rng.choice(roads)
        length = parent.line.length
        reach = min(length - 50, 300 + 500 * round_no)
        if reach < 60:
            continue
        s = rng.uniform(40, reach)
        p0, p1 = parent.line.interpolate(s), parent.line.interpolate(min(s + 5, length))
        tangent = math.atan2(p1.y - p0.y, p1.x - p0.x)
        heading = tangent + rng.choice((1, -1)) * math.radians(90 + rng.gauss(0, 15))
        line = _walk(rng, inside, (p0.x, p0.y), heading, rng.uniform(250, 900), wiggle_deg=8, clear=clear)
        if line is not None:
            lanes.append(
                Road(village.spec.number, len(roads) + len(lanes), line, parent.offset + s, main=False)
            )
    return lanes


# --- parcels ------------------------------------------------------------------------------------------


class _Grid:
    """A grid index of shapes for 'is this candidate clear of everything placed so far?'."""

    def __init__(self, cell: float = 150.0) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.geoms: list[BaseGeometry] = []

    def _keys(self, bounds: tuple[float, float, float, float], pad: float) -> Iterable[tuple[int, int]]:
        minx, miny, maxx, maxy = bounds
        c = self.cell
        for i in range(math.floor((minx - pad) / c), math.floor((maxx + pad) / c) + 1):
            for j in range(math.floor((miny - pad) / c), math.floor((maxy + pad) / c) + 1):
                yield i, j

    def add(self, geom: BaseGeometry) -> None:
        idx = len(self.geoms)
        self.geoms.append(geom)
        for key in self._keys(geom.bounds, 0.0):
            self.cells[key].append(idx)

    def clear_of(self, geom: BaseGeometry, distance: float) -> bool:
        found: set[int] = set()
        for key in self._keys(geom.bounds, distance):
            found.update(self.cells.get(key, ()))
        if not found:
            return True
        near = [self.geoms[i] for i in sorted(found)]
        return not bool(shapely.dwithin(geom, near, distance).any())


PARCEL_GAP = 1.0  # metres kept between neighbouring parcels (fences, paths): no overlap after reprojection
SIZES = {  # frontage and depth ranges (m)
    "house": ((20, 40), (25, 60)),
    "mixed": ((20, 40), (25, 60)),
    "vacant_lot": ((20, 40), (25, 60)),
    "shop": ((14, 26), (20, 35)),
    "temple": ((70, 110), (80, 130)),
    "school": ((80, 120), (70, 110)),
    "mill": ((40, 60), (40, 60)),
}
RESIDENTIAL_KINDS = ("house", "mixed", "shop", "vacant_lot")
FIELD_KINDS = ("field", "vacant_field", "resort")


@dataclass
class _Cursor:
    road: Road
    side: int
    s: float

    def priority(self) -> tuple[float, int, int]:
        return (self.road.offset + self.s, self.road.index, self.side)


def _frame(
    line: LineString, s: float, frontage: float, side: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    if s + frontage > line.length:
        return None
    p0, p1 = line.interpolate(s), line.interpolate(s + frontage)
    dx, dy = p1.x - p0.x, p1.y - p0.y
    norm = math.hypot(dx, dy)
    if norm < frontage * 0.6:  # a hairpin: no straight frontage here
        return None
    u = np.array([dx / norm, dy / norm])
    n = np.array([-u[1], u[0]]) * side
    return np.array([p0.x, p0.y]), u, n


def _plot_shape(
    rng: random.Random,
    kind: str,
    base: np.ndarray,
    u: np.ndarray,
    n: np.ndarray,
    setback: float,
    frontage: float,
    depth: float,
) -> tuple[Polygon, np.ndarray]:
    a = base + n * setback
    b = a + u * frontage
    if kind in FIELD_KINDS:
        # Irregular fields: a quadrilateral or a pentagon with a bulging back edge.
        c = b + n * depth * rng.uniform(0.85, 1.15) + u * frontage * rng.uniform(-0.15, 0.15)
        d = a + n * depth * rng.uniform(0.85, 1.15) + u * frontage * rng.uniform(-0.15, 0.15)
        ring = [a, b, c, d]
        if rng.random() < 0.5:
            e = (c + d) / 2 + n * depth * rng.uniform(0.05, 0.2) + u * frontage * rng.uniform(-0.1, 0.1)
            ring = [a, b, c, e, d]
    else:
        jitter = 0.04 * frontage
        c = b + n * depth + u * rng.uniform(-jitter, jitter)
        d = a + n * depth + u * rng.uniform(-jitter, jitter)
        ring = [a, b, c, d]
    return Polygon([tuple(p) for p in ring]), a


def _size(rng: random.Random, kind: str) -> tuple[float, float]:
    if kind in ("field", "vacant_field", "resort"):
        # Resorts 2-6 rai; fields 1-15 rai, mostly small holdings.
        rai = rng.uniform(2, 6) if kind == "resort" else 1 + 14 * rng.betavariate(1.3, 3.2)
        area = rai * 1600
        frontage = min(200.0, max(30.0, math.sqrt(area) * rng.uniform(0.7, 1.4)))
        return frontage, area / frontage
    (f0, f1), (d0, d1) = SIZES[kind]
    return rng.uniform(f0, f1), rng.uniform(d0, d1)


class _Placer:
    """Places plots of one village along its roads, nearest the centre first, without overlaps."""

    def __init__(self, village: VillagePlan, roads: list[Road], rng: random.Random) -> None:
        self.village = village
        self.rng = rng
        inner = village.boundary_utm.buffer(-3.0)
        shapely.prepare(inner)
        self.inner = inner
        self.placed = _Grid()
        self.road_grid = _Grid()
        self.roads: list[Road] = []
        self.cursors: list[_Cursor] = []
        self.plots: list[PlotPlan] = []
        self.add_roads(roads)

    def lane_is_clear(self, x0: float, y0: float, x1: float, y1: float) -> bool:
        return self.placed.clear_of(LineString([(x0, y0), (x1, y1)]), ROAD_HALF_WIDTH + 0.5)

    def add_roads(self, roads: list[Road], start_gap: float = 0.0) -> None:
        for road in roads:
            self.roads.append(road)
            coords = list(road.line.coords)
            for k in range(0, len(coords) - 1, 8):  # register the road in short pieces
                self.road_grid.add(LineString(coords[k : k + 9]))
            for side in (1, -1):
                self.cursors.append(_Cursor(road, side, 12.0 + start_gap + self.rng.uniform(0, 15)))

    def try_place(self, kind: str, cursor: _Cursor, tier_behind: PlotPlan | None = None) -> PlotPlan | None:
        frontage, depth = _size(self.rng, kind)
        for attempt in range(2):
            if attempt:  # shrink once before giving up on this spot
                frontage, depth = frontage * 0.78, depth * 0.78
                if kind in ("house", "mixed", "vacant_lot") and (frontage < 20 or depth < 25):
                    frontage, depth = max(frontage, 20.0), max(depth, 25.0)
            if tier_behind is not None:
                base = np.array(tier_behind.origin)  # a field behind a field, reached by a farm track
                u, n = np.array(tier_behind.u), np.array(tier_behind.n)
                setback = tier_behind.depth * 1.2 + self.rng.uniform(2, 6)
            else:
                framed = _frame(cursor.road.line, cursor.s, frontage, cursor.side)
                if framed is None:
                    return None
                base, u, n = framed
                setback = self.rng.uniform(4.5, 7.0) if cursor.road.main else self.rng.uniform(4.0, 5.5)
            poly, origin = _plot_shape(self.rng, kind, base, u, n, setback, frontage, depth)
            if not poly.is_valid:
                continue
            if kind in FIELD_KINDS and poly.area < 1600:
                continue
            if not self.inner.contains(poly):
                continue
            if not self.road_grid.clear_of(poly, ROAD_HALF_WIDTH):
                continue
            if not self.placed.clear_of(poly, PARCEL_GAP):
                continue
            plot = PlotPlan(
                village_no=self.village.spec.number,
                road=cursor.road.index,
                s=cursor.s,
                side=cursor.side,
                tier=2 if tier_behind is not None else 1,
                kind=kind,
                geom=poly,
                origin=(origin[0], origin[1]),
                u=(u[0], u[1]),
                n=(n[0], n[1]),
                frontage=frontage,
                depth=depth,
            )
            self.placed.add(poly)
            self.plots.append(plot)
            return plot
        return None

    def fill(
        self, queue: list[str], *, skip: float, gap: tuple[float, float], second_tier: float = 0.0
    ) -> list[str]:
        """Place the kinds in ``queue`` at the cursor nearest the centre; return what did not fit."""
        queue = list(queue)
        while queue:
            live = [c for c in self.cursors if c.s < c.road.line.length - 15]
            if not live:
                break
            cursor = min(live, key=_Cursor.priority)
            kind = queue[0]
            plot = self.try_place(kind, cursor)
            if plot is None:
                cursor.s += skip
                continue
            queue.pop(0)
            cursor.s += plot.frontage + self.rng.uniform(*gap)
            if queue and queue[0] in FIELD_KINDS and self.rng.random() < second_tier:
                behind = self.try_place(queue[0], cursor, tier_behind=plot)
                if behind is not None:
                    queue.pop(0)
        return queue

    def jump(self, low: float, high: float) -> None:
        for cursor in self.cursors:
            cursor.s += self.rng.uniform(low, high)


@dataclass
class Quotas:
    """How many plots of each kind a village gets."""

    house: int
    mixed: int
    shop: int
    vacant_lot: int
    field: int
    vacant_field: int
    resort: int
    mill: int
    temple: int
    school: int


def village_quotas(villages: list[VillagePlan], households: int, seed: int) -> dict[int, Quotas]:
    rng = _rng(seed, "quotas")
    weights = [v.spec.weight * rng.uniform(0.85, 1.15) for v in villages]
    homes = _apportion(households, weights)
    fields = _apportion(round(households * 0.72), weights)
    vacant_lots = _apportion(round(households * 0.02), weights)
    vacant_fields = _apportion(round(households * 0.015), weights)
    shops = _apportion(max(2, round(households * 0.02)), weights)
    resorts = _apportion(
        max(1, round(households / 400)),
        [w * (1.6 if v.spec.number in (1, 2, 9) else 1.0) for v, w in zip(villages, weights, strict=True)],
    )
    quotas = {}
    for i, v in enumerate(villages):
        v.households = homes[i]
        mixed = round(homes[i] * 0.08)
        quotas[v.spec.number] = Quotas(
            house=homes[i] - mixed,
            mixed=mixed,
            shop=shops[i],
            vacant_lot=vacant_lots[i],
            field=fields[i],
            vacant_field=vacant_fields[i],
            resort=resorts[i],
            mill=1 if v.spec.number == 2 else 0,
            temple=1,
            school=1 if v.spec.school else 0,
        )
    return quotas


def plan_village_parcels(
    village: VillagePlan, quota: Quotas, seed: int, say: Say
) -> tuple[list[Road], list[PlotPlan]]:
    """Roads and plots of one village: civic plots, homes near the centre, fields farther out."""
    rng = _rng(seed, "parcels", village.spec.number)
    roads = plan_main_roads(village, seed)
    if not roads:
        raise DemoSeedError(f"village {village.spec.number}: no room for a road")
    homes = quota.house + quota.mixed + quota.shop + quota.vacant_lot
    roads += plan_lanes(village, roads, seed, 0, max(1, homes // 70))
    placer = _Placer(village, roads, rng)
    civic = ["temple"] * quota.temple + ["school"] * quota.school + ["mill"] * quota.mill
    left = placer.fill(civic, skip=15, gap=(3, 10))
    residential = ["house"] * quota.house + ["mixed"] * quota.mixed + ["vacant_lot"] * quota.vacant_lot
    rng.shuffle(residential)
    # Shops stand near the village centre.
    for k in range(quota.shop):
        residential.insert(min(len(residential), int(k * 15 + rng.uniform(0, 10))), "shop")
    left += placer.fill(residential, skip=8, gap=(1.5, 5))
    round_no = 1
    while any(k in RESIDENTIAL_KINDS for k in left) and round_no <= 8:
        lanes = plan_lanes(
            village, placer.roads, seed, round_no, max(2, len(left) // 25), placer.lane_is_clear
        )
        placer.add_roads(lanes)
        left = [k for k in left if k not in RESIDENTIAL_KINDS] + placer.fill(
            [k for k in left if k in RESIDENTIAL_KINDS], skip=8, gap=(1.5, 5)
        )
        round_no += 1
    farm = ["field"] * quota.field + ["vacant_field"] * quota.vacant_field + ["resort"] * quota.resort
    rng.shuffle(farm)
    placer.jump(30, 150)
    left += placer.fill(farm, skip=25, gap=(2, 12), second_tier=0.45)
    while any(k in FIELD_KINDS for k in left) and round_no <= 16:
        lanes = plan_lanes(
            village, placer.roads, seed, round_no, max(2, len(left) // 12), placer.lane_is_clear
        )
        placer.add_roads(lanes, start_gap=60)
        left = [k for k in left if k not in FIELD_KINDS] + placer.fill(
            [k for k in left if k in FIELD_KINDS], skip=25, gap=(2, 12), second_tier=0.45
        )
        round_no += 1
    if left:
        counts = {k: left.count(k) for k in sorted(set(left))}
        say(f"  village {village.spec.number}: no room left for {counts}")
    return placer.roads, placer.plots


def _assign_codes(plots: list[PlotPlan]) -> None:
    """LTAX codes: zone = village number, block = the road's letter, lot = sequence along the road."""
    by_road: dict[tuple[int, int], list[PlotPlan]] = defaultdict(list)
    for plot in plots:
        by_road[(plot.village_no, plot.road)].append(plot)
    for (village_no, road), members in by_road.items():
        members.sort(key=lambda p: (p.s, -p.side, p.tier))
        if len(members) > 999:
            raise DemoSeedError(f"road {village_no}/{road} has more than 999 lots")
        for lot, plot in enumerate(members, start=1):
            plot.code = f"{village_no:02d}{_block_letters(road)}{lot:03d}"


# --- documents, declared areas and land use ------------------------------------------------------------

DOC_MIX = {
    "residential": (
        (LandDocType.CHANOTE, 14),
        (LandDocType.NS3K, 12),
        (LandDocType.NS3, 5),
        (LandDocType.SK1, 4),
        (LandDocType.PBT5, 38),
        (LandDocType.NONE, 27),
    ),
    "farm": (
        (LandDocType.CHANOTE, 6),
        (LandDocType.NS3K, 8),
        (LandDocType.NS3, 5),
        (LandDocType.SK1, 5),
        (LandDocType.SPK401, 10),
        (LandDocType.PBT5, 36),
        (LandDocType.NONE, 30),
    ),
    "resort": ((LandDocType.CHANOTE, 6), (LandDocType.NS3K, 4)),
    "mill": ((LandDocType.NS3K, 1),),
    "temple": ((LandDocType.CHANOTE, 3), (LandDocType.NS3K, 2), (LandDocType.PBT5, 2), (LandDocType.NONE, 3)),
    "school": ((LandDocType.NONE, 1),),
}
_DOC_GROUP = {
    "house": "residential",
    "mixed": "residential",
    "shop": "residential",
    "vacant_lot": "residential",
    "field": "farm",
    "vacant_field": "farm",
    "resort": "resort",
    "mill": "mill",
    "temple": "temple",
    "school": "school",
}


def right_type_for(doc_type: str) -> str:
    """Title deeds give ownership; a land-reform permit a use right; the rest record possession."""
    if doc_type == LandDocType.CHANOTE:
        return RightType.OWNERSHIP
    if doc_type == LandDocType.SPK401:
        return RightType.USE
    return RightType.POSSESSION


def _declared(rng: random.Random, area_m2: float, doc_type: str) -> tuple[int, int, Decimal] | None:
    """A declared rai-ngan-wah a few per cent off the true area (old surveys, rounding)."""
    if doc_type == LandDocType.NONE and rng.random() < 0.3:
        return None
    spread = 0.015 if doc_type == LandDocType.CHANOTE else 0.035
    wah = Decimal(str(area_m2 * rng.uniform(1 - spread, 1 + spread) / 4))
    wah = wah.quantize(
        Decimal("0.1") if doc_type == LandDocType.CHANOTE else Decimal("1"), rounding=ROUND_HALF_UP
    )
    rai, rest = divmod(wah, 400)
    ngan, sqwah = divmod(rest, 100)
    return int(rai), int(ngan), sqwah.quantize(Decimal("0.1"))


def plan_documents(plots: list[PlotPlan], seed: int) -> None:
    rng = _rng(seed, "documents")
    numbers = {t: rng.randint(800, 9000) for t in LandDocType.values}
    for plot in plots:
        doc_type = _weighted(rng, DOC_MIX[_DOC_GROUP[plot.kind]])
        plot.doc_type = str(doc_type)
        if doc_type != LandDocType.NONE:
            numbers[doc_type] += rng.randint(1, 25)
            plot.doc_number = str(numbers[doc_type])
        plot.declared = _declared(rng, plot.geom.area, doc_type)
        plot.right_type = right_type_for(doc_type)
        if plot.kind == "house":
            plot.land_use = "residential"
        elif plot.kind == "mixed":
            share = rng.choice((60, 65, 70, 75, 80))
            plot.land_use = f"residential:{share};other:{100 - share}"
        elif plot.kind in ("shop", "resort", "mill"):
            plot.land_use = "other"
        elif plot.kind in ("vacant_lot", "vacant_field"):
            plot.land_use = "vacant"
            plot.years_unused = rng.choice((1, 1, 2, 2, 3, 4, 5, 6, 7, 9))
        elif plot.kind == "field":
            plot.land_use = "agricultural"
        else:
            plot.land_use = "exempt"


# --- buildings ----------------------------------------------------------------------------------------

BUILDING_MARGIN = 1.5  # metres between a footprint and its parcel's edge


def _material(rng: random.Random, year: int) -> str:
    if year < 1990:
        mix = (("wood", 55), ("mixed", 35), ("concrete", 10))
    elif year < 2010:
        mix = (("wood", 25), ("mixed", 40), ("concrete", 35))
    else:
        mix = (("wood", 10), ("mixed", 30), ("concrete", 60))
    return _weighted(rng, mix)


def _year(rng: random.Random, recent: float = 1.3) -> int:
    return min(2025, 1975 + int(51 * rng.betavariate(recent, 1.0)))


def _place_building(
    rng: random.Random,
    plot: PlotPlan,
    inner: BaseGeometry,
    others: list[Polygon],
    width: float,
    length: float,
    *,
    front: tuple[float, float] = (3.0, 12.0),
    tries: int = 20,
) -> Polygon | None:
    """A rectangle (``width`` along the road, ``length`` away from it) strictly inside the plot."""
    origin, u, n = np.array(plot.origin), np.array(plot.u), np.array(plot.n)
    for k in range(tries):
        if k and k % 6 == 0:
            width, length = width * 0.85, length * 0.85
        x0 = rng.uniform(BUILDING_MARGIN, max(BUILDING_MARGIN, plot.frontage - width - BUILDING_MARGIN))
        y_low = front[0] if k < tries // 2 else BUILDING_MARGIN
        y_high = max(
            y_low, min(front[1] if k < tries // 2 else plot.depth, plot.depth - length - BUILDING_MARGIN)
        )
        y0 = rng.uniform(y_low, y_high)
        a = origin + u * x0 + n * y0
        rect = Polygon(
            [tuple(a), tuple(a + u * width), tuple(a + u * width + n * length), tuple(a + n * length)]
        )
        if inner.contains(rect) and all(rect.distance(o) >= 2.0 for o in others):
            return rect
    return None


class _Lot:
    """Places the building footprints of one plot, each strictly inside it and apart from the others."""

    def __init__(self, plot: PlotPlan, rng: random.Random) -> None:
        self.plot = plot
        self.rng = rng
        self.inner = plot.geom.buffer(-BUILDING_MARGIN, join_style="mitre")
        shapely.prepare(self.inner)
        self.placed: list[Polygon] = []

    def add(
        self,
        building_type: str,
        size: tuple[tuple[float, float], tuple[float, float]],
        material: str,
        storeys: int,
        year: int,
        *,
        front: tuple[float, float] = (3.0, 12.0),
        is_home: bool = False,
    ) -> bool:
        """A ``size`` = ((width range along the road), (length range away from it)) rectangle, if it fits."""
        (w0, w1), (l0, l1) = size
        width, length = self.rng.uniform(w0, w1), self.rng.uniform(l0, l1)
        geom = _place_building(self.rng, self.plot, self.inner, self.placed, width, length, front=front)
        if geom is None:
            return False
        self.placed.append(geom)
        self.plot.buildings.append(
            BuildingPlan(geom, building_type, material, storeys, min(year, 2025), is_home)
        )
        return True


SHED_MATERIALS = ("wood", "wood", "bamboo", "steel")


def plan_buildings(plots: list[PlotPlan], seed: int) -> None:
    """Footprints by parcel kind: a house on every home lot, sheds on some fields, halls on temples."""
    rng = _rng(seed, "buildings")
    for plot in plots:
        if plot.kind in ("vacant_lot", "vacant_field"):
            continue
        lot = _Lot(plot, rng)
        back = (8.0, plot.depth)
        if plot.kind in ("house", "mixed"):
            year = _year(rng)
            material = _material(rng, year)
            storeys = 2 if rng.random() < {"wood": 0.6, "mixed": 0.55, "concrete": 0.4}[material] else 1
            if not lot.add("house", ((8, 14), (6, 12)), material, storeys, year, is_home=True):
                raise DemoSeedError(f"no room for a house on a {plot.frontage:.0f} × {plot.depth:.0f} m lot")
            if plot.kind == "mixed" and rng.random() < 0.6:
                lot.add("shophouse", ((5, 8), (6, 10)), "concrete", 1, _year(rng, 2.0))
            if rng.random() < 0.3:
                shed = "barn" if rng.random() < 0.4 else "hut"
                lot.add(shed, ((3, 6), (3, 5)), rng.choice(SHED_MATERIALS), 1, _year(rng), front=back)
        elif plot.kind == "shop":
            lot.add(
                "shophouse",
                ((8, 12), (10, 16)),
                "concrete",
                rng.choice((1, 2, 2)),
                _year(rng, 2.0),
                front=(2, 5),
            )
            if rng.random() < 0.2:
                lot.add("warehouse", ((5, 8), (6, 10)), "steel", 1, _year(rng, 2.0), front=(10, 30))
        elif plot.kind == "field":
            if rng.random() < 0.2:
                shed = rng.choice(("hut", "hut", "barn"))
                lot.add(shed, ((3, 6), (4, 6)), rng.choice(SHED_MATERIALS[:3]), 1, _year(rng), front=(5, 40))
        elif plot.kind == "resort":
            year = _year(rng, 3.0)
            lot.add("resort", ((10, 14), (12, 18)), "mixed", 1, year, front=(5, 15))  # reception, restaurant
            for _ in range(rng.randint(3, 8)):  # bungalows
                lot.add(
                    "resort",
                    ((5, 7), (6, 8)),
                    rng.choice(("wood", "mixed")),
                    1,
                    year + rng.randint(0, 6),
                    front=(15, plot.depth),
                )
        elif plot.kind == "mill":
            year = rng.randint(1985, 2010)
            lot.add("warehouse", ((14, 20), (20, 30)), "steel", 1, year, front=(5, 15))
            lot.add("barn", ((6, 10), (8, 12)), "wood", 1, year)
            lot.add("office", ((6, 8), (6, 8)), "concrete", 1, year + 5)
        elif plot.kind == "temple":
            year = rng.randint(1975, 1995)
            lot.add("religious", ((12, 16), (22, 30)), "concrete", 1, year, front=(15, 40))  # วิหาร
            lot.add("religious", ((10, 14), (16, 20)), "mixed", 1, year + rng.randint(5, 25))  # ศาลา
            for _ in range(rng.randint(1, 3)):  # กุฏิ
                lot.add(
                    "religious", ((5, 7), (6, 8)), "wood", 1, rng.randint(1975, 2020), front=(30, plot.depth)
                )
        elif plot.kind == "school":
            year = rng.randint(1978, 1998)
            lot.add("school", ((25, 40), (8, 10)), "concrete", rng.choice((1, 2)), year, front=(15, 30))
            lot.add(
                "school", ((20, 30), (8, 10)), "mixed", 1, year + rng.randint(3, 20), front=(35, plot.depth)
            )
            lot.add("office", ((8, 12), (6, 8)), "concrete", 1, rng.randint(1995, 2020))


# --- households and people ----------------------------------------------------------------------------


class _IdMaker:
    """13-digit Thai personal IDs with a correct check digit, unique across the demo."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _finish(self, first12: str) -> str | None:
        number = first12 + str(national_id_check_digit(first12))
        if number in self.used:
            return None
        self.used.add(number)
        return number

    def person(self, birth_year: int, group: str) -> str:
        rng = self.rng
        while True:
            minority = group in ("karen", "lisu", "hmong")
            if birth_year >= 1984:
                first = "8" if minority and rng.random() < 0.25 else "1"
            else:
                first = "8" if minority and rng.random() < 0.4 else rng.choice("3333335")
            office = _weighted(
                rng, (("5801", 85), ("5802", 3), ("5803", 4), ("5804", 2), ("5007", 3), ("5001", 3))
            )
            body = f"{rng.randrange(10**7):07d}"
            number = self._finish(first + office + body)
            if number:
                return number

    def juristic(self, prefix: str) -> str:
        while True:
            number = self._finish(
                prefix + "".join(str(self.rng.randrange(10)) for _ in range(12 - len(prefix)))
            )
            if number:
                return number


def _title(sex: str, age: int, married: bool) -> str:
    if age < 15:
        return "เด็กชาย" if sex == "M" else "เด็กหญิง"
    if sex == "M":
        return "นาย"
    return "นาง" if married else "นางสาว"


def _birth(rng: random.Random, age: int) -> date:
    return REFERENCE_DATE - timedelta(days=int(age * 365.25) + rng.randrange(365))


def _phone(rng: random.Random) -> str:
    return f"0{rng.choice('689')}{rng.randrange(10)}-{rng.randrange(1000):03d}-{rng.randrange(10000):04d}"


def _household_members(rng: random.Random, group: str) -> list[tuple[str, int, str, bool, str]]:
    """(sex, age, group, married, relation) of each member, the head first."""
    size = _weighted(rng, ((1, 12), (2, 20), (3, 22), (4, 20), (5, 13), (6, 8), (7, 5)))
    head_sex = "M" if rng.random() < 0.65 else "F"
    # People living alone are mostly old; heads of larger households mostly middle-aged.
    head_age = int(rng.triangular(28, 92, 70) if size == 1 else rng.triangular(24, 85, 48))
    members = []
    spouse = size >= 2 and rng.random() < 0.85 and head_age < 88
    # A head without a spouse at home is often widowed or separated: still นาง, not นางสาว.
    married = spouse or (head_age >= 30 and (size > 1 or rng.random() < 0.7))
    members.append((head_sex, head_age, group, married, "head"))
    if spouse:
        spouse_age = max(18, min(95, head_age + int(rng.gauss(-2 if head_sex == "M" else 3, 4))))
        spouse_group = group if rng.random() < 0.8 else rng.choice(tuple(_NAMES))
        members.append(("F" if head_sex == "M" else "M", spouse_age, spouse_group, True, "spouse"))
    while len(members) < size:
        r = rng.random()
        if head_age < 55 and r < 0.2 and not any(m[4] == "parent" for m in members):
            age = min(99, head_age + rng.randint(22, 34))
            members.append((rng.choice("MF"), age, group, False, "parent"))
        elif head_age >= 55 and r < 0.45:
            members.append((rng.choice("MF"), rng.randint(0, 16), group, False, "grandchild"))
        else:
            low, high = max(0, head_age - 45), max(0, head_age - 18)
            age = rng.randint(low, high)
            members.append((rng.choice("MF"), age, group, age >= 22 and rng.random() < 0.3, "child"))
    return members


def plan_people(
    villages: list[VillagePlan], plots: list[PlotPlan], seed: int
) -> tuple[list[HouseholdPlan], list[PartyPlan]]:
    """One household per house, with 1-7 members named after the village's ethnic mix."""
    rng = _rng(seed, "people")
    ids = _IdMaker(_rng(seed, "national-ids"))
    specs = {v.spec.number: v.spec for v in villages}
    households: list[HouseholdPlan] = []
    parties: list[PartyPlan] = []
    numbers: dict[int, tuple[int, int]] = {}  # village → (last base number, last sub-number)
    for idx, plot in enumerate(plots):
        if not any(b.is_home for b in plot.buildings):
            continue
        base, sub = numbers.get(plot.village_no, (0, 0))
        if base and rng.random() < 0.1:
            sub += 1
            house_number = f"{base}/{sub}"
        else:
            base, sub = base + rng.choice((1, 1, 1, 2)), 0
            house_number = str(base)
        numbers[plot.village_no] = (base, sub)
        household = HouseholdPlan(plot.village_no, house_number, idx)
        plot.household = len(households)
        group = _weighted(rng, specs[plot.village_no].groups)
        family = _surname(rng, group)
        for sex, age, member_group, married, relation in _household_members(rng, group):
            if relation in ("head", "child", "grandchild") or (
                relation == "spouse" and sex == "F" and rng.random() < 0.7
            ):
                last = family
            else:
                last = _surname(rng, member_group)
            birth = _birth(rng, age)
            party = PartyPlan(
                kind=PartyKind.PERSON,
                national_id=ids.person(birth.year, member_group),
                title=_title(sex, age, married),
                first_name=_given_name(rng, member_group, sex, age),
                last_name=last,
                birth_date=birth,
                phone=_phone(rng) if 18 <= age <= 75 and rng.random() < 0.55 else "",
                household=len(households),
                is_head=relation == "head",
                relation=relation,
            )
            household.members.append(len(parties))
            parties.append(party)
        households.append(household)
    _plan_juristic(villages, plots, parties, ids, rng)
    return households, parties


def _plan_juristic(
    villages: list[VillagePlan],
    plots: list[PlotPlan],
    parties: list[PartyPlan],
    ids: _IdMaker,
    rng: random.Random,
) -> None:
    """Companies, the rice-mill cooperative, temples and schools: the holders of non-household land."""
    names = {v.spec.number: v.spec.name_th.removeprefix("บ้าน") for v in villages}
    resort_names = ("ริเวอร์", "ภูหมอก", "ไม้หอม", "ดอยคำ", "สายหมอก", "ปายวัลเลย์", "บ้านสวน", "ม่อนแสง")
    resorts = 0
    for plot in plots:
        if plot.kind == "resort":
            name = f"บริษัท {resort_names[resorts % len(resort_names)]} รีสอร์ท ปางหมู จำกัด"
            if resorts >= len(resort_names):
                name = name.replace(" จำกัด", f" {resorts // len(resort_names) + 1} จำกัด")
            resorts += 1
            number = ids.juristic(f"0585{rng.randint(50, 66)}")
        elif plot.kind == "mill":
            name, number = f"สหกรณ์โรงสีข้าวชุมชน{names[plot.village_no]} จำกัด", ids.juristic("0994")
        elif plot.kind == "temple":
            name, number = f"วัด{names[plot.village_no]}", ids.juristic("0994")
        elif plot.kind == "school":
            name, number = f"โรงเรียนบ้าน{names[plot.village_no]}", ids.juristic("0994")
        else:
            continue
        plot.holders = [(len(parties), Fraction(1))]
        parties.append(PartyPlan(kind=PartyKind.JURISTIC, national_id=number, juristic_name=name))


def plan_rights(
    plots: list[PlotPlan], households: list[HouseholdPlan], parties: list[PartyPlan], seed: int
) -> None:
    """Who holds each parcel: the household living on a home lot, villagers for fields and shops."""
    rng = _rng(seed, "rights")
    heads: dict[int, list[int]] = defaultdict(list)
    adults: dict[int, list[int]] = defaultdict(list)
    for household in households:
        for member in household.members:
            party = parties[member]
            if party.is_head:
                heads[household.village_no].append(member)
            if party.birth_date and (REFERENCE_DATE - party.birth_date).days >= 20 * 365:
                adults[household.village_no].append(member)
    for plot in plots:
        if plot.holders:  # juristic holders are set already
            continue
        if plot.household is not None:
            members = households[plot.household].members
            head = members[0]
            spouse = next((m for m in members if parties[m].relation == "spouse"), None)
            if spouse is not None and rng.random() < 0.12:
                plot.holders = [(head, Fraction(1, 2)), (spouse, Fraction(1, 2))]
            else:
                plot.holders = [(head, Fraction(1))]
            continue
        pool = heads[plot.village_no] if rng.random() < 0.7 else adults[plot.village_no]
        pool = pool or [i for ids in heads.values() for i in ids]
        if plot.kind in ("field", "vacant_field") and rng.random() < 0.07 and len(pool) >= 3:
            n = rng.choice((2, 3))
            plot.holders = [(p, Fraction(1, n)) for p in rng.sample(pool, n)]
        else:
            plot.holders = [(rng.choice(pool), Fraction(1))]


def plan_demo(tambon: Polygon | MultiPolygon, *, seed: int, households: int, say: Say) -> DemoPlan:
    """The whole demo register as plain Python objects (no database)."""
    villages = plan_villages(tambon, seed)
    area = sum(v.boundary_utm.area for v in villages) / 1e6
    say(f"villages: {len(villages)} generated, partitioning {area:,.1f} km² of the tambon")
    quotas = village_quotas(villages, households, seed)
    total = sum(sum(vars(q).values()) for q in quotas.values())
    roads: list[Road] = []
    plots: list[PlotPlan] = []
    for village in villages:
        village_roads, village_plots = plan_village_parcels(village, quotas[village.spec.number], seed, say)
        roads += village_roads
        plots += village_plots
        km = sum(r.line.length for r in village_roads) / 1000
        say(
            f"parcels: หมู่ {village.spec.number:>2} {village.spec.name_en:<22} {len(village_roads):>2} roads "
            f"({km:5.1f} km), {len(village_plots):>4} parcels ({len(plots)}/{total})"
        )
    say(f"roads: {len(roads)} ({sum(r.line.length for r in roads) / 1000:,.0f} km)")
    _assign_codes(plots)
    _check_no_overlaps(plots)
    plan_documents(plots, seed)
    plan_buildings(plots, seed)
    people_households, parties = plan_people(villages, plots, seed)
    plan_rights(plots, people_households, parties, seed)
    return DemoPlan(seed, villages, roads, plots, people_households, parties)


def _check_no_overlaps(plots: list[PlotPlan]) -> None:
    """Every pair of planned parcels is apart (STRtree over all of them, in UTM metres)."""
    geoms = np.array([p.geom for p in plots], dtype=object)
    tree = shapely.STRtree(geoms)
    pairs = tree.query(geoms, predicate="intersects")
    clashes = [(plots[i].code, plots[j].code) for i, j in pairs.T if i < j]
    if clashes:
        raise DemoSeedError(f"planned parcels overlap: {clashes[:5]}")


# --- writing ------------------------------------------------------------------------------------------


@dataclass
class SeedSummary:
    skipped: bool = False
    seconds: float = 0.0
    seed: int = 0
    villages: int = 0
    roads: int = 0
    parcels: int = 0
    buildings: int = 0
    households: int = 0
    persons: int = 0
    juristic: int = 0
    parcel_rights: int = 0
    building_rights: int = 0
    area_m2: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_doc: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        rai = self.area_m2 / 1600
        return [
            f"seed {self.seed}: villages {self.villages}, roads {self.roads} (planned, not stored)",
            f"parcels {self.parcels}: " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_kind.items())),
            "land documents: " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_doc.items())),
            f"buildings {self.buildings}, households {self.households}",
            f"parties {self.persons + self.juristic} ({self.persons} persons, {self.juristic} juristic)",
            f"rights: {self.parcel_rights} on parcels, {self.building_rights} on buildings",
            f"total parcel area {self.area_m2 / 1e6:,.2f} km² = {rai:,.0f} rai",
            f"done in {self.seconds:.1f} s",
        ]


def _geos(geom: BaseGeometry) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=4326)


def _write_layer(path: Path, rows: list[dict[str, Any]], geoms: Sequence[BaseGeometry], crs: int) -> None:
    import geopandas as gpd

    frame = gpd.GeoDataFrame(rows, geometry=list(geoms), crs=crs)
    quiet = logging.getLogger("pyogrio")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # pyogrio logs every file it writes at INFO
    try:
        frame.to_file(path, driver="GPKG", engine="pyogrio")
    finally:
        quiet.setLevel(level)


def _raise_problems(report: ImportReport) -> None:
    if report.problems:
        listed = "; ".join(f"{p.item}: {p.message_en}" for p in report.problems[:10])
        raise DemoSeedError(
            f"the import of the demo {report.kind} reported problems: {report.summary()} {listed}"
        )


def is_demo_register(organisation: Organisation) -> bool:
    """True when the organisation's buildings were written by this generator (safe to flush)."""
    return Building.history.filter(
        organisation_id=organisation.pk, history_change_reason=CHANGE_REASON
    ).exists()


def _delete_with_history(queryset: Any, reason: str) -> int:
    """Delete rows, recording their '-' history rows in bulk rather than one INSERT per row.

    django-simple-history writes a history row per deleted object from a signal; for tens of
    thousands of rows that is most of the run time, so the signal is switched off for this delete
    (the command runs alone in its process) and the same rows are written with one bulk insert.
    """
    model = queryset.model
    history_model = model.history.model
    objs = list(queryset)
    if not objs:
        return 0
    now = timezone.now()
    history_model.objects.bulk_create(
        [
            history_model(
                history_date=now,
                history_type="-",
                history_change_reason=reason,
                history_user=None,
                **{f.attname: getattr(obj, f.attname) for f in history_model.tracked_fields},
            )
            for obj in objs
        ],
        batch_size=2000,
    )
    # A Collector over the fetched rows, so that Django does not fetch them (and their geometry) again.
    collector = Collector(using=queryset.db, origin=queryset)
    collector.collect(objs)
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        deleted, _ = collector.delete()
    return deleted


def flush_register(organisation: Organisation, say: Say) -> None:
    """Delete the organisation's register rows, children first; history keeps a '-' row for each."""
    steps: list[tuple[str, Any]] = [
        ("building rights", BuildingRight.objects.filter(building__organisation=organisation)),
        ("parcel rights", ParcelRight.objects.filter(parcel__organisation=organisation)),
        ("parties", Party.objects.filter(organisation=organisation)),
        ("households", Household.objects.filter(organisation=organisation)),
        ("building uses", BuildingUsePortion.objects.filter(building__organisation=organisation)),
        ("buildings", Building.objects.filter(organisation=organisation)),
        ("land uses", LandUsePortion.objects.filter(parcel__organisation=organisation)),
    ]
    reason = f"{CHANGE_REASON} --flush"
    try:
        with transaction.atomic():
            _flush_other_apps(organisation, say)
            _flush_steps(organisation, steps, reason, say)
    except (ProtectedError, RestrictedError) as exc:
        blockers = sorted({f"{o._meta.app_label}.{o._meta.model_name}" for o in exc.protected_objects})
        raise DemoSeedError(
            f"Cannot flush {organisation.slug}: rows of {', '.join(blockers)} still refer to its register; "
            "delete them first"
        ) from None


def _flush_other_apps(organisation: Organisation, say: Say) -> None:
    """Let every other app delete its demo rows that point at the register (``<app>.demo.flush_demo``)."""
    from importlib import import_module

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name == "parcels":
            continue
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError:
            continue
        flush = getattr(module, "flush_demo", None)
        if flush is not None:
            flush(organisation, say)


def _flush_steps(organisation: Organisation, steps: list[tuple[str, Any]], reason: str, say: Say) -> None:
    with transaction.atomic():
        for label, queryset in steps:
            deleted = _delete_with_history(queryset, reason)
            if deleted:
                say(f"flush: deleted {deleted} {label}")
        lineage = ParcelLineage.objects.filter(successor__organisation=organisation).delete()[0]
        if lineage:
            say(f"flush: deleted {lineage} parcel lineage links")
        for label, queryset in (
            ("parcels", Parcel.objects.filter(organisation=organisation)),
            ("villages", Village.objects.filter(organisation=organisation)),
        ):
            deleted = _delete_with_history(queryset, reason)
            if deleted:
                say(f"flush: deleted {deleted} {label}")


def _upsert_organisation(tambon: Polygon | MultiPolygon) -> Organisation:
    boundary = as_multipolygon(GEOSGeometry(json.dumps(shapely.geometry.mapping(tambon)), srid=4326))
    if not boundary.valid:
        raise DemoSeedError(f"the tambon boundary is not valid: {boundary.valid_reason}")
    organisation, _ = Organisation.objects.update_or_create(
        slug=ORGANISATION["slug"], defaults={**ORGANISATION, "boundary": boundary}
    )
    return organisation


def write_demo(organisation: Organisation, plan: DemoPlan, say: Say) -> SeedSummary:
    """Write a plan into an empty register of ``organisation`` (call inside a transaction)."""
    summary = SeedSummary(seed=plan.seed, villages=len(plan.villages), roads=len(plan.roads))
    with tempfile.TemporaryDirectory(prefix="seed_demo_") as tmp:
        village_file = Path(tmp) / "villages.gpkg"
        _write_layer(
            village_file,
            [
                {"village_no": v.spec.number, "name_th": v.spec.name_th, "name_en": v.spec.name_en}
                for v in plan.villages
            ],
            [v.boundary for v in plan.villages],
            4326,
        )
        report = import_villages(
            organisation=organisation, path=village_file, progress=lambda m: say(f"  villages: {m}")
        )
        _raise_problems(report)
        say(f"villages: {report.summary()}")
        parcel_file = Path(tmp) / "parcels.gpkg"
        rows = []
        for p in plan.plots:
            rai, ngan, wah = p.declared if p.declared else (None, None, None)
            rows.append(
                {
                    "parcel_code": p.code,
                    "doc_type": p.doc_type,
                    "doc_number": p.doc_number or None,
                    "village_no": p.village_no,
                    "declared_rai": rai,
                    "declared_ngan": ngan,
                    "declared_wah": float(wah) if wah is not None else None,
                    "land_use": p.land_use,
                }
            )
        # In UTM metres, so that the demo also exercises the importer's reprojection.
        _write_layer(parcel_file, rows, [p.geom for p in plan.plots], UTM_SRID)
        say(f"parcels: importing {len(plan.plots)} through parcels.importers.import_parcels")
        report = import_parcels(
            organisation=organisation, path=parcel_file, progress=lambda m: say(f"  parcels: {m}")
        )
        _raise_problems(report)
        say(f"parcels: {report.created}/{len(plan.plots)} imported")
    ids = dict(Parcel.objects.filter(organisation=organisation).values_list("code", "id"))
    _set_years_unused(organisation, plan)

    # Buildings, with their floor area from the same ellipsoidal area as the stored footprint.
    planned = [(plot, k, b) for plot in plan.plots for k, b in enumerate(plot.buildings, start=1)]
    footprints = shapely.transform(np.array([b.geom for _, _, b in planned], dtype=object), _TO_LL)
    multi = [MultiPolygon([g]) for g in footprints]
    areas = sql.geodesic_areas([(i, shapely.to_wkb(g)) for i, g in enumerate(multi)])
    buildings = [
        Building(
            organisation=organisation,
            parcel_id=ids[plot.code],
            number=number,
            footprint=_geos(geom),
            building_type=b.building_type,
            material=b.material,
            storeys=b.storeys,
            year_built=b.year_built,
            floor_area_m2=(Decimal(str(areas[i])) * b.storeys).quantize(Decimal("0.01")),
        )
        for i, ((plot, number, b), geom) in enumerate(zip(planned, multi, strict=True))
    ]
    buildings = bulk_create_with_history(
        buildings, Building, batch_size=2000, default_change_reason=CHANGE_REASON
    )
    say(f"buildings: {len(buildings)}")
    building_of = {(plot.code, number): b for (plot, number, _), b in zip(planned, buildings, strict=True)}

    villages = {v.number: v for v in Village.objects.filter(organisation=organisation)}
    home_of = {
        plot.household: (plot, number, centre)
        for (plot, number, b), centre in zip(planned, shapely.centroid(footprints), strict=True)
        if b.is_home
    }
    households = []
    for idx, h in enumerate(plan.households):
        plot, number, centre = home_of[idx]
        households.append(
            Household(
                organisation=organisation,
                village=villages[h.village_no],
                building=building_of[(plot.code, number)],
                house_number=h.house_number,
                location=Point(centre.x, centre.y, srid=4326),
            )
        )
    households = bulk_create_with_history(
        households, Household, batch_size=2000, default_change_reason=CHANGE_REASON
    )
    say(f"households: {len(households)}")

    parties = [
        Party(
            organisation=organisation,
            kind=p.kind,
            national_id=p.national_id,
            title=p.title,
            first_name=p.first_name,
            last_name=p.last_name,
            juristic_name=p.juristic_name,
            birth_date=p.birth_date,
            phone=p.phone,
            household=households[p.household] if p.household is not None else None,
            is_household_head=p.is_head,
        )
        for p in plan.parties
    ]
    parties = bulk_create_with_history(parties, Party, batch_size=2000, default_change_reason=CHANGE_REASON)
    summary.persons = sum(1 for p in plan.parties if p.kind == PartyKind.PERSON)
    summary.juristic = len(parties) - summary.persons
    say(f"parties: {len(parties)} ({summary.persons} persons in households, {summary.juristic} juristic)")

    parcel_rights = [
        ParcelRight(
            parcel_id=ids[plot.code],
            party=parties[holder],
            right_type=plot.right_type,
            share_numerator=share.numerator,
            share_denominator=share.denominator,
        )
        for plot in plan.plots
        for holder, share in plot.holders
    ]
    building_rights = [
        BuildingRight(
            building=building_of[(plot.code, number)],
            party=parties[holder],
            right_type=RightType.OWNERSHIP,
            share_numerator=share.numerator,
            share_denominator=share.denominator,
        )
        for plot, number, _ in planned
        for holder, share in plot.holders
    ]
    bulk_create_with_history(parcel_rights, ParcelRight, batch_size=2000, default_change_reason=CHANGE_REASON)
    bulk_create_with_history(
        building_rights, BuildingRight, batch_size=2000, default_change_reason=CHANGE_REASON
    )
    summary.parcel_rights, summary.building_rights = len(parcel_rights), len(building_rights)
    say(f"rights: {len(parcel_rights)} on parcels, {len(building_rights)} on buildings")

    check_register(organisation)
    say("checks: every building lies on its parcel and every household in its village")
    summary.parcels = len(ids)
    summary.buildings = len(buildings)
    summary.households = len(households)
    summary.area_m2 = Parcel.objects.filter(organisation=organisation).aggregate(a=Sum("area_m2"))["a"] or 0.0
    for plot in plan.plots:
        summary.by_kind[plot.kind] = summary.by_kind.get(plot.kind, 0) + 1
        summary.by_doc[plot.doc_type] = summary.by_doc.get(plot.doc_type, 0) + 1
    return summary


def _set_years_unused(organisation: Organisation, plan: DemoPlan) -> None:
    years = {p.code: p.years_unused for p in plan.plots if p.years_unused}
    portions = list(
        LandUsePortion.objects.filter(
            parcel__organisation=organisation, parcel__code__in=list(years), category="vacant"
        ).select_related("parcel")
    )
    for portion in portions:
        portion.years_unused = years[portion.parcel.code]
    bulk_update_with_history(
        portions, LandUsePortion, ["years_unused"], batch_size=2000, default_change_reason=CHANGE_REASON
    )


def check_register(organisation: Organisation) -> None:
    """Two set-based checks: buildings on their parcels, households inside their villages."""
    outside = (
        Building.objects.filter(organisation=organisation)
        .annotate(outside=GeodesicArea(Difference("footprint", "parcel__geom")))
        .filter(outside__gt=1.0)
        .count()
    )
    if outside:
        raise DemoSeedError(f"{outside} building(s) stick out of their parcel by more than 1 m²")
    astray = (
        Household.objects.filter(organisation=organisation)
        .exclude(location__coveredby=F("village__boundary"))
        .count()
    )
    if astray:
        raise DemoSeedError(f"{astray} household(s) lie outside their village")


def seed_demo(
    *,
    seed: int = DEFAULT_SEED,
    households: int = DEFAULT_HOUSEHOLDS,
    flush: bool = False,
    say: Say | None = None,
) -> SeedSummary:
    """Create the Pang Mu demo register (see the module docstring); idempotent without ``flush``."""
    say = say or (lambda _msg: None)
    started = time.monotonic()
    if households < 1:
        raise ValueError("households must be at least 1")
    existing = Organisation.objects.filter(slug=ORGANISATION["slug"]).first()
    if existing is not None and not flush and Parcel.objects.filter(organisation=existing).exists():
        say(
            f"The demo is already loaded ({Parcel.objects.filter(organisation=existing).count()} parcels); "
            "use --flush to generate it again."
        )
        return SeedSummary(skipped=True, seconds=time.monotonic() - started)
    if existing is not None and not flush and Village.objects.filter(organisation=existing).exists():
        raise DemoSeedError("The organisation has villages but no parcels; run with --flush to replace them")
    if (
        existing is not None
        and flush
        and Parcel.objects.filter(organisation=existing).exists()
        and not is_demo_register(existing)
    ):
        raise DemoSeedError(
            f"Refusing to flush {existing.slug}: its register was not made by seed_demo (no building "
            f"carries the '{CHANGE_REASON}' change reason); delete it deliberately if that is really wanted"
        )
    tambon = load_tambon()
    say(f"seed {seed}, {households} households")
    plan = plan_demo(tambon, seed=seed, households=households, say=say)
    say(
        f"plan: {len(plan.plots)} parcels, {plan.buildings} buildings, {len(plan.households)} households, "
        f"{len(plan.parties)} parties ({time.monotonic() - started:.1f} s)"
    )
    with transaction.atomic():
        if existing is not None and flush:
            flush_register(existing, say)
        organisation = _upsert_organisation(tambon)
        summary = write_demo(organisation, plan, say)
        # The register was written in bulk: every cached tile of the organisation is stale.
        from tiles.cache import invalidate_organisation

        org_id = organisation.pk
        transaction.on_commit(lambda: invalidate_organisation(org_id), robust=True)
    summary.seconds = time.monotonic() - started
    return summary


def register_fingerprint(organisation: Organisation) -> str:
    """A hash of the organisation's parcel codes and geometries (to compare two seeded registers)."""
    digest = hashlib.sha256()
    for code, geom in (
        Parcel.objects.filter(organisation=organisation).order_by("code").values_list("code", "geom")
    ):
        digest.update(code.encode())
        digest.update(bytes(geom.wkb))
    return digest.hexdigest()
