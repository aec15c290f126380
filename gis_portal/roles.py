"""Staff roles: Django groups whose permissions apply in the organisations of a user's memberships.

A user is given a role in an organisation by a :class:`parcels.models.Membership`; the permissions
of the role's group count only through :class:`gis_portal.auth.OrganisationRoleBackend`, and every
query a user can reach is filtered to the organisations of their memberships.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

GIS_EDITOR = "GIS editor"
TAX_OFFICER = "tax officer"
SERVICE_OFFICER = "service officer"
SURVEYOR = "surveyor"
VIEWER = "viewer"
# หัวหน้างานทะเบียน: a GIS editor who may also bring a retired parcel back into the register.
REGISTER_SUPERVISOR = "register supervisor"

REGISTER_MODELS = [
    "village",
    "parcel",
    "landuseportion",
    "building",
    "buildinguseportion",
    "household",
    "party",
    "parcelright",
    "buildingright",
    "parcellineage",
]

# (app_label, codename) pairs per role. Nobody but a superuser deletes register rows: they are retired.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    GIS_EDITOR: [
        ("parcels", f"{action}_{model}") for model in REGISTER_MODELS for action in ("add", "change", "view")
    ],
    TAX_OFFICER: [("parcels", f"view_{model}") for model in REGISTER_MODELS],
    SERVICE_OFFICER: [
        ("parcels", f"view_{model}") for model in ("village", "household", "party", "parcel", "building")
    ],
    SURVEYOR: [("parcels", f"view_{model}") for model in ("village", "parcel", "building", "household")],
    VIEWER: [
        ("parcels", f"view_{model}")
        for model in ("village", "parcel", "landuseportion", "building", "household")
    ],
}
ROLE_PERMISSIONS[REGISTER_SUPERVISOR] = [*ROLE_PERMISSIONS[GIS_EDITOR], ("parcels", "restore_parcel")]
ROLE_PERMISSIONS[GIS_EDITOR].append(("parcels", "view_organisation"))
for _role in (TAX_OFFICER, SERVICE_OFFICER, SURVEYOR, VIEWER, REGISTER_SUPERVISOR):
    ROLE_PERMISSIONS[_role].append(("parcels", "view_organisation"))

# Roles that may see whole national IDs and phone numbers (PDPA: others see them masked).
ROLES_SEEING_PERSONAL_DATA = {TAX_OFFICER, SERVICE_OFFICER, GIS_EDITOR, REGISTER_SUPERVISOR}


def role_permission_table() -> dict[str, list[tuple[str, str]]]:
    """The table above plus each app's own ``<app>/roles.py: ROLE_PERMISSIONS`` (same shape)."""
    from importlib import import_module

    from django.apps import apps

    table = {role: list(pairs) for role, pairs in ROLE_PERMISSIONS.items()}
    for config in apps.get_app_configs():
        if config.name == "gis_portal":
            continue
        try:
            module = import_module(f"{config.name}.roles")
        except ModuleNotFoundError:
            continue
        for role, pairs in getattr(module, "ROLE_PERMISSIONS", {}).items():
            table.setdefault(role, []).extend(pairs)
    return table


def sync_roles(extra: dict[str, list[tuple[str, str]]] | None = None) -> None:
    """Create the role groups and set their permissions to exactly the table (idempotent)."""
    table = role_permission_table()
    for role, pairs in (extra or {}).items():
        table.setdefault(role, []).extend(pairs)
    for role, pairs in table.items():
        group, _ = Group.objects.get_or_create(name=role)
        if not pairs:
            group.permissions.clear()
            continue
        condition = Q()
        for app_label, codename in pairs:
            condition |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(condition))
