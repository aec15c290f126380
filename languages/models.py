"""Languages beside Thai and English: catalogues of the residents' words that staff or community
leaders fill in the browser (nothing is machine-translated), and each household's language."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from parcels.models import Household


class Script(models.TextChoices):
    THAI = "Thai", _("อักษรไทย / Thai")
    LATIN = "Latn", _("อักษรละติน / Latin")
    MYANMAR = "Mymr", _("อักษรพม่า (ไทใหญ่ กะเหรี่ยง) / Myanmar (Shan, Karen)")
    LISU = "Lisu", _("อักษรลีซู (เฟรเซอร์) / Lisu (Fraser)")


class Language(models.Model):
    code = models.SlugField(_("รหัส (BCP 47) / code"), max_length=12, unique=True)
    name_th = models.CharField(_("ชื่อภาษาไทย / Thai name"), max_length=60)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ / English name"), max_length=60)
    name_native = models.CharField(
        _("ชื่อในภาษานั้น / own name"),
        max_length=60,
        blank=True,
        help_text=_("เขียนโดยผู้ใช้ภาษานั้น / written by a speaker of the language"),
    )
    script = models.CharField(_("อักษร / script"), max_length=4, choices=Script.choices)
    published = models.BooleanField(
        _("ให้ประชาชนเลือกได้ / offered to residents"),
        default=False,
        help_text=_("เปิดเมื่อแปลคำสำคัญครบแล้ว / turn on once the main words are translated"),
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("ภาษา / language")
        verbose_name_plural = _("ภาษา / languages")

    def __str__(self) -> str:
        return f"{self.name_th} / {self.name_en}"

    @property
    def label(self) -> str:
        return self.name_native or self.name_th


class Translation(models.Model):
    """One word or sentence of the resident pages in one language, as typed by a person."""

    language = models.ForeignKey(Language, on_delete=models.CASCADE, related_name="translations")
    key = models.CharField(max_length=80)
    text = models.CharField(max_length=1000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["language", "key"], name="translation_unique_key")]

    def __str__(self) -> str:
        return f"{self.language.code}:{self.key}"


class HouseholdLanguage(models.Model):
    """The language a household chose on its page (used when its sticker is scanned again)."""

    household = models.OneToOneField(Household, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=12)
    updated_at = models.DateTimeField(auto_now=True)
