"""Read-only list of the audit log for superusers: nobody adds, changes or deletes entries."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gis_portal.admin_mixins import ReadOnlyAdminMixin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "at",
        "actor_kind",
        "actor",
        "organisation",
        "action",
        "record_kind",
        "record_count",
        "masked_count",
        "purpose",
        "client_address",
        "request_id",
    ]
    list_filter = ["actor_kind", "action", "record_kind", ("user", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["actor", "request_id", "client_address", "purpose"]
    date_hierarchy = "at"
    list_per_page = 100
    list_select_related = ["organisation"]
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    @admin.display(description="records")
    def record_count(self, obj: AuditEntry) -> int:
        return len(obj.record_ids)

    @admin.display(description="masked")
    def masked_count(self, obj: AuditEntry) -> int:
        return len(obj.masked_ids)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser
