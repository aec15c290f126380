from django.contrib.gis import admin

from gis_portal.admin_mixins import ReadOnlyAdminMixin

from .models import Orthomosaic, RefusedImagery, Survey, UploadSession


class _Scoped(admin.GISModelAdmin):
    """Rows of the user's organisations only (the portal's admin site scopes every admin)."""


@admin.register(Survey)
class SurveyAdmin(_Scoped):
    list_display = ("flown_on", "organisation", "surveyor", "drone", "camera")
    list_filter = ("organisation",)


@admin.register(Orthomosaic)
class OrthomosaicAdmin(_Scoped):
    """Imagery arrives through the upload page (which starts its processing); here it is described."""

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    list_display = (
        "id",
        "title",
        "kind",
        "captured_on",
        "organisation",
        "status",
        "progress",
        "ground_resolution_m",
    )
    list_filter = ("organisation", "kind", "status")
    readonly_fields = (
        "status",
        "progress",
        "attempts",
        "retryable",
        "error_code",
        "error_en",
        "error_th",
        "claimed_by",
        "heartbeat_at",
        "processing_started_at",
        "processed_at",
        "source_path",
        "file_size",
        "sha256",
        "crs",
        "crs_wkt",
        "width",
        "height",
        "band_count",
        "dtype",
        "pixel_size_x",
        "pixel_size_y",
        "ground_resolution_m",
        "cog_path",
        "cog_size",
        "footprint_area_m2",
        "value_min",
        "value_max",
    )


@admin.register(UploadSession)
class UploadSessionAdmin(_Scoped):
    list_display = ("id", "filename", "organisation", "user", "received", "size", "status", "updated_at")
    readonly_fields = ("received", "size", "sha256")


@admin.register(RefusedImagery)
class RefusedImageryAdmin(ReadOnlyAdminMixin, _Scoped):
    """Read-only: what was refused while processing, and why."""

    list_display = ("refused_at", "source_name", "organisation", "captured_on", "error_code", "uploaded_by")
    list_filter = ("organisation", "error_code")
