"""Liveness (/healthz: the process answers) and readiness (/readyz: database, Redis, media store).

The media store is the object store when one is configured (gis_portal/storage.py), else MEDIA_ROOT.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from . import storage

log = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT postgis_lib_version()")
        cur.fetchone()


def _check_redis() -> None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    client.ping()


def _check_media() -> None:
    if storage.configured():
        storage.check()
        return
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, prefix=".readyz-") as fh:
        fh.write(b"ok")
        fh.flush()


CHECKS = {"database": _check_database, "redis": _check_redis, "media": _check_media}


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    results = {}
    ok = True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
            results[name] = {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}
        except Exception as exc:  # a readiness probe reports every failure, whatever its type
            ok = False
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
            log.warning("readiness check %s failed: %s", name, exc)
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": results}, status=200 if ok else 503
    )
