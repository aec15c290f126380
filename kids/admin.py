from django.contrib import admin

from .models import ChildCentre


@admin.register(ChildCentre)
class ChildCentreAdmin(admin.ModelAdmin):
    list_display = ("name_th", "capacity", "min_age_months", "max_age_months", "active", "organisation")
