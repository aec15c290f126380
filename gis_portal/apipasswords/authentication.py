"""HTTP Basic with a per-user API password, for the REST API (DRF) and the OGC API views."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled

from .services import BasicAuthError, authenticate_basic

REALM = 'Basic realm="Pang Mu API", charset="UTF-8"'


class ApiPasswordBasicAuthentication(BaseAuthentication):
    """``Authorization: Basic base64(user:API password)``; the login password is not accepted."""

    def authenticate(self, request: Any) -> tuple[Any, None] | None:
        try:
            user = authenticate_basic(request._request)
        except BasicAuthError as exc:
            if exc.status_code == 429:
                raise Throttled(wait=exc.details.get("retry_after"), detail=exc.message) from None
            raise AuthenticationFailed(exc.message) from None
        return (user, None) if user is not None else None

    def authenticate_header(self, request: Any) -> str:
        return REALM
