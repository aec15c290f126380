"""Word back to the household: LINE accounts linked to households (or staff), SMS numbers, and the
outbox of messages, each sent by a Celery task after the change that caused it is committed."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcels.models import Household, Organisation


class LineChannel(models.Model):
    """The office's LINE Official Account (Messaging API channel): secret and access token."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="line_channel")
    channel_id = models.CharField(max_length=20, blank=True)
    channel_secret = models.CharField(max_length=64)
    access_token = models.CharField(max_length=300)
    basic_id = models.CharField(
        _("LINE ID ของบัญชี / basic ID"), max_length=30, help_text=_("เช่น @pangmu / e.g. @pangmu")
    )

    class Meta:
        verbose_name = _("บัญชี LINE ของ อปท. / LINE channel")
        verbose_name_plural = _("บัญชี LINE ของ อปท. / LINE channels")

    def __str__(self) -> str:
        return f"{self.organisation.slug} {self.basic_id}"


class LineLink(models.Model):
    """A LINE user who receives a household's (or a staff member's) notifications."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    line_user_id = models.CharField(max_length=40)
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("LINE ที่เชื่อมแล้ว / linked LINE account")
        verbose_name_plural = _("LINE ที่เชื่อมแล้ว / linked LINE accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(household__isnull=False) ^ Q(user__isnull=False), name="linelink_one_owner"
            ),
            models.UniqueConstraint(
                fields=["line_user_id", "household"], condition=Q(active=True), name="linelink_household_once"
            ),
            models.UniqueConstraint(
                fields=["line_user_id", "user"], condition=Q(active=True), name="linelink_user_once"
            ),
        ]


class LinkCode(models.Model):
    """A short code shown on the resident (or staff) page and sent from LINE to link the account."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=12, unique=True)
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class SmsContact(models.Model):
    """A Thai mobile number that receives a household's notifications by SMS."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=12, help_text=_("0XXXXXXXXX"))
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household", "phone"], condition=Q(active=True), name="sms_contact_once"
            )
        ]


class Channel(models.TextChoices):
    LINE = "line", "LINE"
    SMS = "sms", "SMS"


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("รอส่ง / queued")
    SENT = "sent", _("ส่งแล้ว / sent")
    FAILED = "failed", _("ส่งไม่สำเร็จ / failed")


class Notification(models.Model):
    """One message to one address, kept as the outbox and the record of what was sent."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=4, choices=Channel.choices)
    address = models.CharField(max_length=40)
    text = models.TextField()
    event = models.CharField(max_length=60, help_text=_("e.g. request:12:accepted, bill:N2569000123:issued"))
    status = models.CharField(
        max_length=6, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    retry_key = models.UUIDField(default=uuid.uuid4, editable=False)
    provider_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("การแจ้งเตือน / notification")
        verbose_name_plural = _("การแจ้งเตือน / notifications")
        constraints = [
            # The same event reaches one address once, however often its trigger fires.
            models.UniqueConstraint(
                fields=["event", "channel", "address"], name="notification_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="notification_status_time")]
