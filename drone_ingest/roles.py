"""Permissions of the imagery models per staff role (merged by gis_portal.roles.sync_roles)."""

ROLE_PERMISSIONS = {
    "surveyor": [
        ("drone_ingest", "add_survey"),
        ("drone_ingest", "view_survey"),
        ("drone_ingest", "add_orthomosaic"),
        ("drone_ingest", "view_orthomosaic"),
    ],
    "GIS editor": [
        ("drone_ingest", "add_survey"),
        ("drone_ingest", "change_survey"),
        ("drone_ingest", "view_survey"),
        ("drone_ingest", "add_orthomosaic"),
        ("drone_ingest", "change_orthomosaic"),
        ("drone_ingest", "view_orthomosaic"),
    ],
    "tax officer": [("drone_ingest", "view_orthomosaic")],
    "service officer": [("drone_ingest", "view_orthomosaic")],
    "viewer": [("drone_ingest", "view_orthomosaic")],
}
