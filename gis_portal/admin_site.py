"""The portal's admin site: every ModelAdmin registered on it is scoped to organisations.

``gis_portal.admin_apps.PortalAdminConfig`` replaces ``django.contrib.admin`` in ``INSTALLED_APPS`` so that
``admin.site`` (and ``@admin.register``) is :class:`PortalAdminSite`. Its ``register`` puts
:class:`gis_portal.admin_mixins.OrganisationScopeMixin` in front of the admin class, whatever
class the app wrote (Django's own ``UserAdmin`` too), so a new model cannot be registered
unscoped. A system check refuses a project model that has no path to an organisation unless its
admin says whether it is reference data (``organisation_scope = "global"``) or superuser-only.
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.contrib.admin import AdminSite, ModelAdmin, site
from django.core import checks
from django.http import HttpRequest, HttpResponse

from gis_portal.admin_mixins import SUPERUSER, PersonalDataSeen, with_scope
from gis_portal.audit import log as audit_log
from gis_portal.org_scope import organisation_path

# Apps whose models must say how they are scoped (third-party and Django's own are superuser-only).
PROJECT_APPS = ("gis_portal", "audit", "parcels", "drone_ingest", "taxes", "eservices", "tiles")


class PortalAdminSite(AdminSite):
    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        super().register(model_or_iterable, with_scope(admin_class or ModelAdmin), **options)

    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        """Autocomplete answers come from the target's scoped admin; names of people are logged."""
        response = super().autocomplete_view(request)
        model_name, app_label = request.GET.get("model_name"), request.GET.get("app_label")
        if response.status_code != 200 or not model_name or not app_label:
            return response
        try:
            source = apps.get_model(app_label, model_name)
            field = source._meta.get_field(request.GET.get("field_name", ""))
            target = field.remote_field.model
        except (LookupError, AttributeError, Exception):  # noqa: BLE001 - the view refused it already
            return response
        if audit_log.personal_kind(target):
            ids = {
                int(r["id"])
                for r in json.loads(response.content).get("results", [])
                if str(r.get("id")).isdigit()
            }
            if ids:
                seen = PersonalDataSeen()
                seen.add_rows(
                    target,
                    target._default_manager.filter(pk__in=ids),
                    path=organisation_path(target),
                    masked=True,
                )
                seen.write(request, f"admin {target._meta.model_name} autocomplete")
        return response


@checks.register(checks.Tags.admin)
def check_admin_scopes(
    app_configs: Any = None, registry: dict | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Every registered admin of a project model is organisation-scoped or says why it is not."""
    errors: list[checks.CheckMessage] = []
    for model, model_admin in (site._registry if registry is None else registry).items():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        if model_admin.scope_path() is None and "organisation_scope" not in _declared(type(model_admin)):
            errors.append(
                checks.Error(
                    f"{model._meta.label} has no path to an organisation and its admin does not set "
                    f"organisation_scope ('global' or '{SUPERUSER}')",
                    obj=type(model_admin),
                    id="gis_portal.E101",
                )
            )
    return errors


def _declared(cls: type) -> set[str]:
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass.__module__.startswith("gis_portal.admin_mixins"):
            continue
        names.update(vars(klass))
    return names
