"""Model permissions of the service officer role (merged by gis_portal.roles.sync_roles)."""

from gis_portal.roles import SERVICE_OFFICER, VIEWER

ROLE_PERMISSIONS = {
    SERVICE_OFFICER: [
        ("eservices", "view_servicerequest"),
        ("eservices", "change_servicerequest"),
        ("eservices", "view_servicetype"),
        ("eservices", "add_servicetype"),
        ("eservices", "change_servicetype"),
        ("eservices", "view_householdtoken"),
        ("eservices", "add_householdtoken"),
        ("eservices", "view_householdsticker"),
        ("eservices", "view_verificationattempt"),
        ("eservices", "view_welfarerule"),
        ("eservices", "view_welfareenrolment"),
        ("eservices", "add_welfareenrolment"),
        ("eservices", "change_welfareenrolment"),
        ("eservices", "view_disabilitycard"),
        ("eservices", "add_disabilitycard"),
        ("eservices", "change_disabilitycard"),
        ("eservices", "view_householdincome"),
        ("eservices", "add_householdincome"),
        ("eservices", "change_householdincome"),
    ],
    VIEWER: [("eservices", "view_servicetype")],
}
