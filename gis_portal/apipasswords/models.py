"""Per-user API passwords: what QGIS (and any client that only speaks HTTP Basic) signs in with.

An API password is made by the server (a random secret, shown once), is distinct from the login
password, and can be revoked on its own. Only its SHA-256 digest is stored: the secret has about
190 bits of randomness, so a fast digest is as safe as a slow password hash here and keeps each
request cheap (QGIS sends the credentials with every page it fetches).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiPassword(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_passwords")
    label = models.CharField(_("ชื่อเรียก / label"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("ท้ายรหัส / ends with"), max_length=4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("ใช้ล่าสุด / last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ยกเลิกเมื่อ / revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("รหัสผ่านสำหรับโปรแกรม / API password")
        verbose_name_plural = _("รหัสผ่านสำหรับโปรแกรม / API passwords")
        indexes = [models.Index(fields=["user", "revoked_at"], name="apipassword_user_active")]

    def __str__(self) -> str:
        return f"{self.user} – {self.label} (…{self.hint})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
