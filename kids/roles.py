"""Service officers keep the child development centres (merged by gis_portal.roles.sync_roles)."""

from gis_portal.roles import SERVICE_OFFICER

ROLE_PERMISSIONS = {
    SERVICE_OFFICER: [
        ("kids", f"{action}_{model}")
        for model in ("childcentre", "enrolment")
        for action in ("view", "add", "change")
    ],
}
