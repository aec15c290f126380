from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from gis_portal.errors import DomainError
from parcels.models import Organisation
from parcels.selectors import organisations_for_user, scope_to_user

from .models import Place
from .services import place_check


class PlaceAdminForm(forms.ModelForm):
    class Meta:
        model = Place
        fields = [
            "organisation",
            "kind",
            "name_th",
            "name_en",
            "description_th",
            "description_en",
            "location",
            "phone",
            "starts_on",
            "ends_on",
            "published",
            "position",
        ]

    def clean(self):  # noqa: ANN201
        data = super().clean()
        candidate = Place(
            organisation=data.get("organisation"),
            kind=data.get("kind"),
            location=data.get("location"),
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
        )
        try:
            place_check(candidate)
        except DomainError as exc:
            raise ValidationError(exc.message) from None
        return data


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    form = PlaceAdminForm
    list_display = ("name_th", "kind", "starts_on", "ends_on", "published", "organisation")
    list_filter = ("kind", "published")
    search_fields = ("name_th", "name_en")

    def get_queryset(self, request):  # noqa: ANN001, ANN201
        return scope_to_user(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # noqa: ANN001, ANN201
        if db_field.name == "organisation":
            kwargs["queryset"] = (
                Organisation.objects.all()
                if request.user.is_superuser
                else organisations_for_user(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
