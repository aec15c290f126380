"""Community leaders and health volunteers (อสม.): who serves which village, households' consent to be
acted for, and the log of every act done on a household's behalf.

A helper is an ordinary user (signing in on a phone) tied to villages by :class:`VillageHelper`;
acting for a household needs that household's recorded, unrevoked :class:`HouseholdConsent`, and
every act is written to :class:`ProxyAct` (append-only for every role).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcels.models import Household, Organisation, Party, Village


class HelperKind(models.TextChoices):
    LEADER = "leader", _("ผู้นำชุมชน / community leader")
    VOLUNTEER = "volunteer", _("อาสาสมัครสาธารณสุข (อสม.) / village health volunteer")


class VillageHelper(models.Model):
    """A user who serves a village as its leader or as a health volunteer."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="village_roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="helpers")
    kind = models.CharField(_("บทบาท / role"), max_length=10, choices=HelperKind.choices)
    active = models.BooleanField(_("ใช้งาน / active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ผู้นำชุมชน/อสม. / village helper")
        verbose_name_plural = _("ผู้นำชุมชนและ อสม. / village helpers")
        constraints = [
            models.UniqueConstraint(fields=["user", "village", "kind"], name="village_helper_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_kind_display()} หมู่ {self.village.number}"


class HouseholdConsent(models.Model):
    """A household's consent that one helper may act for it (file requests, check in, enrol)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="helper_consents")
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    given_by = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="+", verbose_name=_("ผู้ให้ความยินยอม / given by")
    )
    evidence = models.CharField(
        _("หลักฐาน / evidence"),
        max_length=200,
        help_text=_("เช่น เลขที่แบบฟอร์มยินยอมที่ลงชื่อ / e.g. the number of the signed consent form"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateField(_("หมดอายุ / expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ความยินยอมของครัวเรือน / household consent")
        verbose_name_plural = _("ความยินยอมของครัวเรือน / household consents")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "helper"],
                condition=Q(revoked_at__isnull=True),
                name="consent_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} → {self.helper}"


class ProxyAct(models.Model):
    """One act a helper did on a household's behalf (kept for the household and the office)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    consent = models.ForeignKey(HouseholdConsent, on_delete=models.PROTECT, related_name="acts")
    action = models.CharField(max_length=40)
    target = models.CharField(max_length=80, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = ("view",)
        ordering = ["-at"]
        verbose_name = _("การกระทำแทนครัวเรือน / act on behalf")
        verbose_name_plural = _("การกระทำแทนครัวเรือน / acts on behalf")
        indexes = [models.Index(fields=["household", "at"], name="proxyact_household_at")]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.target} for {self.household_id}"
