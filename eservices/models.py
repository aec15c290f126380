"""Household QR tokens, resident verification, service types and requests with their timeline.

A sticker carries an unguessable token; only its SHA-256 is stored, so a leaked database cannot
print stickers, and a re-issued sticker revokes the household's previous one. Service types are
data (names, form fields, fee, attachments, workflow states, target days) the office edits in the
admin; every request belongs to one household and one location.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcels.models import Household, Organisation, Party


class HouseholdToken(models.Model):
    """The token of a household's QR sticker, stored only as its SHA-256 hex digest."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="qr_tokens")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("สติกเกอร์ QR ครัวเรือน / household QR token")
        verbose_name_plural = _("สติกเกอร์ QR ครัวเรือน / household QR tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(revoked_at__isnull=True), name="hhtoken_one_active"
            )
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"{self.household} ({state}, {self.token_hash[:8]}…)"


class HouseholdSticker(Household):
    """The register's household, listed in the admin for printing one sticker (proxy, no table)."""

    class Meta:
        proxy = True
        verbose_name = _("พิมพ์สติกเกอร์ครัวเรือน / household sticker")
        verbose_name_plural = _("พิมพ์สติกเกอร์ครัวเรือน / household stickers")


class VerificationMethod(models.TextChoices):
    ID_BIRTH_YEAR = "id_year", _("เลขบัตร 4 หลักท้าย + ปีเกิด / ID last 4 + birth year")
    OTP = "otp", _("รหัสทาง SMS / SMS code")
    OTP_SEND = "otp_send", _("ส่งรหัส SMS / SMS code sent")


class VerificationAttempt(models.Model):
    """One try to prove membership of a household: counted for rate limits and kept as a log."""

    token_hash = models.CharField(max_length=64, db_index=False)
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    # sha256 of the device cookie's id: failures lock one device on one sticker, not the household.
    device = models.CharField(max_length=64, blank=True, default="")
    method = models.CharField(max_length=10, choices=VerificationMethod.choices)
    success = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("การยืนยันตัวตน / verification attempt")
        verbose_name_plural = _("การยืนยันตัวตน / verification attempts")
        indexes = [
            models.Index(fields=["token_hash", "created_at"], name="verif_token_time"),
            models.Index(fields=["token_hash", "device", "created_at"], name="verif_device_time"),
            models.Index(fields=["ip", "created_at"], name="verif_ip_time"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {'ok' if self.success else 'fail'} {self.ip} {self.created_at:%Y-%m-%d %H:%M}"


class OneTimeCode(models.Model):
    """A code sent by SMS to a household member's phone; stored hashed, single use, short-lived."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64)
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["token_hash", "expires_at"], name="otp_token_expiry")]


class ServiceKind(models.TextChoices):
    GENERAL = "general", _("ทั่วไป / general")
    EMERGENCY = "emergency", _("เหตุฉุกเฉิน / emergency")
    WELFARE = "welfare", _("สวัสดิการ / welfare")
    REPORT = "report", _("แจ้งปัญหา / report")
    TAX = "tax", _("ชำระภาษี / tax payment")


def default_workflow() -> list[dict]:
    from .conf import DEFAULT_WORKFLOW

    return [dict(state) for state in DEFAULT_WORKFLOW]


class ServiceType(models.Model):
    """A service the office offers, as data the office edits (names, form, fee, workflow, target)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="service_types")
    code = models.SlugField(_("รหัส / code"), max_length=40)
    kind = models.CharField(_("ชนิด / kind"), max_length=10, choices=ServiceKind.choices, default="general")
    name_th = models.CharField(_("ชื่อภาษาไทย / Thai name"), max_length=200)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ / English name"), max_length=200)
    description_th = models.TextField(_("คำอธิบาย (ไทย) / Thai description"), blank=True)
    description_en = models.TextField(_("คำอธิบาย (อังกฤษ) / English description"), blank=True)
    icon = models.CharField(
        _("ไอคอน / icon"),
        max_length=20,
        default="doc",
        help_text=_("ชื่อไอคอนใน eservices/static/eservices/icons.svg / icon name in the sprite"),
    )
    fee = models.DecimalField(_("ค่าธรรมเนียม (บาท) / fee (baht)"), max_digits=10, decimal_places=2, default=0)
    form_fields = models.JSONField(
        _("ช่องในแบบฟอร์ม / form fields"),
        default=list,
        blank=True,
        help_text=_(
            'รายการ {"name", "label_th", "label_en", "type": text|textarea|number|date|choice|tel, '
            '"required", "choices": [[value, th, en]]}'
        ),
    )
    required_attachments = models.JSONField(
        _("เอกสารแนบที่ต้องมี / required attachments"),
        default=list,
        blank=True,
        help_text=_('รายการ {"name", "label_th", "label_en", "required"}: รูปถ่าย JPEG/PNG/WEBP'),
    )
    workflow_states = models.JSONField(
        _("ขั้นตอน / workflow states"),
        default=default_workflow,
        help_text=_('รายการ {"code", "name_th", "name_en", "final"}; ขั้นแรกคือสถานะเมื่อยื่นคำขอ'),
    )
    target_days = models.PositiveSmallIntegerField(_("เป้าหมาย (วัน) / target days"), default=7)
    requires_verification = models.BooleanField(_("ต้องยืนยันตัวตน / needs verification"), default=False)
    active = models.BooleanField(_("เปิดให้บริการ / active"), default=True)
    position = models.PositiveSmallIntegerField(_("ลำดับ / order"), default=100)

    class Meta:
        ordering = ["organisation", "position", "code"]
        verbose_name = _("ประเภทบริการ / service type")
        verbose_name_plural = _("ประเภทบริการ / service types")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="servicetype_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name_th} / {self.name_en}"

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_th

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" else self.description_th

    @property
    def initial_state(self) -> str:
        return self.workflow_states[0]["code"]

    def state(self, code: str) -> dict | None:
        return next((s for s in self.workflow_states if s.get("code") == code), None)

    def final_codes(self) -> set[str]:
        return {s["code"] for s in self.workflow_states if s.get("final")}


class ServiceRequest(models.Model):
    """A resident's request for a service, for one household at one place."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="service_requests")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="service_requests")
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="requests")
    status = models.CharField(_("สถานะ / status"), max_length=30)
    is_open = models.BooleanField(default=True, editable=False)
    location = models.PointField(_("ตำแหน่ง / location"), srid=4326)
    pin_moved = models.BooleanField(_("ย้ายหมุด / pin moved"), default=False)
    gps = models.PointField(_("GPS ของโทรศัพท์ / phone GPS"), srid=4326, null=True, blank=True)
    gps_accuracy_m = models.FloatField(null=True, blank=True)
    data = models.JSONField(_("ข้อมูลในแบบฟอร์ม / form data"), default=dict, blank=True)
    contact_phone = models.CharField(_("โทรศัพท์ติดต่อ / contact phone"), max_length=20, blank=True)
    fee = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    nonce = models.CharField(max_length=64, unique=True, editable=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("กำหนดเสร็จ / due"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("คำขอรับบริการ / service request")
        verbose_name_plural = _("คำขอรับบริการ / service requests")
        indexes = [
            models.Index(fields=["organisation", "is_open", "created_at"], name="sreq_org_open_time"),
            models.Index(fields=["household", "created_at"], name="sreq_household_time"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.service_type.code}"

    @property
    def reference(self) -> str:
        return f"R{self.pk:06d}" if self.pk else "R-new"


class RequestEvent(models.Model):
    """One step of a request's timeline, shown to the resident (status changes and comments)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30)
    comment = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_resident = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} → {self.to_status}"


class RequestAttachment(models.Model):
    """A photo sent with a request: checked with Pillow, EXIF stripped, re-encoded."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=40, default="photo")
    file = models.FileField(upload_to="eservices/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)


class WelfareProgram(models.TextChoices):
    ELDERLY = "elderly", _("เบี้ยยังชีพผู้สูงอายุ / elderly allowance")
    DISABILITY = "disability", _("เบี้ยความพิการ / disability allowance")
    NEWBORN = "newborn", _("เงินอุดหนุนเด็กแรกเกิด / child support grant")


class WelfareRule(models.Model):
    """One age band of an allowance and its monthly amount (data: amounts change by decree)."""

    program = models.CharField(max_length=12, choices=WelfareProgram.choices)
    min_age = models.PositiveSmallIntegerField(_("อายุตั้งแต่ / from age"))
    max_age = models.PositiveSmallIntegerField(_("อายุไม่เกิน / up to age"), null=True, blank=True)
    monthly_amount = models.DecimalField(_("บาทต่อเดือน / baht a month"), max_digits=8, decimal_places=2)
    condition_th = models.CharField(_("เงื่อนไข / condition (th)"), max_length=200, blank=True)
    condition_en = models.CharField(_("เงื่อนไข / condition (en)"), max_length=200, blank=True)
    requires_disability_card = models.BooleanField(
        _("ต้องมีบัตรคนพิการ / needs a disability card"),
        default=False,
        help_text=_("เสนอเฉพาะผู้ที่มีบัตรประจำตัวคนพิการที่ยังไม่หมดอายุ / only for holders of a valid disability card"),
    )
    max_income_per_person = models.DecimalField(
        _("รายได้ครัวเรือนไม่เกิน (บาท/คน/ปี) / household income up to (baht/person/year)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("ว่าง = ไม่ดูรายได้ / empty: income does not matter"),
    )
    needs_verify = models.BooleanField(
        _("ต้องตรวจสอบกับระเบียบ / to verify"),
        default=True,
        help_text=_("จำนวนเงินยังไม่ได้ตรวจกับระเบียบฉบับจริง / amount not yet checked against the regulation"),
    )

    class Meta:
        ordering = ["program", "min_age"]
        verbose_name = _("เกณฑ์สวัสดิการ / welfare rule")
        verbose_name_plural = _("เกณฑ์สวัสดิการ / welfare rules")
        constraints = [models.UniqueConstraint(fields=["program", "min_age"], name="welfare_rule_band")]

    def __str__(self) -> str:
        top = self.max_age if self.max_age is not None else "+"
        return f"{self.program} {self.min_age}-{top}: {self.monthly_amount}"


class DisabilityCard(models.Model):
    """A person's disability identity card (บัตรประจำตัวคนพิการ), as registered with the office."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="disability_cards")
    card_number = models.CharField(_("เลขที่บัตร / card number"), max_length=30)
    issued_on = models.DateField(_("วันออกบัตร / issued"))
    expires_on = models.DateField(_("วันหมดอายุ / expires"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("บัตรประจำตัวคนพิการ / disability card")
        verbose_name_plural = _("บัตรประจำตัวคนพิการ / disability cards")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                name="disability_card_dates",
            )
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.card_number}"


class HouseholdIncome(models.Model):
    """A household's yearly income as declared or surveyed (for allowances with an income limit)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("ปี (ค.ศ.) / year (CE)"))
    annual_income = models.DecimalField(
        _("รายได้ทั้งปี (บาท) / income in the year (baht)"), max_digits=12, decimal_places=2
    )
    members = models.PositiveSmallIntegerField(_("จำนวนสมาชิก / members"))
    source = models.CharField(_("ที่มา / source"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("รายได้ครัวเรือน / household income")
        verbose_name_plural = _("รายได้ครัวเรือน / household incomes")
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="household_income_year"),
            models.CheckConstraint(condition=Q(members__gte=1), name="household_income_members"),
            models.CheckConstraint(condition=Q(annual_income__gte=0), name="household_income_not_negative"),
        ]

    @property
    def per_person(self) -> Decimal:
        return self.annual_income / self.members


class WelfareEnrolment(models.Model):
    """A person already receiving an allowance (so the check does not suggest it again)."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="welfare_enrolments")
    program = models.CharField(max_length=12, choices=WelfareProgram.choices)
    since = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("ผู้รับสวัสดิการ / welfare enrolment")
        verbose_name_plural = _("ผู้รับสวัสดิการ / welfare enrolments")
        constraints = [models.UniqueConstraint(fields=["party", "program"], name="welfare_enrolment_unique")]

    def __str__(self) -> str:
        return f"{self.party} {self.program}"
