"""GDAL configuration while a file someone uploaded is open (rasters and vector files alike).

No directory listing and no side files (an ``.aux.xml``, ``.ovr`` or ``.msk`` next to an upload is
never read), no SQLite virtual tables, and no network: a GeoJSON ``"crs"`` of type ``"link"`` would
make GDAL fetch its URL, so every HTTP request GDAL would make goes to a closed local port.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePosixPath

UNTRUSTED_GDAL_CONFIG: dict[str, str] = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "GDAL_PAM_ENABLED": "NO",
    "OGR_SQLITE_LIST_VIRTUAL_OGR": "NO",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".no-network",
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTPS_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_TIMEOUT": "2",
    "GDAL_HTTP_CONNECTTIMEOUT": "2",
    "GDAL_HTTP_MAX_RETRY": "0",
}


def unsafe_zip_member(member: zipfile.ZipInfo) -> bool:
    """An entry of an uploaded zip that must not be unpacked: an absolute or parent (``..``) path,
    a Windows path, a symbolic link, or an encrypted entry."""
    name = member.filename
    return (
        name.startswith(("/", "\\"))
        or "\\" in name
        or ":" in name
        or ".." in PurePosixPath(name).parts
        or (member.external_attr >> 16) & 0o170000 == 0o120000  # a symbolic link
        or bool(member.flag_bits & 0x1)  # encrypted
    )
