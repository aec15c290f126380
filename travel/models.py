"""Smart Travel: the tambon's places to visit, homestays and events, kept by the office's staff."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from parcels.models import Organisation


class PlaceKind(models.TextChoices):
    PLACE = "place", _("ที่เที่ยว / place to visit")
    HOMESTAY = "homestay", _("โฮมสเตย์ / homestay")
    EVENT = "event", _("งานประเพณี กิจกรรม / event")


KIND_ICONS = {PlaceKind.PLACE: "star", PlaceKind.HOMESTAY: "bed", PlaceKind.EVENT: "calendar"}


class Place(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("ประเภท / kind"), max_length=10, choices=PlaceKind.choices)
    name_th = models.CharField(_("ชื่อภาษาไทย / Thai name"), max_length=150)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ / English name"), max_length=150, blank=True)
    description_th = models.TextField(_("รายละเอียด (ไทย) / Thai description"), max_length=2000, blank=True)
    description_en = models.TextField(
        _("รายละเอียด (อังกฤษ) / English description"), max_length=2000, blank=True
    )
    location = models.PointField(_("ตำแหน่ง / location"), srid=4326)
    phone = models.CharField(_("โทรศัพท์ / phone"), max_length=20, blank=True)
    starts_on = models.DateField(_("เริ่ม / starts"), null=True, blank=True)
    ends_on = models.DateField(_("สิ้นสุด / ends"), null=True, blank=True)
    published = models.BooleanField(_("เผยแพร่ / published"), default=True)
    position = models.PositiveSmallIntegerField(_("ลำดับ / order"), default=100)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "kind", "position", "name_th"]
        verbose_name = _("สถานที่ท่องเที่ยว / travel place")
        verbose_name_plural = _("Smart Travel: สถานที่ โฮมสเตย์ งาน / travel places")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="place_event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(kind="event") | Q(starts_on__isnull=False), name="place_event_has_date"
            ),
        ]

    def __str__(self) -> str:
        return self.name_th

    def name(self, lang: str) -> str:
        return (self.name_en or self.name_th) if lang == "en" else self.name_th

    def description(self, lang: str) -> str:
        return (self.description_en or self.description_th) if lang == "en" else self.description_th

    @property
    def icon(self) -> str:
        return KIND_ICONS.get(self.kind, "star")
