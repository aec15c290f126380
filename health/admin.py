from django.contrib import admin

from gis_portal.admin_mixins import ReadOnlyAdminMixin
from parcels.selectors import scope_to_user

from .models import ContainerKind, Disease, IndexThreshold, LarvalSurvey, VillageAlert


class OrgScoped(admin.ModelAdmin):
    def get_queryset(self, request):  # noqa: ANN001, ANN201
        return scope_to_user(super().get_queryset(request), request.user)


@admin.register(ContainerKind)
class ContainerKindAdmin(OrgScoped):
    list_display = ("name_th", "name_en", "code", "icon", "position", "active", "organisation")


@admin.register(IndexThreshold)
class IndexThresholdAdmin(OrgScoped):
    list_display = ("index", "value", "source", "organisation")


@admin.register(Disease)
class DiseaseAdmin(OrgScoped):
    list_display = ("name_th", "name_en", "isolation_days", "contact_days", "active", "organisation")


@admin.register(LarvalSurvey)
class LarvalSurveyAdmin(ReadOnlyAdminMixin, OrgScoped):
    list_display = ("household", "month", "containers_inspected", "containers_positive", "recorded_by")
    list_filter = ("month",)


@admin.register(VillageAlert)
class VillageAlertAdmin(ReadOnlyAdminMixin, OrgScoped):
    list_display = ("village", "month", "index", "value", "threshold", "created_at", "acknowledged_at")
