from django.contrib import admin
from django.core.cache import cache

from .models import Language


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ("code", "name_th", "name_en", "name_native", "script", "published")

    def save_model(self, request, obj, form, change):  # noqa: ANN001, ANN201
        super().save_model(request, obj, form, change)
        cache.delete("lang:published")  # offered to residents at once
