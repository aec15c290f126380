"""``django.contrib.admin`` with the portal's organisation-scoped site as ``admin.site``."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "gis_portal.admin_site.PortalAdminSite"
