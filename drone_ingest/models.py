"""Drone surveys and their orthomosaics / elevation models, with the processing job state."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from parcels.models import Organisation


class Survey(models.Model):
    """One flight campaign handed in by a surveyor."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="surveys")
    flown_on = models.DateField(_("วันที่บิน / flight date"))
    surveyor = models.CharField(_("ผู้สำรวจ / surveyor"), max_length=200, blank=True)
    drone = models.CharField(_("อากาศยาน / drone"), max_length=200, blank=True)
    camera = models.CharField(_("กล้อง / camera"), max_length=200, blank=True)
    notes = models.TextField(_("หมายเหตุ / notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-flown_on", "-id"]
        verbose_name = _("การสำรวจด้วยโดรน / drone survey")

    def __str__(self) -> str:
        return f"{self.flown_on} {self.surveyor}".strip()


class ImageryKind(models.TextChoices):
    ORTHO = "ortho", _("ภาพถ่ายออร์โธ / orthomosaic")
    DSM = "dsm", _("แบบจำลองพื้นผิว / DSM")
    DTM = "dtm", _("แบบจำลองภูมิประเทศ / DTM")


class ImageryStatus(models.TextChoices):
    UPLOADED = "uploaded", _("อัปโหลดแล้ว / uploaded")
    PROCESSING = "processing", _("กำลังประมวลผล / processing")
    READY = "ready", _("พร้อมใช้ / ready")
    FAILED = "failed", _("ล้มเหลว / failed")


class Orthomosaic(models.Model):
    """An orthomosaic, DSM or DTM: the uploaded original, then its Cloud Optimized GeoTIFF and footprint."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="orthomosaics")
    survey = models.ForeignKey(
        Survey, null=True, blank=True, on_delete=models.SET_NULL, related_name="orthomosaics"
    )
    kind = models.CharField(max_length=8, choices=ImageryKind.choices, default=ImageryKind.ORTHO)
    title = models.CharField(_("ชื่อ / title"), max_length=200, blank=True)
    captured_on = models.DateField(_("วันที่ถ่าย / capture date"))
    status = models.CharField(max_length=12, choices=ImageryStatus.choices, default=ImageryStatus.UPLOADED)
    progress = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    retryable = models.BooleanField(default=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_en = models.TextField(blank=True)
    error_th = models.TextField(blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    # The upload, kept until the COG has been verified.
    source_name = models.CharField(max_length=255)
    source_path = models.CharField(max_length=500, blank=True)
    file_size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)

    # Read from the original.
    crs = models.CharField(max_length=64, blank=True)
    crs_wkt = models.TextField(blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    band_count = models.PositiveSmallIntegerField(null=True, blank=True)
    dtype = models.CharField(max_length=16, blank=True)
    pixel_size_x = models.FloatField(null=True, blank=True)
    pixel_size_y = models.FloatField(null=True, blank=True)
    ground_resolution_m = models.FloatField(null=True, blank=True)

    # The product.
    cog_path = models.CharField(max_length=500, blank=True)
    cog_size = models.BigIntegerField(null=True, blank=True)
    bounds_4326 = models.PolygonField(srid=4326, null=True, blank=True)
    footprint = models.MultiPolygonField(srid=4326, null=True, blank=True)
    footprint_area_m2 = models.FloatField(null=True, blank=True)
    value_min = models.FloatField(null=True, blank=True)
    value_max = models.FloatField(null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-captured_on", "-id"]
        verbose_name = _("ภาพถ่ายทางอากาศ / orthomosaic")
        indexes = [
            models.Index(fields=["organisation", "status", "kind", "-captured_on"], name="ortho_org_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="ready") | models.Q(footprint__isnull=False, cog_path__gt=""),
                name="ortho_ready_has_product",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.captured_on}"

    @property
    def error_message(self) -> str:
        if not self.error_en:
            return ""
        return f"{self.error_th} / {self.error_en}" if self.error_th else self.error_en


class UploadStatus(models.TextChoices):
    OPEN = "open", _("กำลังอัปโหลด / uploading")
    COMPLETE = "complete", _("ครบแล้ว / complete")


class UploadSession(models.Model):
    """A resumable upload: bytes arrive in order into ``<uploads>/<id>.part``; the server keeps the offset."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, blank=True)
    received = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=UploadStatus.choices, default=UploadStatus.OPEN)
    kind = models.CharField(max_length=8, choices=ImageryKind.choices, default=ImageryKind.ORTHO)
    captured_on = models.DateField()
    title = models.CharField(max_length=200, blank=True)
    survey_info = models.JSONField(default=dict, blank=True)
    orthomosaic = models.ForeignKey(Orthomosaic, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(received__gte=0, received__lte=models.F("size")),
                name="upload_received_le_size",
            )
        ]


class RefusedImagery(models.Model):
    """A file refused while it was being processed (found only then: a footprint of zero area, say).

    The refused orthomosaic's record and files are removed; this note says what was refused and why,
    so that the surveyor's upload page (and the office) can still tell, under the old record's id.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    orthomosaic_id = models.BigIntegerField(unique=True)  # the id the removed record had
    kind = models.CharField(max_length=8, choices=ImageryKind.choices)
    title = models.CharField(max_length=200, blank=True)
    captured_on = models.DateField()
    source_name = models.CharField(max_length=255)
    file_size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    error_code = models.CharField(max_length=64)
    error_en = models.TextField()
    error_th = models.TextField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refused_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-refused_at"]
        verbose_name = _("ไฟล์ที่ถูกปฏิเสธ / refused imagery file")

    def __str__(self) -> str:
        return f"{self.source_name}: {self.error_code}"
