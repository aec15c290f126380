from django.contrib import admin

from gis_portal.admin_mixins import ReadOnlyAdminMixin
from parcels.selectors import scope_to_user

from .models import LineChannel, Notification


@admin.register(LineChannel)
class LineChannelAdmin(admin.ModelAdmin):
    """Secrets of the office's LINE account: superusers only."""

    list_display = ("organisation", "basic_id", "channel_id")

    def has_module_permission(self, request):  # noqa: ANN001, ANN201
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return request.user.is_superuser


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "channel", "event", "status", "attempts", "last_error")
    list_filter = ("status", "channel")

    def get_queryset(self, request):  # noqa: ANN001, ANN201
        return scope_to_user(super().get_queryset(request), request.user)
