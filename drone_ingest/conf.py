"""Settings of the imagery pipeline, read from Django settings first, then the environment.

Every name here may be set in ``gis_portal/settings.py`` or as an environment variable.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def _get(name: str, default: str) -> str:
    return str(getattr(settings, name, os.environ.get(name, default)))


def _int(name: str, default: int) -> int:
    return int(_get(name, str(default)))


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def imagery_root() -> Path:
    """Where originals, upload parts and COGs live (a local directory).

    With an object store configured (gis_portal/storage.py) originals and COGs live there instead,
    under :func:`store_name`; this directory then holds only uploads in progress and work files.
    """
    return Path(_get("IMAGERY_ROOT", str(media_root() / "imagery")))


def uploads_dir() -> Path:
    return imagery_root() / "uploads"


def originals_dir() -> Path:
    return imagery_root() / "originals"


def cogs_dir() -> Path:
    return imagery_root() / "cogs"


def upload_max_bytes() -> int:
    """Largest file a surveyor may upload (default 20 GiB)."""
    return _int("IMAGERY_UPLOAD_MAX_BYTES", 20 * 1024**3)


def upload_chunk_bytes() -> int:
    """Chunk size the browser uploader uses (default 8 MiB)."""
    return _int("IMAGERY_UPLOAD_CHUNK_BYTES", 8 * 1024**2)


def max_pixels() -> int:
    """Refuse rasters whose width × height × bands exceeds this before reading pixels (bomb guard)."""
    return _int("IMAGERY_MAX_PIXELS", 60_000_000_000)


def max_side() -> int:
    return _int("IMAGERY_MAX_SIDE", 1_000_000)


def gdal_cachemax_mb() -> int:
    """GDAL block cache for processing, in MB: memory must not grow with the file.

    16 MB keeps a 2 GB ingest under 400 MB peak (the warp and overview passes read the source in
    windows; a larger cache did not make them faster here: docs/PERFORMANCE.md, "Imagery").
    """
    return _int("IMAGERY_GDAL_CACHEMAX_MB", 16)


def num_threads() -> str:
    return _get("IMAGERY_NUM_THREADS", "2")


def jpeg_quality() -> int:
    return _int("IMAGERY_JPEG_QUALITY", 85)


def rgb_compression() -> str:
    """JPEG (default) or WEBP for RGB(A) orthomosaics."""
    return _get("IMAGERY_RGB_COMPRESSION", "JPEG").upper()


def dsm_compression() -> str:
    """LERC_DEFLATE (default) or DEFLATE for elevation models."""
    return _get("IMAGERY_DSM_COMPRESSION", "LERC_DEFLATE").upper()


def dsm_max_z_error() -> str:
    """Largest elevation error LERC may introduce, in metres (0 = lossless)."""
    return _get("IMAGERY_DSM_MAX_Z_ERROR", "0.001")


def stale_after_seconds() -> int:
    """A 'processing' job whose heartbeat is older than this is considered dead and retryable."""
    return _int("IMAGERY_STALE_AFTER_SECONDS", 15 * 60)


def upload_session_max_age_days() -> int:
    return _int("IMAGERY_UPLOAD_SESSION_MAX_AGE_DAYS", 7)


def tile_cachemax_mb() -> int:
    return _int("IMAGERY_TILE_GDAL_CACHEMAX_MB", 256)


def tile_max_age_seconds() -> int:
    return _int("IMAGERY_TILE_MAX_AGE", 86400)


def ortho_tile_cache_seconds() -> int:
    """How long a rendered ortho tile stays in the shared cache (Redis; evicted earlier when full)."""
    return _int("IMAGERY_TILE_CACHE_SECONDS", 6 * 3600)


def store_name(relative: str) -> str:
    """The name in the object store (gis_portal.storage, when one is configured) of an imagery file
    recorded as ``relative`` (a path under ``IMAGERY_ROOT``: ``originals/…``, ``cogs/…``)."""
    return f"imagery/{relative}"


def max_ortho_pixel_m() -> float:
    """Coarsest ground pixel (m) accepted for an orthomosaic: drone surveys are a few cm; 1 m is satellite."""
    return float(_get("IMAGERY_MAX_ORTHO_PIXEL_M", "1.0"))


def max_elevation_pixel_m() -> float:
    """Coarsest ground pixel (m) accepted for a DSM or DTM (photogrammetric models are under 1 m)."""
    return float(_get("IMAGERY_MAX_ELEVATION_PIXEL_M", "5.0"))
