"""A form's one-time key and what its first submission made."""

from __future__ import annotations

from django.db import models


class FormSubmission(models.Model):
    """One key per form shown; the row is written in the same transaction as what the form creates."""

    key = models.CharField(max_length=64, unique=True)
    # Which form, with its owner (e.g. "kids.enrol:h42"): a key is never honoured on another form.
    form = models.CharField(max_length=120)
    object_label = models.CharField(max_length=100, blank=True, default="")
    object_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "แบบฟอร์มที่ส่งแล้ว / form sent"
        verbose_name_plural = "แบบฟอร์มที่ส่งแล้ว / forms sent"

    def __str__(self) -> str:
        return f"{self.form} → {self.object_label} {self.object_id}"
