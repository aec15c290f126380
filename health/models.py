"""Public health: the larval survey of households (Smart Yunglai) and outbreak follow-up.

Larval indices (WHO definitions), per village and month:
- House Index HI = houses with at least one larva-positive container / houses inspected × 100;
- Container Index CI = positive containers / water-holding containers inspected × 100;
- Breteau Index BI = positive containers per 100 houses inspected.
Container kinds and the alert thresholds are data the office edits.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from parcels.models import Household, Organisation, Party, Village


class ContainerKind(models.Model):
    """A kind of water-holding container the volunteers count (jar, tank, tyre, vase, …)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("รหัส / code"), max_length=30)
    name_th = models.CharField(_("ชื่อภาษาไทย / Thai name"), max_length=100)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ / English name"), max_length=100)
    icon = models.CharField(_("ไอคอน / icon"), max_length=20, default="jar")
    position = models.PositiveSmallIntegerField(_("ลำดับ / order"), default=100)
    active = models.BooleanField(_("ใช้งาน / active"), default=True)

    class Meta:
        ordering = ["organisation", "position", "code"]
        verbose_name = _("ชนิดภาชนะ / container kind")
        verbose_name_plural = _("ชนิดภาชนะ / container kinds")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="containerkind_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name_th} / {self.name_en}"


class LarvalIndex(models.TextChoices):
    HI = "HI", _("House Index (ร้อยละบ้านที่พบลูกน้ำ)")
    CI = "CI", _("Container Index (ร้อยละภาชนะที่พบลูกน้ำ)")
    BI = "BI", _("Breteau Index (ภาชนะที่พบลูกน้ำต่อ 100 บ้าน)")


class IndexThreshold(models.Model):
    """The value of an index at or above which a village is at risk and the officer is alerted."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    index = models.CharField(_("ดัชนี / index"), max_length=2, choices=LarvalIndex.choices)
    value = models.DecimalField(_("ค่าเกณฑ์ / threshold"), max_digits=6, decimal_places=2)
    min_houses = models.PositiveSmallIntegerField(
        _("บ้านขั้นต่ำ / minimum houses"),
        default=10,
        help_text=_(
            "แจ้งเตือนเมื่อสำรวจในเดือนนั้นแล้วอย่างน้อยกี่หลังคาเรือน / "
            "alert only once this many houses were inspected that month"
        ),
    )
    source = models.CharField(_("ที่มา / source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("เกณฑ์ดัชนีลูกน้ำ / larval index threshold")
        verbose_name_plural = _("เกณฑ์ดัชนีลูกน้ำ / larval index thresholds")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "index"], name="threshold_one_per_index"),
            models.CheckConstraint(condition=Q(value__gte=0), name="threshold_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.index} ≥ {self.value}"


class LarvalSurvey(models.Model):
    """One household's survey in one month (recorded again in the same month: replaced)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="larval_surveys")
    month = models.DateField(_("เดือน / month"), help_text=_("วันที่ 1 ของเดือน / first day of the month"))
    surveyed_on = models.DateField(_("วันที่สำรวจ / surveyed on"))
    containers_inspected = models.PositiveIntegerField(default=0)
    containers_positive = models.PositiveIntegerField(default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "village_id"]
        verbose_name = _("การสำรวจลูกน้ำยุงลาย / larval survey")
        verbose_name_plural = _("การสำรวจลูกน้ำยุงลาย / larval surveys")
        constraints = [
            models.UniqueConstraint(fields=["household", "month"], name="survey_one_per_household_month"),
            models.CheckConstraint(
                condition=Q(containers_positive__lte=F("containers_inspected")),
                name="survey_positive_le_inspected",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="survey_month_first_day"),
        ]
        indexes = [models.Index(fields=["organisation", "month", "village"], name="survey_org_month_village")]

    def __str__(self) -> str:
        return f"{self.household} {self.month:%Y-%m}: {self.containers_positive}/{self.containers_inspected}"


class LarvalCount(models.Model):
    """Containers of one kind inspected in a survey and how many had larvae."""

    survey = models.ForeignKey(LarvalSurvey, on_delete=models.CASCADE, related_name="counts")
    kind = models.ForeignKey(ContainerKind, on_delete=models.PROTECT, related_name="+")
    inspected = models.PositiveIntegerField()
    positive = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "kind"], name="count_one_per_kind"),
            models.CheckConstraint(
                condition=Q(positive__lte=F("inspected")), name="count_positive_le_inspected"
            ),
        ]


class VillageAlert(models.Model):
    """A village passed an index threshold in a month (one alert per village, month and index)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    index = models.CharField(max_length=2, choices=LarvalIndex.choices)
    value = models.DecimalField(max_digits=7, decimal_places=2)
    threshold = models.DecimalField(max_digits=6, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("แจ้งเตือนดัชนีลูกน้ำ / larval index alert")
        verbose_name_plural = _("แจ้งเตือนดัชนีลูกน้ำ / larval index alerts")
        constraints = [
            models.UniqueConstraint(fields=["village", "month", "index"], name="alert_one_per_index")
        ]

    def __str__(self) -> str:
        return f"หมู่ {self.village.number} {self.month:%Y-%m} {self.index} {self.value} ≥ {self.threshold}"


class Disease(models.Model):
    """A disease followed at home (Covid-19 and the like): isolation days and symptoms are data."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("รหัส / code"), max_length=30)
    name_th = models.CharField(_("ชื่อภาษาไทย / Thai name"), max_length=100)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ / English name"), max_length=100)
    isolation_days = models.PositiveSmallIntegerField(_("วันแยกกักตัวผู้ป่วย / isolation days (case)"))
    contact_days = models.PositiveSmallIntegerField(
        _("วันกักตัวผู้สัมผัส / quarantine days (contact)"), default=0, help_text=_("0 = ไม่ต้องกักตัว / none")
    )
    symptoms = models.JSONField(
        _("อาการที่ถาม / symptoms asked"),
        default=list,
        blank=True,
        help_text=_('รายการ {"code", "name_th", "name_en", "icon"}'),
    )
    source = models.CharField(_("ที่มา / source"), max_length=200, blank=True)
    active = models.BooleanField(_("ใช้งาน / active"), default=True)

    class Meta:
        ordering = ["organisation", "code"]
        verbose_name = _("โรคที่ติดตาม / disease followed")
        verbose_name_plural = _("โรคที่ติดตาม / diseases followed")
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="disease_code_unique")]

    def __str__(self) -> str:
        return f"{self.name_th} / {self.name_en}"

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_th


class CaseRole(models.TextChoices):
    CASE = "case", _("ผู้ป่วย / case")
    CONTACT = "contact", _("ผู้สัมผัส / contact")


class EndReason(models.TextChoices):
    COMPLETED = "completed", _("ครบกำหนด / completed")
    RECOVERED = "recovered", _("หายแล้ว / recovered")
    HOSPITAL = "hospital", _("ส่งโรงพยาบาล / sent to hospital")
    MOVED = "moved", _("ย้ายออก / moved away")
    DIED = "died", _("เสียชีวิต / died")
    ERROR = "error", _("บันทึกผิด / recorded in error")


class OutbreakCase(models.Model):
    """A case or contact of a disease in a household, isolated at home from one date to another."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    disease = models.ForeignKey(Disease, on_delete=models.PROTECT, related_name="cases")
    role = models.CharField(_("เป็น / role"), max_length=8, choices=CaseRole.choices)
    reported_on = models.DateField(_("วันที่รับแจ้ง / reported on"))
    isolation_start = models.DateField(_("เริ่มกักตัว / isolation from"))
    isolation_end = models.DateField(_("สิ้นสุดกักตัว / isolation until"))
    ended_on = models.DateField(_("จบการติดตาม / follow-up ended"), null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=EndReason.choices, blank=True)
    note = models.TextField(_("หมายเหตุ / note"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-isolation_start", "id"]
        verbose_name = _("ผู้ป่วย/ผู้สัมผัส / outbreak case")
        verbose_name_plural = _("ผู้ป่วย/ผู้สัมผัส / outbreak cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(isolation_end__gte=F("isolation_start")), name="case_isolation_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("isolation_start")),
                name="case_ended_after_start",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "ended_on"], name="case_org_open")]

    def __str__(self) -> str:
        return f"{self.disease.code} {self.role} #{self.pk}"


class Feeling(models.TextChoices):
    BETTER = "better", _("ดีขึ้น / better")
    SAME = "same", _("เท่าเดิม / the same")
    WORSE = "worse", _("แย่ลง / worse")


class IsolationCheckin(models.Model):
    """One day's check-in of an isolated person, by the volunteer or by the household."""

    case = models.ForeignKey(OutbreakCase, on_delete=models.CASCADE, related_name="checkins")
    day = models.DateField()
    feeling = models.CharField(max_length=6, choices=Feeling.choices)
    temperature = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    symptoms = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=500, blank=True)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_resident = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["case", "day"], name="checkin_one_per_day"),
            models.CheckConstraint(
                condition=Q(temperature__isnull=True) | Q(temperature__gte=30, temperature__lte=45),
                name="checkin_temperature_range",
            ),
        ]
