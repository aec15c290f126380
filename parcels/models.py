"""The property register (LADM-inspired): organisation → village → parcel → building → household → party.

Geometry is stored in EPSG:4326; a generated EPSG:3857 copy serves the tiles and a generated
ellipsoidal area (``ST_Area(geom::geography)``) serves every area shown or taxed. Rows of the
register are never deleted by the application: a parcel that is split or merged is retired and its
successors point back to it through :class:`ParcelLineage`; every change is kept by
django-simple-history with who and when.
"""

from __future__ import annotations

from fractions import Fraction

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import IsValid, Transform
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.db.models import Func, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .units import format_rnw
from .validators import validate_national_id, validate_parcel_code


class GeodesicArea(Func):
    """Area in m² on the WGS 84 ellipsoid: ``ST_Area(geom::geography)``."""

    template = "ST_Area((%(expressions)s)::geography)"
    output_field = models.FloatField()


class LandUse(models.TextChoices):
    """Tax categories of the Land and Building Tax Act B.E. 2562 (Sec. 37) plus exempt property."""

    AGRICULTURAL = "agricultural", _("เกษตรกรรม / agricultural")
    RESIDENTIAL = "residential", _("ที่อยู่อาศัย / residential")
    OTHER = "other", _("อื่น ๆ (พาณิชย์ อุตสาหกรรม) / other (commerce, industry)")
    VACANT = "vacant", _("รกร้างว่างเปล่า / vacant or unused")
    EXEMPT = "exempt", _("ยกเว้น (สาธารณะ ศาสนา) / exempt (public, religious)")


class LandDocType(models.TextChoices):
    CHANOTE = "chanote", _("โฉนดที่ดิน (น.ส.4 จ.) / title deed")
    NS3K = "ns3k", _("น.ส.3 ก. / certificate of use (NS3K)")
    NS3 = "ns3", _("น.ส.3 / certificate of use (NS3)")
    SK1 = "sk1", _("ส.ค.1 / claim notification (SK1)")
    SPK401 = "spk401", _("ส.ป.ก.4-01 / land-reform permit")
    PBT5 = "pbt5", _("ภ.บ.ท.5 / tax-roll record without title")
    NONE = "none", _("ไม่มีเอกสารสิทธิ์ / no document")
    OTHER = "other", _("อื่น ๆ / other")


class RegisterStatus(models.TextChoices):
    ACTIVE = "active", _("ใช้งาน / active")
    RETIRED = "retired", _("ยกเลิกแล้ว / retired")


class Organisation(models.Model):
    """A local administrative organisation (อบต. or เทศบาล). Every register row belongs to one."""

    slug = models.SlugField(unique=True)
    dla_code = models.CharField(_("รหัส อปท. / DLA code"), max_length=16, unique=True)
    name_th = models.CharField(_("ชื่อภาษาไทย / Thai name"), max_length=200)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ / English name"), max_length=200, blank=True)
    tambon_code = models.CharField(_("รหัสตำบล / tambon code"), max_length=16, blank=True)
    address = models.CharField(_("ที่อยู่ / address"), max_length=300, blank=True)
    phone = models.CharField(_("โทรศัพท์ / phone"), max_length=40, blank=True)
    tax_id = models.CharField(_("เลขประจำตัวผู้เสียภาษี / tax id"), max_length=13, blank=True)
    boundary = models.MultiPolygonField(_("เขต / boundary"), srid=4326)
    utm_srid = models.PositiveIntegerField(
        _("UTM SRID"),
        default=32647,
        choices=[(32647, "UTM 47N (EPSG:32647)"), (32648, "UTM 48N (EPSG:32648)")],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_th"]
        verbose_name = _("องค์กรปกครองส่วนท้องถิ่น / organisation")
        verbose_name_plural = _("องค์กรปกครองส่วนท้องถิ่น / organisations")
        constraints = [
            models.CheckConstraint(condition=IsValid("boundary"), name="organisation_boundary_valid")
        ]

    def __str__(self) -> str:
        return self.name_th


class Membership(models.Model):
    """A staff user's role (a Django group) in one organisation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.ForeignKey("auth.Group", on_delete=models.PROTECT, related_name="memberships")

    class Meta:
        verbose_name = _("สิทธิ์ของเจ้าหน้าที่ / staff role")
        verbose_name_plural = _("สิทธิ์ของเจ้าหน้าที่ / staff roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.role} @ {self.organisation.slug}"


class Village(models.Model):
    """หมู่บ้าน: หมู่ที่ N of an organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="villages")
    number = models.PositiveSmallIntegerField(_("หมู่ที่ / village no."))
    name_th = models.CharField(_("ชื่อหมู่บ้าน / Thai name"), max_length=200)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ / English name"), max_length=200, blank=True)
    boundary = models.MultiPolygonField(_("เขตหมู่บ้าน / boundary"), srid=4326)
    boundary_3857 = models.GeneratedField(
        expression=Transform("boundary", 3857),
        output_field=models.MultiPolygonField(srid=3857, spatial_index=False),
        db_persist=True,
    )
    area_m2 = models.GeneratedField(
        expression=GeodesicArea("boundary"), output_field=models.FloatField(), db_persist=True
    )
    history = HistoricalRecords(excluded_fields=["boundary_3857", "area_m2"])

    class Meta:
        ordering = ["organisation", "number"]
        verbose_name = _("หมู่บ้าน / village")
        verbose_name_plural = _("หมู่บ้าน / villages")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="village_number_unique"),
            models.CheckConstraint(condition=IsValid("boundary"), name="village_boundary_valid"),
        ]
        indexes = [GistIndex(fields=["boundary_3857"], name="village_b3857_gist")]

    def __str__(self) -> str:
        return f"หมู่ {self.number} {self.name_th}"


class Parcel(models.Model):
    """A land parcel of the tax map, coded zone-block-lot (LTAX)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="parcels")
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="parcels", null=True, blank=True
    )
    code = models.CharField(_("รหัสแปลง / parcel code"), max_length=12, validators=[validate_parcel_code])
    zone = models.CharField(_("โซน / zone"), max_length=2, editable=False)
    block = models.CharField(_("บล็อก / block"), max_length=2, editable=False)
    lot = models.CharField(_("ล็อต / lot"), max_length=3, editable=False)
    doc_type = models.CharField(_("เอกสารสิทธิ์ / land document"), max_length=12, choices=LandDocType.choices)
    doc_number = models.CharField(_("เลขที่เอกสาร / document no."), max_length=40, blank=True)
    declared_rai = models.PositiveIntegerField(_("ไร่ / rai"), null=True, blank=True)
    declared_ngan = models.PositiveSmallIntegerField(_("งาน / ngan"), null=True, blank=True)
    declared_wah = models.DecimalField(
        _("ตร.ว. / sq wah"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    geom = models.MultiPolygonField(_("รูปแปลง / geometry"), srid=4326)
    geom_3857 = models.GeneratedField(
        expression=Transform("geom", 3857),
        output_field=models.MultiPolygonField(srid=3857, spatial_index=False),
        db_persist=True,
    )
    area_m2 = models.GeneratedField(
        expression=GeodesicArea("geom"), output_field=models.FloatField(), db_persist=True
    )
    status = models.CharField(max_length=8, choices=RegisterStatus.choices, default=RegisterStatus.ACTIVE)
    retired_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["geom_3857", "area_m2"])

    class Meta:
        ordering = ["organisation", "code"]
        verbose_name = _("แปลงที่ดิน / parcel")
        verbose_name_plural = _("แปลงที่ดิน / parcels")
        permissions = [("restore_parcel", "นำแปลงที่ยกเลิกแล้วกลับมาใช้ / restore a retired parcel")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"],
                condition=Q(status="active"),
                name="parcel_code_unique_active",
            ),
            models.CheckConstraint(condition=IsValid("geom"), name="parcel_geom_valid"),
            models.CheckConstraint(
                condition=Q(declared_ngan__isnull=True) | Q(declared_ngan__lt=4), name="parcel_ngan_lt_4"
            ),
            models.CheckConstraint(
                condition=Q(declared_wah__isnull=True) | Q(declared_wah__lt=100), name="parcel_wah_lt_100"
            ),
        ]
        indexes = [
            GistIndex(fields=["geom_3857"], name="parcel_g3857_gist"),
            models.Index(fields=["organisation", "status"], name="parcel_org_status"),
            models.Index(fields=["doc_number"], name="parcel_doc_number"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def area_rnw(self) -> str:
        return format_rnw(self.area_m2)

    @property
    def declared_rnw(self) -> str:
        if self.declared_rai is None and self.declared_ngan is None and self.declared_wah is None:
            return "-"
        return f"{self.declared_rai or 0}-{self.declared_ngan or 0}-{self.declared_wah or 0}"


class LandUsePortion(models.Model):
    """The share (percent of area) of a parcel in one tax category."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="land_uses")
    category = models.CharField(_("การใช้ประโยชน์ / use"), max_length=16, choices=LandUse.choices)
    share_percent = models.DecimalField(_("สัดส่วน % / share %"), max_digits=5, decimal_places=2)
    years_unused = models.PositiveSmallIntegerField(_("ปีที่ไม่ได้ใช้ / years unused"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("การใช้ประโยชน์ที่ดิน / land use")
        verbose_name_plural = _("การใช้ประโยชน์ที่ดิน / land uses")
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__gt=0) & Q(share_percent__lte=100), name="landuse_share_range"
            ),
            models.UniqueConstraint(fields=["parcel", "category"], name="landuse_unique_category"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.share_percent}%"


class BuildingType(models.TextChoices):
    DETACHED_HOUSE = "house", _("บ้านเดี่ยว / detached house")
    ROW_HOUSE = "row_house", _("ตึกแถว ทาวน์เฮาส์ / row house")
    SHOPHOUSE = "shophouse", _("อาคารพาณิชย์ / shophouse")
    HUT = "hut", _("กระท่อม เพิง / hut")
    BARN = "barn", _("ยุ้งฉาง โรงเรือนเกษตร / barn, farm shed")
    WAREHOUSE = "warehouse", _("โกดัง โรงงาน / warehouse, workshop")
    OFFICE = "office", _("สำนักงาน / office")
    RELIGIOUS = "religious", _("ศาสนสถาน / religious building")
    SCHOOL = "school", _("โรงเรียน / school")
    RESORT = "resort", _("ที่พัก รีสอร์ต / lodging, resort")
    OTHER = "other", _("อื่น ๆ / other")


class BuildingMaterial(models.TextChoices):
    CONCRETE = "concrete", _("ตึก (คอนกรีต) / concrete")
    MIXED = "mixed", _("ครึ่งตึกครึ่งไม้ / half concrete, half wood")
    WOOD = "wood", _("ไม้ / wood")
    STEEL = "steel", _("โครงเหล็ก / steel frame")
    BAMBOO = "bamboo", _("ไม้ไผ่ / bamboo")
    OTHER = "other", _("อื่น ๆ / other")


class Building(models.Model):
    """A building on a parcel; numbered within its lot."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="buildings")
    parcel = models.ForeignKey(Parcel, on_delete=models.PROTECT, related_name="buildings")
    number = models.PositiveSmallIntegerField(_("อาคารที่ / building no."), default=1)
    footprint = models.MultiPolygonField(_("รูปอาคาร / footprint"), srid=4326)
    footprint_3857 = models.GeneratedField(
        expression=Transform("footprint", 3857),
        output_field=models.MultiPolygonField(srid=3857, spatial_index=False),
        db_persist=True,
    )
    footprint_area_m2 = models.GeneratedField(
        expression=GeodesicArea("footprint"), output_field=models.FloatField(), db_persist=True
    )
    building_type = models.CharField(_("ประเภท / type"), max_length=16, choices=BuildingType.choices)
    material = models.CharField(_("วัสดุ / material"), max_length=16, choices=BuildingMaterial.choices)
    storeys = models.PositiveSmallIntegerField(_("จำนวนชั้น / storeys"), default=1)
    floor_area_m2 = models.DecimalField(_("พื้นที่ใช้สอย ตร.ม. / floor area m²"), max_digits=10, decimal_places=2)
    year_built = models.PositiveSmallIntegerField(_("ปีที่สร้าง (ค.ศ.) / year built (CE)"), null=True, blank=True)
    status = models.CharField(max_length=8, choices=RegisterStatus.choices, default=RegisterStatus.ACTIVE)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["footprint_3857", "footprint_area_m2"])

    class Meta:
        ordering = ["parcel", "number"]
        verbose_name = _("สิ่งปลูกสร้าง / building")
        verbose_name_plural = _("สิ่งปลูกสร้าง / buildings")
        constraints = [
            models.CheckConstraint(condition=IsValid("footprint"), name="building_footprint_valid"),
            models.CheckConstraint(condition=Q(storeys__gte=1), name="building_storeys_min_1"),
            models.CheckConstraint(condition=Q(floor_area_m2__gt=0), name="building_floor_area_positive"),
            models.UniqueConstraint(
                fields=["parcel", "number"], condition=Q(status="active"), name="building_number_unique"
            ),
        ]
        indexes = [GistIndex(fields=["footprint_3857"], name="building_f3857_gist")]

    def __str__(self) -> str:
        return f"{self.parcel.code}/{self.number}"


class BuildingUsePortion(models.Model):
    """The share (percent of floor area) of a building in one tax category."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="uses")
    category = models.CharField(_("การใช้ประโยชน์ / use"), max_length=16, choices=LandUse.choices)
    share_percent = models.DecimalField(_("สัดส่วน % / share %"), max_digits=5, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("การใช้ประโยชน์อาคาร / building use")
        verbose_name_plural = _("การใช้ประโยชน์อาคาร / building uses")
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__gt=0) & Q(share_percent__lte=100), name="buildinguse_share_range"
            ),
            models.UniqueConstraint(fields=["building", "category"], name="buildinguse_unique_category"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.share_percent}%"


class Household(models.Model):
    """A household (บ้านเลขที่) at a point, in a village, usually in a building."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="households")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="households")
    building = models.ForeignKey(
        Building, on_delete=models.SET_NULL, related_name="households", null=True, blank=True
    )
    house_number = models.CharField(_("บ้านเลขที่ / house no."), max_length=20)
    location = models.PointField(_("ตำแหน่ง / location"), srid=4326)
    location_3857 = models.GeneratedField(
        expression=Transform("location", 3857),
        output_field=models.PointField(srid=3857, spatial_index=False),
        db_persist=True,
    )
    status = models.CharField(max_length=8, choices=RegisterStatus.choices, default=RegisterStatus.ACTIVE)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["location_3857"])

    class Meta:
        ordering = ["village", "house_number"]
        verbose_name = _("ครัวเรือน / household")
        verbose_name_plural = _("ครัวเรือน / households")
        constraints = [
            models.UniqueConstraint(
                fields=["village", "house_number"],
                condition=Q(status="active"),
                name="household_number_unique",
            ),
        ]
        indexes = [GistIndex(fields=["location_3857"], name="household_l3857_gist")]

    def __str__(self) -> str:
        return f"{self.house_number} หมู่ {self.village.number}" if self.village_id else self.house_number


class PartyKind(models.TextChoices):
    PERSON = "person", _("บุคคลธรรมดา / person")
    JURISTIC = "juristic", _("นิติบุคคล / juristic person")


class Party(models.Model):
    """A person or juristic person who holds rights or lives in a household."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="parties")
    kind = models.CharField(_("ประเภท / kind"), max_length=10, choices=PartyKind.choices)
    national_id = models.CharField(
        _("เลขประจำตัวประชาชน/นิติบุคคล / national or juristic ID"),
        max_length=13,
        blank=True,
        validators=[validate_national_id],
    )
    title = models.CharField(_("คำนำหน้า / title"), max_length=30, blank=True)
    first_name = models.CharField(_("ชื่อ / first name"), max_length=100, blank=True)
    last_name = models.CharField(_("นามสกุล / last name"), max_length=100, blank=True)
    juristic_name = models.CharField(_("ชื่อนิติบุคคล / juristic name"), max_length=200, blank=True)
    birth_date = models.DateField(_("วันเกิด / birth date"), null=True, blank=True)
    phone = models.CharField(_("โทรศัพท์ / phone"), max_length=20, blank=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        related_name="members",
        null=True,
        blank=True,
        help_text=_("ครัวเรือนตามทะเบียนบ้าน / household of house registration"),
    )
    is_household_head = models.BooleanField(_("เจ้าบ้าน / head of household"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "first_name", "last_name", "juristic_name"]
        verbose_name = _("บุคคล / party")
        verbose_name_plural = _("บุคคล / parties")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "national_id"],
                condition=~Q(national_id=""),
                name="party_national_id_unique",
            ),
            models.CheckConstraint(
                condition=(Q(kind="person") & ~Q(first_name=""))
                | (Q(kind="juristic") & ~Q(juristic_name="")),
                name="party_has_name",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        if self.national_id:
            try:
                validate_national_id(self.national_id, kind=self.kind)
            except ValidationError as exc:
                raise ValidationError({"national_id": exc.messages}) from None

    @property
    def display_name(self) -> str:
        if self.kind == PartyKind.JURISTIC:
            return self.juristic_name
        return " ".join(p for p in (f"{self.title}{self.first_name}", self.last_name) if p)

    @property
    def masked_national_id(self) -> str:
        """Only the last four digits, as shown to roles that do not need the whole ID."""
        if not self.national_id:
            return ""
        return "X-XXXX-XXXXX-" + self.national_id[9:12] + "-" + self.national_id[12]


class RightType(models.TextChoices):
    OWNERSHIP = "ownership", _("กรรมสิทธิ์ / ownership")
    POSSESSION = "possession", _("สิทธิครอบครอง / possession")
    USE = "use", _("สิทธิใช้ประโยชน์ / use right")
    LEASE = "lease", _("เช่า / lease")


class RightBase(models.Model):
    party = models.ForeignKey(Party, on_delete=models.PROTECT)
    right_type = models.CharField(
        _("ประเภทสิทธิ / right"), max_length=12, choices=RightType.choices, default=RightType.OWNERSHIP
    )
    share_numerator = models.PositiveIntegerField(_("ส่วน (ตัวเศษ) / share numerator"), default=1)
    share_denominator = models.PositiveIntegerField(_("ส่วน (ตัวส่วน) / share denominator"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def share(self) -> Fraction:
        return Fraction(self.share_numerator, self.share_denominator)

    @classmethod
    def share_constraints(cls, prefix: str) -> list[models.BaseConstraint]:
        return [
            models.CheckConstraint(
                condition=Q(share_numerator__gte=1)
                & Q(share_denominator__gte=1)
                & Q(share_numerator__lte=models.F("share_denominator")),
                name=f"{prefix}_share_fraction",
            ),
        ]


class ParcelRight(RightBase):
    """A party's right in a parcel, with its share (e.g. 1/3 of a co-owned title)."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="rights")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="parcel_rights")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("สิทธิในที่ดิน / parcel right")
        verbose_name_plural = _("สิทธิในที่ดิน / parcel rights")
        constraints = [
            *RightBase.share_constraints("parcelright"),
            models.UniqueConstraint(fields=["parcel", "party", "right_type"], name="parcelright_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.share} {self.parcel}"


class BuildingRight(RightBase):
    """A party's right in a building, with its share."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="rights")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="building_rights")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("สิทธิในอาคาร / building right")
        verbose_name_plural = _("สิทธิในอาคาร / building rights")
        constraints = [
            *RightBase.share_constraints("buildingright"),
            models.UniqueConstraint(fields=["building", "party", "right_type"], name="buildingright_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.share} {self.building}"


class ParcelOperation(models.TextChoices):
    SPLIT = "split", _("แบ่งแยก / split")
    MERGE = "merge", _("รวมแปลง / merge")


class ParcelLineage(models.Model):
    """A retired parcel (predecessor) and one parcel that replaced it (successor)."""

    predecessor = models.ForeignKey(Parcel, on_delete=models.PROTECT, related_name="successor_links")
    successor = models.ForeignKey(Parcel, on_delete=models.PROTECT, related_name="predecessor_links")
    operation = models.CharField(max_length=8, choices=ParcelOperation.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("ที่มาของแปลง / parcel lineage")
        verbose_name_plural = _("ที่มาของแปลง / parcel lineage")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="lineage_unique"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="lineage_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.operation})"
