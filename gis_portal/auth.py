"""Authentication backend that grants a role's permissions only through organisation memberships."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class OrganisationRoleBackend(ModelBackend):
    """Group permissions come from the roles of the user's memberships, not from ``user.groups``.

    With an object that has an ``organisation_id`` (or is an Organisation), only the roles held in
    that organisation count, so a GIS editor of one LAO cannot change another LAO's rows.
    """

    def _get_group_permissions(self, user_obj: Any) -> Any:
        return Permission.objects.filter(group__memberships__user=user_obj)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if obj is None:
            return super().get_all_permissions(user_obj)
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj)
        org_id = getattr(obj, "organisation_id", None)
        if org_id is None and obj.__class__.__name__ == "Organisation":
            org_id = obj.pk
        if org_id is None:
            return set()
        perms = Permission.objects.filter(
            group__memberships__user=user_obj, group__memberships__organisation_id=org_id
        ).values_list("content_type__app_label", "codename")
        return {f"{app}.{code}" for app, code in perms} | {
            f"{p.content_type.app_label}.{p.codename}"
            for p in user_obj.user_permissions.select_related("content_type")
        }
