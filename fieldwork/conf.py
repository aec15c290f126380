"""Settings of field packets, from Django settings first, then the environment."""

from __future__ import annotations

import os

from django.conf import settings


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, os.environ.get(name, default)))


def basemap_max_bytes() -> int:
    """The offline basemap is cut to fewer zoom levels until its estimate fits this (default 80 MB)."""
    return _int("FIELD_PACKET_BASEMAP_MAX_BYTES", 80 * 1024 * 1024)


def checkin_max_bytes() -> int:
    """Largest check-in upload (the GeoPackage, or the zipped packet folder with its photos)."""
    return _int("FIELD_CHECKIN_MAX_BYTES", 300 * 1024 * 1024)


def photo_max_bytes() -> int:
    return _int("FIELD_PHOTO_MAX_BYTES", 25 * 1024 * 1024)
