"""The health officer role (merged by gis_portal.roles.sync_roles): the office's public-health staff."""

from gis_portal.roles import SERVICE_OFFICER

HEALTH_OFFICER = "health officer"

_MODELS = ["containerkind", "indexthreshold", "larvalsurvey", "villagealert", "disease", "outbreakcase"]

ROLE_PERMISSIONS = {
    HEALTH_OFFICER: [
        ("health", f"{action}_{model}") for model in _MODELS for action in ("view", "add", "change")
    ]
    + [("parcels", f"view_{model}") for model in ("organisation", "village", "household", "party")],
    SERVICE_OFFICER: [("health", "view_larvalsurvey"), ("health", "view_villagealert")],
}
