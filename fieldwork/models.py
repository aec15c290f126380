"""Village field packets, their check-ins, the features that came back, and photos from the field.

A packet is a QGIS project with a GeoPackage of one village's register and an offline basemap; its
``snapshot`` keeps what each feature was when the packet was made, so a check-in knows what the
field team changed. A packet is checked in at most once (``CheckIn.packet`` is one-to-one): a replay
is refused by the database as well as by the service.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from parcels.models import Organisation, Village


class PacketStatus(models.TextChoices):
    BUILDING = "building", _("กำลังจัดทำ / being made")
    READY = "ready", _("พร้อมนำออก / ready")
    FAILED = "failed", _("ล้มเหลว / failed")


class FieldPacket(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="field_packets")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="field_packets")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="field_packets"
    )
    team = models.CharField(_("ทีมภาคสนาม / field team"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=PacketStatus.choices, default=PacketStatus.BUILDING)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_en = models.TextField(blank=True)
    error_th = models.TextField(blank=True)
    # The time the register was read: a feature changed in the office after it is a conflict.
    snapshot_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    basemap = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(max_length=300, blank=True)  # in the default storage
    file_size = models.BigIntegerField(null=True, blank=True)
    build_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ชุดข้อมูลภาคสนาม / field packet")
        verbose_name_plural = _("ชุดข้อมูลภาคสนาม / field packets")
        indexes = [models.Index(fields=["organisation", "village", "-created_at"], name="packet_org_village")]

    def __str__(self) -> str:
        return f"หมู่ {self.village.number} #{self.pk}"

    @property
    def slug(self) -> str:
        return f"{self.organisation.slug}-m{self.village.number:02d}-{self.pk}"


class CheckIn(models.Model):
    packet = models.OneToOneField(FieldPacket, on_delete=models.PROTECT, related_name="checkin")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.BigIntegerField()
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("การนำข้อมูลภาคสนามกลับ / field check-in")
        verbose_name_plural = _("การนำข้อมูลภาคสนามกลับ / field check-ins")

    def __str__(self) -> str:
        return f"check-in of {self.packet}"


class ItemKind(models.TextChoices):
    CHANGE = "change", _("แก้ไข / changed")
    NEW = "new", _("เพิ่มใหม่ / new")
    REMOVE = "remove", _("ลบในภาคสนาม / removed in the field")


class ItemStatus(models.TextChoices):
    MERGED = "merged", _("รวมเข้าทะเบียนแล้ว / merged")
    CONFLICT = "conflict", _("ขัดแย้ง รอตัดสิน / conflict, to resolve")
    REFUSED = "refused", _("ไม่ผ่านกฎทะเบียน / refused by the register's rules")
    DRAFT = "draft", _("ฉบับร่าง รอตรวจ / draft, to review")
    TOOK_FIELD = "took_field", _("ใช้ฉบับภาคสนาม / field version taken")
    KEPT_OFFICE = "kept_office", _("คงฉบับสำนักงาน / office version kept")
    ACCEPTED = "accepted", _("รับเข้าทะเบียนแล้ว / accepted")
    REJECTED = "rejected", _("ไม่รับ / rejected")
    NOTED = "noted", _("บันทึกไว้ / noted")

    @classmethod
    def open_values(cls) -> list[str]:
        return [cls.CONFLICT, cls.DRAFT, cls.REFUSED]


class CheckInItem(models.Model):
    """One feature that came back changed, new or removed, and what became of it."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="items")
    layer = models.CharField(max_length=32)
    fid = models.BigIntegerField()  # the feature's id in the packet's GeoPackage
    src_id = models.BigIntegerField(null=True, blank=True)  # the register row (None: new in the field)
    kind = models.CharField(max_length=8, choices=ItemKind.choices)
    status = models.CharField(max_length=12, choices=ItemStatus.choices)
    changed_fields = models.JSONField(default=list)
    packet_values = models.JSONField(default=dict)  # as the packet was made
    field_values = models.JSONField(default=dict)  # as it came back (geometry as EWKT)
    office_values = models.JSONField(default=dict)  # the register at check-in (conflicts)
    office_version = models.PositiveIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_en = models.TextField(blank=True)
    error_th = models.TextField(blank=True)
    result_id = models.BigIntegerField(null=True, blank=True)  # the register row made from a draft
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["checkin", "layer", "fid"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "layer", "fid"], name="checkin_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.layer} {self.src_id or 'new'} ({self.status})"

    @property
    def register_id(self) -> int | None:
        return self.src_id or self.result_id

    @property
    def error_message(self) -> str:
        return f"{self.error_th} / {self.error_en}" if self.error_en else ""


class FieldPhoto(models.Model):
    """A photo taken in the field, kept with the register feature (or the draft) it was attached to."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    checkin = models.ForeignKey(CheckIn, on_delete=models.PROTECT, related_name="photos")
    item = models.ForeignKey(
        CheckInItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    layer = models.CharField(max_length=32)
    feature_id = models.BigIntegerField(
        null=True, blank=True
    )  # the register row (None: a draft not accepted)
    fid = models.BigIntegerField()
    field_name = models.CharField(max_length=32)
    original_path = models.CharField(max_length=300)
    file = models.FileField(upload_to="fieldwork/photos/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["layer", "feature_id", "id"]
        indexes = [models.Index(fields=["organisation", "layer", "feature_id"], name="photo_feature")]

    def __str__(self) -> str:
        return f"{self.layer} {self.feature_id}: {self.original_path}"
