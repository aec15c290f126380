"""Smart Kids: the office's child development centres (ศพด.), their ages and seats, and enrolments."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from parcels.models import Household, Organisation, Party


class ChildCentre(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name_th = models.CharField(_("ชื่อศูนย์ / Thai name"), max_length=150)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ / English name"), max_length=150, blank=True)
    location = models.PointField(_("ตำแหน่ง / location"), srid=4326, null=True, blank=True)
    phone = models.CharField(_("โทรศัพท์ / phone"), max_length=20, blank=True)
    capacity = models.PositiveSmallIntegerField(_("จำนวนที่รับ / seats"))
    min_age_months = models.PositiveSmallIntegerField(_("อายุต่ำสุด (เดือน) / youngest age (months)"), default=24)
    max_age_months = models.PositiveSmallIntegerField(
        _("อายุสูงสุด (เดือน) / oldest age (months)"),
        default=59,
        help_text=_("อายุนับ ณ วันเปิดภาคเรียน / ages are counted on the first day of the school year"),
    )
    year_starts_month = models.PositiveSmallIntegerField(
        _("เดือนเปิดภาคเรียน / school year starts (month)"), default=5
    )
    year_starts_day = models.PositiveSmallIntegerField(
        _("วันเปิดภาคเรียน / school year starts (day)"), default=16
    )
    active = models.BooleanField(_("เปิดรับ / open"), default=True)

    class Meta:
        verbose_name = _("ศูนย์พัฒนาเด็กเล็ก / child development centre")
        verbose_name_plural = _("ศูนย์พัฒนาเด็กเล็ก / child development centres")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_age_months__gte=F("min_age_months")), name="centre_age_range"
            ),
            models.CheckConstraint(
                condition=Q(year_starts_month__gte=1, year_starts_month__lte=12), name="centre_month"
            ),
            models.CheckConstraint(
                condition=Q(year_starts_day__gte=1, year_starts_day__lte=28), name="centre_day"
            ),
        ]

    def __str__(self) -> str:
        return self.name_th


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", _("ยื่นสมัครแล้ว / applied")
    WAITLISTED = "waitlisted", _("รอที่ว่าง / waiting list")
    ACCEPTED = "accepted", _("รับเข้าเรียน / accepted")
    WITHDRAWN = "withdrawn", _("ยกเลิก / withdrawn")


class Enrolment(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    centre = models.ForeignKey(ChildCentre, on_delete=models.PROTECT, related_name="enrolments")
    child = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    school_year = models.PositiveSmallIntegerField(_("ปีการศึกษา (ค.ศ.) / school year (CE)"))
    status = models.CharField(max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.APPLIED)
    age_months = models.PositiveSmallIntegerField(help_text=_("on the first day of the school year"))
    applied_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_resident = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["centre", "school_year", "created_at"]
        verbose_name = _("การสมัครเรียน / enrolment")
        verbose_name_plural = _("การสมัครเรียน / enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["child", "school_year"],
                condition=~Q(status="withdrawn"),
                name="enrolment_one_per_year",
            )
        ]
