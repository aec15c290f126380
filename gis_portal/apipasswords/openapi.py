"""The API password's Basic scheme in the OpenAPI schema (drf-spectacular)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiPasswordBasicScheme(OpenApiAuthenticationExtension):
    target_class = "gis_portal.apipasswords.authentication.ApiPasswordBasicAuthentication"
    name = "apiPasswordBasic"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "basic",
            "description": "User name and a per-user API password (/accounts/api-passwords/), HTTPS only",
        }
