"""One row per request that showed or exported personal data (set-based: the record ids in an array).

The table is append-only: the model has only the ``view`` permission, the admin is read-only and a
database trigger (migration 0001) refuses UPDATE and DELETE. Users and organisations are referenced
without a foreign-key constraint, so deleting a user never touches the log (the user name is kept).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("ดู / view")
    EXPORT = "export", _("ส่งออก / export")


class ActorKind(models.TextChoices):
    STAFF = "staff", _("เจ้าหน้าที่ / staff")
    RESIDENT = "resident", _("ประชาชน (ยืนยันตัวตนแล้ว) / verified resident")
    COMMAND = "command", _("คำสั่งบนเซิร์ฟเวอร์ / server command")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("เวลา / when"), default=timezone.now, db_index=True)
    actor_kind = models.CharField(_("ผู้เข้าถึง / actor"), max_length=10, choices=ActorKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ผู้ใช้ / user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor = models.CharField(
        _("ชื่อผู้เข้าถึง / actor name"),
        max_length=200,
        help_text=_("user name, resident household and session, or the server account"),
    )
    organisation = models.ForeignKey(
        "parcels.Organisation",
        verbose_name=_("องค์กร / organisation"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(_("การกระทำ / action"), max_length=10, choices=AuditAction.choices)
    record_kind = models.CharField(_("ชนิดข้อมูล / kind of record"), max_length=32)
    record_ids = ArrayField(models.BigIntegerField(), verbose_name=_("รหัสข้อมูล / record ids"), default=list)
    masked_ids = ArrayField(
        models.BigIntegerField(),
        verbose_name=_("รหัสที่แสดงแบบปิดบัง / ids shown masked"),
        default=list,
        blank=True,
        help_text=_("records of record_ids whose national ID, phone, birth date were masked"),
    )
    request_id = models.CharField(_("รหัสคำขอ / request id"), max_length=64, blank=True)
    client_address = models.CharField(_("ที่อยู่ผู้ใช้ / client address"), max_length=64, blank=True)
    endpoint = models.CharField(_("ปลายทาง / endpoint"), max_length=300, blank=True)
    purpose = models.CharField(_("วัตถุประสงค์ / purpose"), max_length=200)
    detail = models.JSONField(_("รายละเอียด / detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        default_permissions = ("view",)
        verbose_name = _("บันทึกการเข้าถึงข้อมูลส่วนบุคคล / personal data access")
        verbose_name_plural = _("บันทึกการเข้าถึงข้อมูลส่วนบุคคล / personal data access log")
        indexes = [
            models.Index(fields=["organisation", "at"], name="audit_org_time"),
            models.Index(fields=["user", "at"], name="audit_user_time"),
            models.Index(fields=["record_kind", "at"], name="audit_kind_time"),
            GinIndex(fields=["record_ids"], name="audit_record_ids"),
        ]

    def __str__(self) -> str:
        count = len(self.record_ids)
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.record_kind} ×{count}"


class LoginFailure(models.Model):
    """A failed sign-in (portal or admin): the lockout counts these, in PostgreSQL, so it holds while
    the cache is down. The user name is kept only as a hash; rows older than a day are purged."""

    at = models.DateTimeField(default=timezone.now)
    user_key = models.CharField(max_length=64)  # SHA-256 of the lower-cased user name (first 32 hex)
    address = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("การเข้าสู่ระบบที่ล้มเหลว / failed sign-in")
        default_permissions = ()  # internal to the lockout: no role reads or edits it
        indexes = [
            models.Index(fields=["user_key", "at"], name="loginfail_user_at"),
            models.Index(fields=["address", "at"], name="loginfail_addr_at"),
            models.Index(fields=["at"], name="loginfail_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.address}"
