"""Admin of the tax tables: appraisal prices, building costs, depreciation and tax years are edited here.

Assessments and payments are read-only in the admin: they change only through the services
(assess, issue, payment), so notice and receipt numbers and the paid totals stay consistent.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from gis_portal.admin_mixins import ReadOnlyAdminMixin

from . import models


class OrgScoped(admin.ModelAdmin):
    """Rows of the user's organisations only: the portal's admin site scopes every admin (through the
    row's keys: a land price through its tax year, an objection through its bill)."""


@admin.register(models.TaxOffice)
class TaxOfficeAdmin(OrgScoped):
    list_display = ("organisation", "biller_suffix", "ref2_policy", "thai_digits")


@admin.register(models.TaxYear)
class TaxYearAdmin(OrgScoped):
    list_display = ("organisation", "year", "status", "notice_date", "last_assessed_at")
    list_filter = ("organisation", "status")
    readonly_fields = ("sources_of_the_rules",)

    @admin.display(description="ที่มาของกฎเกณฑ์ / sources of the rules")
    def sources_of_the_rules(self, obj: models.TaxYear) -> str:
        """Each rule of the year with its decree, section and Gazette date (from the rules' ``sources``)."""
        rows = (obj.rules or {}).get("sources", []) if obj else []
        return format_html(
            "<table><tr><th>rule</th><th>source</th><th>section</th><th>Gazette</th><th>checked</th>"
            "<th>to verify</th></tr>{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}<br>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        r.get("rule", ""),
                        r.get("title_th", ""),
                        r.get("title_en", ""),
                        r.get("section", ""),
                        r.get("gazette") or "-",
                        r.get("checked", ""),
                        r.get("verify") or "-",
                    )
                    for r in rows
                    if isinstance(r, dict)
                ),
            ),
        )


@admin.register(models.LandPrice)
class LandPriceAdmin(OrgScoped):
    list_display = ("tax_year", "zone", "block", "parcel", "price_per_sq_wah")
    list_filter = ("tax_year",)
    search_fields = ("zone", "block", "parcel__code")
    raw_id_fields = ("parcel",)


@admin.register(models.BuildingCost)
class BuildingCostAdmin(OrgScoped):
    list_display = ("tax_year", "building_type", "cost_per_m2")
    list_filter = ("tax_year",)


@admin.register(models.Depreciation)
class DepreciationAdmin(OrgScoped):
    list_display = ("tax_year", "material", "age_from", "age_to", "percent")
    list_filter = ("tax_year", "material")


@admin.register(models.SpecialReductionRecord)
class SpecialReductionRecordAdmin(OrgScoped):
    list_display = ("code", "parcel", "building", "from_year", "to_year")
    raw_id_fields = ("parcel", "building")


@admin.register(models.CondoUnitPrice)
class CondoUnitPriceAdmin(OrgScoped):
    list_display = ("tax_year", "condominium", "price_per_m2")


class ReadOnly(ReadOnlyAdminMixin, OrgScoped):
    pass


@admin.register(models.Assessment)
class AssessmentAdmin(ReadOnly):
    list_display = ("notice_number", "party", "tax_year", "status", "total", "paid")
    list_filter = ("tax_year", "status", "category")
    search_fields = ("notice_number", "party__first_name", "party__last_name", "party__juristic_name")


@admin.register(models.Payment)
class PaymentAdmin(ReadOnly):
    list_display = ("receipt_number", "assessment", "paid_on", "channel", "bank_reference", "amount")
    search_fields = ("receipt_number", "bank_reference", "ref1")


@admin.register(models.IssueBatch)
class IssueBatchAdmin(ReadOnly):
    list_display = ("tax_year", "issued_on", "due_dates", "office_dates", "count")


@admin.register(models.ReminderBatch)
class ReminderBatchAdmin(ReadOnly):
    list_display = ("tax_year", "issued_on", "pay_by")


@admin.register(models.Reminder)
class ReminderAdmin(ReadOnly):
    list_display = ("number", "assessment", "overdue_tax", "received_on")


@admin.register(models.Objection)
class ObjectionAdmin(OrgScoped):
    list_display = ("assessment", "filed_on", "status", "decided_on")


@admin.register(models.Refund)
class RefundAdmin(OrgScoped):
    list_display = ("assessment", "amount", "status", "paid_on")
