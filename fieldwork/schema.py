"""The layers of a village field packet: one list of columns, used by the GeoPackage writer, the
QGIS project's forms and the check-in reader alike.

Each column says its type, whether the field team may change it, its widget (a value list in Thai
and English for coded values, a photo attachment, a plain value) and its bilingual alias.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parcels.models import BuildingMaterial, BuildingType, LandUse

FORMAT_VERSION = 1
PACKET_SRID = 4326  # vector layers: the register's own CRS, so an untouched feature comes back identical
BASEMAP_SRID = 3857  # raster tiles: the web-mercator tile grid (no resampling on the phone)
INFO_TABLE = "packet_info"
PHOTO_DIR = "DCIM"  # QField's default folder for attachments, relative to the project
MAX_STOREYS = 10


def _choices(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in choices]


STOREY_CHOICES = [(str(n), f"{n} ชั้น / {n} storey{'s' if n > 1 else ''}") for n in range(1, MAX_STOREYS + 1)]


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "int", "float", "text"
    alias: str
    editable: bool = False
    value_list: list[tuple[str, str]] | None = None  # (stored value, Thai / English label)
    photo: bool = False
    allow_null: bool = True


@dataclass(frozen=True)
class LayerSpec:
    name: str
    title: str
    geometry: str | None  # "MultiPolygon", "Point" or None
    columns: list[Column]
    editable_geometry: bool = False
    may_add: bool = False
    may_delete: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def editable_columns(self) -> list[Column]:
        return [c for c in self.columns if c.editable]


NOTE = Column("note", "text", "บันทึกภาคสนาม / field note", editable=True)
PHOTOS = [
    Column("photo", "text", "รูปถ่าย / photo", editable=True, photo=True),
    Column("photo_2", "text", "รูปถ่าย 2 / photo 2", editable=True, photo=True),
]
SRC_ID = Column("src_id", "int", "รหัสในทะเบียน / register id")

PARCELS = LayerSpec(
    "parcels",
    "แปลงที่ดิน / Land parcels",
    "MultiPolygon",
    [
        SRC_ID,
        Column("parcel_code", "text", "รหัสแปลง / parcel code"),
        Column("doc_type", "text", "เอกสารสิทธิ์ / land document"),
        Column("doc_number", "text", "เลขที่เอกสาร / document no."),
        Column("area_rnw", "text", "เนื้อที่ ไร่-งาน-ตร.ว. / area rai-ngan-wah"),
        Column("land_use", "text", "การใช้ประโยชน์หลัก / main land use", True, _choices(LandUse.choices)),
        Column("land_use_2", "text", "การใช้ประโยชน์ที่สอง / second land use", True, _choices(LandUse.choices)),
        Column("land_use_2_pct", "int", "สัดส่วนการใช้ที่สอง % / second use %", True),
        NOTE,
        *PHOTOS,
    ],
)
BUILDINGS = LayerSpec(
    "buildings",
    "สิ่งปลูกสร้าง / Buildings",
    "MultiPolygon",
    [
        SRC_ID,
        Column("parcel_code", "text", "แปลง / parcel"),
        Column("number", "int", "อาคารที่ / building no."),
        Column(
            "building_type", "text", "ประเภท / type", True, _choices(BuildingType.choices), allow_null=False
        ),
        Column(
            "material", "text", "วัสดุ / material", True, _choices(BuildingMaterial.choices), allow_null=False
        ),
        Column("storeys", "int", "จำนวนชั้น / storeys", True, STOREY_CHOICES, allow_null=False),
        Column("floor_area_m2", "float", "พื้นที่ใช้สอย ตร.ม. / floor area m²", True),
        Column("year_built", "int", "ปีที่สร้าง (ค.ศ.) / year built (CE)", True),
        NOTE,
        *PHOTOS,
    ],
    editable_geometry=True,
    may_add=True,
    may_delete=True,
)
HOUSEHOLDS = LayerSpec(
    "households",
    "ครัวเรือน / Households",
    "Point",
    [
        SRC_ID,
        Column("house_number", "text", "บ้านเลขที่ / house no.", True, allow_null=False),
        Column("village_no", "int", "หมู่ที่ / village no."),
        Column("head_name", "text", "เจ้าบ้าน / head of household"),
        Column("members", "int", "สมาชิกตามทะเบียน / registered members"),
        Column("members_seen", "int", "สมาชิกที่พบ / members found", True),
        NOTE,
        *PHOTOS,
    ],
    editable_geometry=True,
    may_add=True,
    may_delete=True,
)

# The register layers of every packet, in drawing order (bottom first).
REGISTER_LAYERS = [PARCELS, BUILDINGS, HOUSEHOLDS]
# Further layers (e.g. the imagery's open review candidates) register a provider in
# fieldwork.extensions; they are written, drawn and read back by the same code.
LAYERS_BY_NAME = {spec.name: spec for spec in REGISTER_LAYERS}
