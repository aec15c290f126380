"""Request ids for structured logs, and the Content-Security-Policy header."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Take X-Request-ID from the proxy (or make one), log with it, and echo it in the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class ContentSecurityPolicyMiddleware:
    """A strict policy: scripts only from our own static files (no inline script, no eval)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = "; ".join(f"{k} {v}" for k, v in settings.CONTENT_SECURITY_POLICY.items())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class TileFastPathMiddleware:
    """Map tiles skip the page middleware below this one (locale, CSRF, messages, clickjacking,
    history): they are GET requests answered from the tile cache or by one query, never a form or a
    page. The session and the user stay available, loaded only if the view asks for them (the tile
    views keep the user's organisation scope in the cache, so usually nothing is loaded).

    Placed after the security, CSP, request-id and static-file middleware, which still apply.
    Anything but a GET or HEAD to ``/tiles/`` goes the usual way.
    """

    PREFIX = "/tiles/"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from importlib import import_module

        self.get_response = get_response
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(self.PREFIX) or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        from django.contrib.auth import get_user
        from django.urls import Resolver404, get_resolver
        from django.utils.functional import SimpleLazyObject

        try:
            match = get_resolver().resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        request.resolver_match = match
        request.session = self.session_store(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
        request.user = SimpleLazyObject(lambda: get_user(request))
        return match.func(request, *match.args, **match.kwargs)
