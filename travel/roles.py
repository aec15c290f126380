"""Service officers keep the Smart Travel places (merged by gis_portal.roles.sync_roles)."""

from gis_portal.roles import SERVICE_OFFICER

ROLE_PERMISSIONS = {
    SERVICE_OFFICER: [("travel", f"{action}_place") for action in ("view", "add", "change")],
}
