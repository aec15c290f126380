"""Admin: the service catalogue as data, welfare rules, tokens, and the single-household sticker reprint."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponse

from . import services
from .models import (
    DisabilityCard,
    HouseholdIncome,
    HouseholdSticker,
    HouseholdToken,
    ServiceRequest,
    ServiceType,
    VerificationAttempt,
    WelfareEnrolment,
    WelfareRule,
)


class OrgScopedAdmin(admin.ModelAdmin):
    """Rows of the user's organisations only (the portal's admin site scopes every admin)."""


@admin.register(ServiceType)
class ServiceTypeAdmin(OrgScopedAdmin):
    list_display = ("icon", "name_th", "name_en", "code", "kind", "fee", "target_days", "active", "position")
    list_filter = ("organisation", "kind", "active")
    list_editable = ("active", "position")
    search_fields = ("code", "name_th", "name_en")


@admin.register(ServiceRequest)
class ServiceRequestAdmin(OrgScopedAdmin):
    list_display = ("reference", "service_type", "household", "status", "is_open", "created_at", "due_at")
    list_filter = ("organisation", "service_type", "is_open")
    readonly_fields = ("nonce", "household", "service_type", "location", "gps", "data", "created_at")
    raw_id_fields = ("assigned_to",)


@admin.register(HouseholdSticker)
class HouseholdStickerAdmin(OrgScopedAdmin):
    """Households as the sticker printer sees them: select one (or a few) and print new stickers."""

    list_display = ("house_number", "village", "status")
    list_filter = ("organisation", "village")
    search_fields = ("house_number",)
    actions = ["print_stickers"]
    list_select_related = ("village", "organisation")

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_view_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return request.user.has_perm("eservices.add_householdtoken") or super().has_view_permission(
            request, obj
        )

    @admin.action(description="พิมพ์สติกเกอร์ใหม่ (สติกเกอร์เดิมใช้ไม่ได้) / Reprint sticker (old one stops working)")
    def print_stickers(self, request, queryset):  # noqa: ANN001, ANN201
        if not request.user.has_perm("eservices.add_householdtoken"):
            self.message_user(request, "ไม่มีสิทธิ์ / not allowed", messages.ERROR)
            return None
        households = list(queryset.select_related("village", "organisation")[:400])
        pdf = services.stickers_print(households=households, user=request.user)
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"sticker-{households[0].pk}.pdf" if len(households) == 1 else "stickers.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


@admin.register(HouseholdToken)
class HouseholdTokenAdmin(OrgScopedAdmin):
    list_display = ("household", "created_at", "created_by", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = ("household", "token_hash", "created_at", "created_by", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    @admin.action(description="ยกเลิกสติกเกอร์ / Revoke sticker")
    def revoke(self, request, queryset):  # noqa: ANN001, ANN201
        from django.utils import timezone

        n = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{n} revoked")


@admin.register(VerificationAttempt)
class VerificationAttemptAdmin(OrgScopedAdmin):
    list_display = ("created_at", "household", "method", "success", "ip")
    list_filter = ("method", "success")

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


@admin.register(WelfareRule)
class WelfareRuleAdmin(admin.ModelAdmin):
    organisation_scope = "global"  # the national rules: every office reads them, superusers change them
    list_display = (
        "program",
        "min_age",
        "max_age",
        "monthly_amount",
        "requires_disability_card",
        "max_income_per_person",
        "needs_verify",
    )


@admin.register(DisabilityCard)
class DisabilityCardAdmin(OrgScopedAdmin):
    list_display = ("party", "card_number", "issued_on", "expires_on")
    raw_id_fields = ("party",)


@admin.register(HouseholdIncome)
class HouseholdIncomeAdmin(OrgScopedAdmin):
    list_display = ("household", "year", "annual_income", "members", "source")
    raw_id_fields = ("household",)


@admin.register(WelfareEnrolment)
class WelfareEnrolmentAdmin(OrgScopedAdmin):
    list_display = ("party", "program", "since")
    raw_id_fields = ("party",)
