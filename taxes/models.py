"""Land and Building Tax data: appraisal tables and rules per tax year, assessments, notices, payments.

Rules and tables are data per organisation and tax year (a new year is a copy of the last, edited);
the computation is the pure engine in :mod:`taxes.engine`. Money is ``DecimalField(14, 2)``.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from parcels.models import BuildingMaterial, BuildingType, Organisation, Parcel, Party, Village

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class Ref2Policy(models.TextChoices):
    NONE = "none", _("ไม่ใช้ / none")
    YEAR = "year", _("ปีภาษี (พ.ศ.) / tax year (BE)")
    INSTALLMENT = "installment", _("งวดที่ (0 = เต็มจำนวน) / installment number (0 = in full)")


class TaxOffice(models.Model):
    """Per-organisation tax settings: the PromptPay biller suffix and how reference 2 is filled."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="tax_office")
    biller_suffix = models.CharField(
        _("รหัสต่อท้าย Biller ID / biller id suffix"),
        max_length=2,
        default="00",
        validators=[RegexValidator(r"^\d{2}$", "two digits")],
    )
    ref2_policy = models.CharField(max_length=12, choices=Ref2Policy.choices, default=Ref2Policy.INSTALLMENT)
    thai_digits = models.BooleanField(_("ใช้เลขไทยในเอกสาร / Thai digits on documents"), default=False)
    officer_name = models.CharField(_("ผู้ประเมิน / assessing officer"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("สำนักงานจัดเก็บภาษี / tax office settings")

    def __str__(self) -> str:
        return f"{self.organisation.slug} tax settings"


class TaxYearStatus(models.TextChoices):
    OPEN = "open", _("เปิด / open")
    CLOSED = "closed", _("ปิด / closed")


class TaxYear(models.Model):
    """One tax year of an organisation: the engine rules (as the plain dict of taxes.rules) and counters."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tax_years")
    year = models.PositiveSmallIntegerField(_("ปีภาษี (ค.ศ.) / tax year (CE)"))
    rules = models.JSONField(_("อัตราและเงื่อนไข / rules"), help_text="the dict of taxes.rules.rules_to_dict")
    notice_date = models.DateField(_("วันที่แจ้งประเมิน / notice date"), null=True, blank=True)
    status = models.CharField(max_length=8, choices=TaxYearStatus.choices, default=TaxYearStatus.OPEN)
    next_notice_seq = models.PositiveIntegerField(default=1, editable=False)
    next_receipt_seq = models.PositiveIntegerField(default=1, editable=False)
    next_reminder_seq = models.PositiveIntegerField(default=1, editable=False)
    last_assessed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Due dates the office sets for notices issued after the year's own dates (Sec. 14), with the reason
    office_due_dates = ArrayField(
        models.DateField(),
        default=list,
        blank=True,
        verbose_name=_("กำหนดชำระที่ อปท. กำหนด / office due dates"),
    )
    office_dates_reason = models.TextField(_("เหตุผล / reason for the office dates"), blank=True)
    office_dates_set_at = models.DateTimeField(null=True, blank=True, editable=False)
    office_dates_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["organisation", "-year"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="taxyear_unique")]

    def __str__(self) -> str:
        return f"{self.organisation.slug} {self.year} (พ.ศ. {self.year + 543})"

    def clean(self) -> None:
        """Rules edited in the admin must still build the engine's rules (checked before saving)."""
        from django.core.exceptions import ValidationError

        from .rules import rules_from_dict

        try:
            rules_from_dict({**(self.rules or {}), "year": self.year})
        except (ValueError, TypeError) as exc:
            raise ValidationError({"rules": str(exc)}) from None


class LandPrice(models.Model):
    """Treasury appraisal price per sq wah: for one parcel, or for a zone/block (block blank = whole zone)."""

    tax_year = models.ForeignKey(TaxYear, on_delete=models.CASCADE, related_name="land_prices")
    zone = models.CharField(max_length=2, blank=True)
    block = models.CharField(max_length=2, blank=True)
    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    price_per_sq_wah = models.DecimalField(**MONEY, validators=[MinValueValidator(ZERO)])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tax_year", "zone", "block"],
                condition=Q(parcel__isnull=True),
                name="landprice_zone_block",
            ),
            models.UniqueConstraint(
                fields=["tax_year", "parcel"], condition=Q(parcel__isnull=False), name="landprice_parcel"
            ),
            models.CheckConstraint(
                condition=Q(parcel__isnull=False) | ~Q(zone=""), name="landprice_parcel_or_zone"
            ),
        ]

    def __str__(self) -> str:
        where = f"parcel {self.parcel_id}" if self.parcel_id else f"{self.zone}{self.block or '*'}"
        return f"{where}: {self.price_per_sq_wah}/sq wah"


class BuildingCost(models.Model):
    """Treasury construction cost per m² by building type."""

    tax_year = models.ForeignKey(TaxYear, on_delete=models.CASCADE, related_name="building_costs")
    building_type = models.CharField(max_length=16, choices=BuildingType.choices)
    cost_per_m2 = models.DecimalField(**MONEY, validators=[MinValueValidator(ZERO)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tax_year", "building_type"], name="buildingcost_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.building_type}: {self.cost_per_m2}/m²"


class Depreciation(models.Model):
    """Depreciation percent by building material and age in years (age_from <= age <= age_to)."""

    tax_year = models.ForeignKey(TaxYear, on_delete=models.CASCADE, related_name="depreciation")
    material = models.CharField(max_length=16, choices=BuildingMaterial.choices)
    age_from = models.PositiveSmallIntegerField()
    age_to = models.PositiveSmallIntegerField(null=True, blank=True, help_text="blank = and older")
    percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["material", "age_from"]
        constraints = [
            models.UniqueConstraint(fields=["tax_year", "material", "age_from"], name="depreciation_unique"),
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=100), name="depreciation_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.material} {self.age_from}-{self.age_to or '…'}: {self.percent}%"


class CondoUnitPrice(models.Model):
    """Treasury condominium unit price per m² (kept for completeness; the engine does not value units yet)."""

    tax_year = models.ForeignKey(TaxYear, on_delete=models.CASCADE, related_name="condo_prices")
    condominium = models.CharField(max_length=200)
    price_per_m2 = models.DecimalField(**MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tax_year", "condominium"], name="condo_unique")]

    def __str__(self) -> str:
        return f"{self.condominium}: {self.price_per_m2}/m²"


class SpecialReductionRecord(models.Model):
    """A special reduction (Sec. 55 decree, e.g. 50 % for power plant land) recorded on a parcel or building.

    ``code`` is the decree's item as listed in the year's rules (``special_reductions``; taxes.law).
    The yearly run applies it from ``from_year`` to ``to_year`` (blank = open).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    building = models.ForeignKey(
        "parcels.Building", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    code = models.CharField(_("รายการตามพระราชกฤษฎีกา / decree item"), max_length=40)
    note = models.TextField(_("หลักฐาน / evidence"), blank=True)
    from_year = models.PositiveSmallIntegerField(default=2020)
    to_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("การลดภาษีทรัพย์สินบางประเภท / special reduction")
        constraints = [
            models.CheckConstraint(
                condition=(Q(parcel__isnull=False) & Q(building__isnull=True))
                | (Q(parcel__isnull=True) & Q(building__isnull=False)),
                name="special_reduction_parcel_or_building",
            ),
        ]

    def __str__(self) -> str:
        on = f"parcel {self.parcel_id}" if self.parcel_id else f"building {self.building_id}"
        return f"{self.code} on {on}"


class IssueBatch(models.Model):
    """Notices issued together: the issue date and the due dates they carry (the year's, or the office's)."""

    tax_year = models.ForeignKey(TaxYear, on_delete=models.PROTECT, related_name="issue_batches")
    issued_on = models.DateField()
    due_dates = ArrayField(models.DateField())
    office_dates = models.BooleanField(default=False, help_text="dates set by the office, not the year's")
    reason = models.TextField(blank=True)
    count = models.PositiveIntegerField(default=0)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.tax_year} issued {self.issued_on} ({self.count})"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("ร่าง / draft")
    ISSUED = "issued", _("ออกแบบแจ้งแล้ว / issued")
    CANCELLED = "cancelled", _("ยกเลิก / cancelled")


class Assessment(models.Model):
    """One taxpayer's assessment for one year (co-owners are each assessed on their shares)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tax_assessments")
    # no index of its own: the (tax_year, status) index and the (tax_year, party) constraint serve it
    tax_year = models.ForeignKey(
        TaxYear, on_delete=models.PROTECT, related_name="assessments", db_index=False
    )
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="tax_assessments")
    village = models.ForeignKey(Village, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    category = models.CharField(max_length=40, help_text="the schedule with the largest value")
    status = models.CharField(max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    value = models.DecimalField(**MONEY, default=ZERO)
    exemption = models.DecimalField(**MONEY, default=ZERO)
    total = models.DecimalField(**MONEY, default=ZERO)
    # stored compactly (codes, numbers, the arguments of each text): read it through ``itemised``
    detail = models.JSONField(help_text="itemised assessment, compact (taxes.itemised.pack); see .itemised")
    parcel_ids = ArrayField(models.BigIntegerField(), default=list)
    notice_number = models.CharField(max_length=20, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    paid = models.DecimalField(_("ชำระภาษีแล้ว / tax paid"), **MONEY, default=ZERO)
    surcharge_paid = models.DecimalField(**MONEY, default=ZERO)
    # surcharge fixed on tax that was paid late (the surcharge on tax still unpaid grows by the month)
    surcharge_accrued = models.DecimalField(**MONEY, default=ZERO)
    # penalty (Sec. 68-69) fixed on tax paid late, and paid
    penalty_accrued = models.DecimalField(**MONEY, default=ZERO)
    penalty_paid = models.DecimalField(**MONEY, default=ZERO)
    issue_batch = models.ForeignKey(
        IssueBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="assessments"
    )
    # a replacement notice (after an accepted objection) points to the notice it replaces
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tax_year", "notice_number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_year", "party"],
                condition=~Q(status="cancelled"),
                name="assessment_one_live_per_party_year",
            ),
            models.UniqueConstraint(
                fields=["organisation", "notice_number"],
                condition=~Q(notice_number=""),
                name="notice_number_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["tax_year", "status"], name="assessment_year_status"),
            GinIndex(fields=["parcel_ids"], name="assessment_parcel_ids"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_number or 'draft'} {self.party_id} {self.total}"

    @property
    def outstanding(self) -> Decimal:
        return max(self.total - self.paid, ZERO)

    @cached_property
    def itemised(self) -> dict[str, Any]:
        """The itemised assessment as shown (valuations, lines, notes with their Thai/English texts).

        The dict of ``taxes.quote.assessment_to_dict`` plus ``register_notes``, rendered from the
        compact ``detail`` (:func:`taxes.itemised.unpack`).
        """
        from .itemised import unpack

        return unpack(self.detail)


class Installment(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="installments")
    number = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["assessment", "number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "number"], name="installment_unique")]

    def __str__(self) -> str:
        return f"{self.number}: {self.amount} by {self.due_date}"


class PaymentChannel(models.TextChoices):
    COUNTER = "counter", _("ชำระที่สำนักงาน / at the counter")
    BANK = "bank", _("ธนาคาร / PromptPay / bank")


class Payment(models.Model):
    """Money received for an assessment; ``bank_reference`` makes a bank import idempotent."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tax_payments")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="payments")
    channel = models.CharField(max_length=8, choices=PaymentChannel.choices)
    bank_reference = models.CharField(max_length=64, null=True, blank=True)
    paid_on = models.DateField()
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    tax_part = models.DecimalField(**MONEY, default=ZERO)
    surcharge_part = models.DecimalField(**MONEY, default=ZERO)
    excess_part = models.DecimalField(**MONEY, default=ZERO, help_text="more than was due: refund")
    ref1 = models.CharField(max_length=20, blank=True)
    ref2 = models.CharField(max_length=20, blank=True)
    penalty_part = models.DecimalField(**MONEY, default=ZERO)
    penalty_percent = models.DecimalField(max_digits=5, decimal_places=2, default=ZERO)
    # a counter payment's one-time key (from the form): a second submit records nothing new
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)
    receipt_number = models.CharField(max_length=20)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "bank_reference"],
                condition=Q(bank_reference__isnull=False),
                name="payment_bank_reference_unique",
            ),
            models.UniqueConstraint(fields=["organisation", "receipt_number"], name="receipt_number_unique"),
            models.UniqueConstraint(
                fields=["organisation", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="payment_idempotency_key_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.amount}"


class ReminderBatch(models.Model):
    """Reminder letters (หนังสือแจ้งเตือน, Sec. 61) sent together, with the date they ask payment by."""

    tax_year = models.ForeignKey(TaxYear, on_delete=models.PROTECT, related_name="reminder_batches")
    issued_on = models.DateField(_("วันที่ออกหนังสือ / issued on"))
    pay_by = models.DateField(_("ชำระภายใน / pay by"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(pay_by__gt=F("issued_on")), name="reminder_pay_by_after")
        ]

    def __str__(self) -> str:
        return f"{self.tax_year} reminders {self.issued_on} (pay by {self.pay_by})"


class Reminder(models.Model):
    """One reminder letter: its own number, the tax overdue when sent, and the date it was received."""

    batch = models.ForeignKey(ReminderBatch, on_delete=models.PROTECT, related_name="reminders")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="reminders")
    number = models.CharField(max_length=20)
    overdue_tax = models.DecimalField(**MONEY)
    received_on = models.DateField(_("วันที่ได้รับหนังสือ / received on"), null=True, blank=True)
    received_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "assessment"], name="reminder_once_per_batch"),
            models.UniqueConstraint(fields=["assessment", "number"], name="reminder_number_unique"),
        ]

    def __str__(self) -> str:
        return f"reminder {self.number}"


class CaseStatus(models.TextChoices):
    OPEN = "open", _("รอพิจารณา / open")
    ACCEPTED = "accepted", _("รับคำคัดค้าน / accepted")
    REJECTED = "rejected", _("ยกคำคัดค้าน / rejected")


class Objection(models.Model):
    """A taxpayer's objection to an assessment (Sec. 73, verify) and the executive's decision."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="objections")
    filed_on = models.DateField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    decided_on = models.DateField(null=True, blank=True)
    decision = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"objection {self.pk} ({self.status})"


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("รอคืนเงิน / pending")
    PAID = "paid", _("คืนเงินแล้ว / refunded")
    REJECTED = "rejected", _("ไม่คืน / rejected")


class Refund(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    paid_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"refund {self.amount} ({self.status})"
