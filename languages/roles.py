"""Service officers manage the languages offered (merged by gis_portal.roles.sync_roles)."""

from gis_portal.roles import SERVICE_OFFICER

ROLE_PERMISSIONS = {SERVICE_OFFICER: [("languages", "view_language"), ("languages", "change_language")]}
