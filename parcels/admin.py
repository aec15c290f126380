"""Admin for every register model: scoped to the user's organisations, offline map widget, history.

Writes of shapes go through the same checks as the import (valid, inside the organisation, no
overlap, building on its parcel, household in its village); parcels are retired, never deleted.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.gis.admin import GISModelAdmin
from django.core.exceptions import ValidationError
from django.db import models as dj_models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from gis_portal.errors import DomainError
from gis_portal.roles import GIS_EDITOR, REGISTER_SUPERVISOR, ROLES_SEEING_PERSONAL_DATA
from gis_portal.widgets import OfflineMapWidget

from . import services, sql, undo
from .geometry import as_multipolygon
from .models import (
    Building,
    BuildingRight,
    BuildingUsePortion,
    Household,
    LandUsePortion,
    Membership,
    Organisation,
    Parcel,
    ParcelLineage,
    ParcelRight,
    Party,
    RegisterStatus,
    Village,
)
from .selectors import organisation_ids_for_user, user_has_role

admin.site.site_header = "Pang Mu E-Smart Service"
admin.site.site_title = "Pang Mu E-Smart Service"
admin.site.index_title = _("ทะเบียนทรัพย์สินและบริการ / register and services")


class OrganisationScopedAdmin(GISModelAdmin):
    """Register admin: offline map widget, no deletes, refusals as messages.

    The organisation scope itself (rows, choices, filters, submitted rows, audit log) is added to
    every admin by the portal's admin site (``gis_portal.admin_mixins``).
    """

    gis_widget = OfflineMapWidget

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        related = db_field.related_model
        if field is not None and hasattr(related, "status") and related._meta.app_label == "parcels":
            field.queryset = field.queryset.filter(status=RegisterStatus.ACTIVE)
        return field

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A refusal found under the register lock (after the form's own checks) rolls back the
        # admin's transaction and comes back as a message instead of a server error.
        try:
            return super().changeform_view(request, *args, **kwargs)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class SharesFormSet(forms.BaseInlineFormSet):
    """Land/building use portions must add up to 100 %."""

    def clean(self) -> None:
        super().clean()
        total = Decimal(0)
        rows = 0
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            rows += 1
            total += form.cleaned_data.get("share_percent") or 0
        if rows and total != 100:
            raise ValidationError(
                f"สัดส่วนรวม {total} % ต้องเท่ากับ 100 % / shares add up to {total} %, not 100 %"
            )


class RightsFormSet(forms.BaseInlineFormSet):
    """The shares of one right type never exceed the whole."""

    def clean(self) -> None:
        super().clean()
        totals: dict[str, Fraction] = {}
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            num, den = data.get("share_numerator") or 0, data.get("share_denominator") or 1
            if num > den:
                raise ValidationError(f"สัดส่วน {num}/{den} ไม่ถูกต้อง / share {num}/{den} exceeds the whole")
            totals[data.get("right_type")] = totals.get(data.get("right_type"), Fraction(0)) + Fraction(
                num, den
            )
        for right_type, total in totals.items():
            if total > 1:
                raise ValidationError(f"สัดส่วนรวม {total} เกินทั้งหมด / {right_type} shares add up to {total}")


class LandUseInline(admin.TabularInline):
    model = LandUsePortion
    formset = SharesFormSet
    extra = 0


class ParcelRightInline(admin.TabularInline):
    model = ParcelRight
    formset = RightsFormSet
    extra = 0
    autocomplete_fields = ["party"]


class BuildingUseInline(admin.TabularInline):
    model = BuildingUsePortion
    formset = SharesFormSet
    extra = 0


class BuildingRightInline(admin.TabularInline):
    model = BuildingRight
    formset = RightsFormSet
    extra = 0
    autocomplete_fields = ["party"]


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    list_display = ["name_th", "name_en", "slug", "dla_code", "utm_srid"]
    search_fields = ["name_th", "name_en", "slug", "dla_code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["organisation", "role"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser


class VillageForm(forms.ModelForm):
    class Meta:
        model = Village
        fields = ["organisation", "number", "name_th", "name_en", "boundary"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("boundary") and data.get("organisation"):
            exclude = [self.instance.pk] if self.instance.pk else []
            problems = services.check_village_shapes(
                organisation=data["organisation"],
                shapes=[(f"หมู่ {data.get('number')}", as_multipolygon(data["boundary"]))],
                exclude_village_ids=exclude,
            )
            if problems:
                raise ValidationError([str(p) for p in problems])
        return data


@admin.register(Village)
class VillageAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
    form = VillageForm
    list_display = ["number", "name_th", "name_en", "organisation", "area_display"]
    list_filter = ["organisation"]
    search_fields = ["name_th", "name_en"]
    readonly_fields = ["area_display"]

    @admin.display(description=_("พื้นที่ / area (km²)"))
    def area_display(self, obj: Village) -> str:
        return f"{obj.area_m2 / 1e6:,.3f}" if obj.area_m2 else "-"


class ParcelForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Parcel
        fields = [
            "organisation",
            "village",
            "code",
            "doc_type",
            "doc_number",
            "declared_rai",
            "declared_ngan",
            "declared_wah",
            "geom",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        org, geom = data.get("organisation"), data.get("geom")
        if org and geom:
            exclude = [self.instance.pk] if self.instance.pk else []
            problems = services.check_parcel_shapes(
                organisation=org,
                shapes=[(data.get("code") or "-", as_multipolygon(geom))],
                exclude_parcel_ids=exclude,
            )
            if problems:
                raise ValidationError([str(p) for p in problems])
        return data


@admin.register(Parcel)
class ParcelAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
    form = ParcelForm
    list_display = ["code", "village", "doc_type", "doc_number", "area_display", "status", "organisation"]
    list_filter = ["organisation", "status", "doc_type", "village"]
    search_fields = ["code", "doc_number", "rights__party__first_name", "rights__party__last_name"]
    readonly_fields = ["area_display", "status", "retired_at", "version", "lineage_display"]
    inlines = [LandUseInline, ParcelRightInline]
    actions = ["retire_parcels", "restore_parcels"]
    list_select_related = ["village", "organisation"]
    change_list_template = "admin/parcels/parcel/change_list.html"

    @admin.display(description=_("พื้นที่ (ไร่-งาน-ตร.ว.) / area"))
    def area_display(self, obj: Parcel) -> str:
        return f"{obj.area_rnw} ({obj.area_m2:,.1f} m²)" if obj.area_m2 else "-"

    @admin.display(description=_("ที่มา / lineage"))
    def lineage_display(self, obj: Parcel) -> str:
        links = [
            format_html(
                '<a href="{}">{}</a> ({})',
                reverse("admin:parcels_parcel_change", args=[link.predecessor_id]),
                link.predecessor.code,
                link.get_operation_display(),
            )
            for link in obj.predecessor_links.select_related("predecessor")
        ] + [
            format_html(
                '→ <a href="{}">{}</a> ({})',
                reverse("admin:parcels_parcel_change", args=[link.successor_id]),
                link.successor.code,
                link.get_operation_display(),
            )
            for link in obj.successor_links.select_related("successor")
        ]
        return format_html(", ".join(str(x) for x in links)) if links else "-"

    def save_model(self, request: HttpRequest, obj: Parcel, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        attrs = {
            k: data.get(k)
            for k in ("doc_type", "doc_number", "declared_rai", "declared_ngan", "declared_wah", "village")
        }
        if change:
            current = Parcel.objects.get(pk=obj.pk)
            saved = services.parcel_update(
                parcel=current,
                user=request.user,
                expected_version=data.get("expected_version"),
                geom=data["geom"] if "geom" in form.changed_data else None,
                code=data["code"],
                **attrs,
            )
        else:
            saved = services.parcel_create(
                organisation=data["organisation"],
                code=data["code"],
                geom=data["geom"],
                user=request.user,
                **attrs,
            )
        form.instance = saved
        obj.pk = saved.pk

    @admin.action(
        description=_("ยกเลิกแปลงที่เลือก (ไม่ลบ ต้องระบุเหตุผล) / retire the selected parcels (with a reason)")
    )
    def retire_parcels(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        return self._with_reason(request, queryset.filter(status=RegisterStatus.ACTIVE), "retire_parcels")

    @admin.action(description=_("นำแปลงที่ยกเลิกแล้วกลับมาใช้ (หัวหน้างาน) / restore retired parcels (supervisor)"))
    def restore_parcels(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        return self._with_reason(request, queryset.filter(status=RegisterStatus.RETIRED), "restore_parcels")

    def _with_reason(self, request: HttpRequest, parcels: Any, action: str) -> HttpResponse | None:
        """First a page that lists the parcels and asks the reason; then the act, parcel by parcel."""
        parcels = list(parcels.select_related("organisation")[:200])
        reason = request.POST.get("reason", "")
        if "apply" in request.POST and reason.strip():
            done = 0
            for parcel in parcels:
                try:
                    if action == "restore_parcels":
                        undo.parcel_restore(parcel=parcel, user=request.user, reason=reason)
                    elif user_has_role(request.user, parcel.organisation_id, GIS_EDITOR, REGISTER_SUPERVISOR):
                        undo.parcel_retire_with_reason(
                            parcel=parcel, user=request.user, reason=reason, expected_version=None
                        )
                    else:
                        continue
                    done += 1
                except DomainError as exc:
                    self.message_user(request, f"{parcel.code}: {exc.message}", messages.ERROR)
            verb = "นำกลับมาใช้ / restored" if action == "restore_parcels" else "ยกเลิก / retired"
            self.message_user(request, f"{verb}: {done}")
            return None
        return render(
            request,
            "admin/parcels/parcel/reason.html",
            {
                **self.admin_site.each_context(request),
                "title": self.get_actions(request)[action][2],
                "parcels": parcels,
                "action": action,
                "opts": self.model._meta,
                "missing_reason": "apply" in request.POST,
                "reason": reason,
            },
        )


class BuildingForm(forms.ModelForm):
    class Meta:
        model = Building
        fields = [
            "parcel",
            "number",
            "footprint",
            "building_type",
            "material",
            "storeys",
            "floor_area_m2",
            "year_built",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        parcel, footprint = data.get("parcel"), data.get("footprint")
        if parcel and footprint:
            try:
                data["footprint"] = services.check_footprint_on_parcel(parcel, footprint)
            except DomainError as exc:
                raise ValidationError(exc.message) from None
            self.instance.organisation_id = parcel.organisation_id
        return data


@admin.register(Building)
class BuildingAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
    form = BuildingForm
    list_display = [
        "__str__",
        "building_type",
        "material",
        "storeys",
        "floor_area_m2",
        "year_built",
        "status",
    ]
    list_filter = ["organisation", "building_type", "material", "status"]
    search_fields = ["parcel__code"]
    inlines = [BuildingUseInline, BuildingRightInline]
    list_select_related = ["parcel"]
    raw_id_fields = ["parcel"]


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = ["organisation", "village", "building", "house_number", "location"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        org, village, point = data.get("organisation"), data.get("village"), data.get("location")
        if org and village and point:
            if village.organisation_id != org.pk:
                raise ValidationError("หมู่บ้านเป็นของ อปท. อื่น / the village belongs to another organisation")
            point = point.transform(4326, clone=True) if point.srid != 4326 else point
            found = sql.villages_for_points(organisation_id=org.pk, points=[(0, bytes(point.wkb))])
            if found.get(0) != village.pk:
                raise ValidationError(
                    f"ตำแหน่งบ้านไม่อยู่ในหมู่ที่ {village.number} / the point is not inside village {village.number}"
                )
        return data


@admin.register(Household)
class HouseholdAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
    form = HouseholdForm
    list_display = ["house_number", "village", "building", "status"]
    list_filter = ["organisation", "village", "status"]
    search_fields = ["house_number", "members__first_name", "members__last_name"]
    list_select_related = ["village", "building__parcel"]
    raw_id_fields = ["building"]


class PartyForm(forms.ModelForm):
    class Meta:
        model = Party
        fields = [
            "organisation",
            "kind",
            "national_id",
            "title",
            "first_name",
            "last_name",
            "juristic_name",
            "birth_date",
            "phone",
            "household",
            "is_household_head",
        ]

    def clean_national_id(self) -> str:
        return "".join(ch for ch in self.cleaned_data.get("national_id", "") if ch not in " -")


@admin.register(Party)
class PartyAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
    form = PartyForm
    list_display = ["display_name", "kind", "masked_national_id", "household", "organisation"]
    list_filter = ["organisation", "kind"]
    search_fields = ["first_name", "last_name", "juristic_name", "national_id"]
    raw_id_fields = ["household"]
    list_select_related = ["household__village", "organisation"]

    def get_list_display(self, request: HttpRequest) -> list[str]:
        # PDPA: whole national IDs only for roles that need them in every organisation of the user.
        org_ids = organisation_ids_for_user(request.user)
        sees_all = org_ids is None or (
            bool(org_ids)
            and all(user_has_role(request.user, o, *ROLES_SEEING_PERSONAL_DATA) for o in org_ids)
        )
        columns = list(super().get_list_display(request))
        if sees_all:
            columns[columns.index("masked_national_id")] = "national_id"
        return columns

    # PDPA audit log: the portal's admin site logs the parties of every page (list, page, history);
    # the list is "masked" when it shows masked national IDs.
    def personal_data_masked(self, request: HttpRequest, changelist: Any = None) -> bool:
        return changelist is not None and "national_id" not in changelist.list_display


@admin.register(ParcelLineage)
class ParcelLineageAdmin(OrganisationScopedAdmin):
    organisation_field = "successor__organisation"
    list_display = ["predecessor", "successor", "operation", "created_at", "created_by"]
    list_filter = ["operation"]
    readonly_fields = ["predecessor", "successor", "operation", "created_at", "created_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Decimal fields of the inlines read better without a map widget; keep the default widgets there.
for _inline in (LandUseInline, BuildingUseInline):
    _inline.formfield_overrides = {
        dj_models.DecimalField: {"widget": forms.NumberInput(attrs={"step": "0.01"})}
    }
