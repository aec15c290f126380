"""Permissions of field packets per staff role (merged by gis_portal.roles.sync_roles).

GIS editors make packets, check them in and settle conflicts and drafts (the merge writes the
register); surveyors make packets and see check-ins.
"""

MAKE_ROLES = ("GIS editor", "surveyor")
CHECKIN_ROLES = ("GIS editor",)

ROLE_PERMISSIONS = {
    "GIS editor": [
        ("fieldwork", "add_fieldpacket"),
        ("fieldwork", "view_fieldpacket"),
        ("fieldwork", "add_checkin"),
        ("fieldwork", "view_checkin"),
        ("fieldwork", "change_checkinitem"),
        ("fieldwork", "view_checkinitem"),
        ("fieldwork", "view_fieldphoto"),
    ],
    "surveyor": [
        ("fieldwork", "add_fieldpacket"),
        ("fieldwork", "view_fieldpacket"),
        ("fieldwork", "view_checkin"),
        ("fieldwork", "view_checkinitem"),
        ("fieldwork", "view_fieldphoto"),
    ],
}
