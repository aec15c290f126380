from django.contrib import admin

from parcels.selectors import scope_to_user

from .models import ChildCentre


@admin.register(ChildCentre)
class ChildCentreAdmin(admin.ModelAdmin):
    list_display = ("name_th", "capacity", "min_age_months", "max_age_months", "active", "organisation")

    def get_queryset(self, request):  # noqa: ANN001, ANN201
        return scope_to_user(super().get_queryset(request), request.user)
