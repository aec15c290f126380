"""The allow-list of coordinate reference systems a user may hand us.

A CRS from outside (the CRS a file declares, or a code typed by a person) is accepted only as an
EPSG code of ``settings.ALLOWED_EPSG_CODES``: WKT, PROJ strings, URLs and file names never reach
GDAL or PROJ as a definition. A file's CRS is identified with pyproj (never GDAL's
``SetFromUserInput``); one that is not, with confidence, an allowed EPSG code is refused.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

from .errors import DomainError

DEFAULT_ALLOWED_EPSG = (4326, 3857, 32647, 32648, 24047, 24048)
# How a person may write an EPSG code: 32647, EPSG:32647, urn:ogc:def:crs:EPSG::32647, or the
# OGC URI http(s)://www.opengis.net/def/crs/EPSG/0/32647. CRS84 is WGS 84 (EPSG:4326).
_CODE = re.compile(
    r"^\s*(?:(?:epsg:)|(?:urn:ogc:def:crs:epsg:[0-9.]*:)|(?:https?://www\.opengis\.net/def/crs/epsg/0/))?"
    r"(\d{4,6})\s*$",
    re.IGNORECASE,
)
_CRS84 = re.compile(
    r"^\s*(?:ogc:crs84|urn:ogc:def:crs:ogc:1\.3:crs84|https?://www\.opengis\.net/def/crs/ogc/1\.3/crs84)\s*$",
    re.IGNORECASE,
)


def allowed_epsg() -> tuple[int, ...]:
    """The EPSG codes users may give, from ``settings.ALLOWED_EPSG_CODES``."""
    return tuple(int(c) for c in getattr(settings, "ALLOWED_EPSG_CODES", DEFAULT_ALLOWED_EPSG))


def not_allowed(shown: str) -> DomainError:
    codes = ", ".join(f"EPSG:{c}" for c in allowed_epsg())
    return DomainError(
        "crs_not_allowed",
        f"The coordinate system {shown[:80]!r} is not accepted; use one of {codes}",
        f"ไม่รับระบบพิกัด {shown[:80]!r} ใช้ได้เฉพาะ {codes}",
        allowed=list(allowed_epsg()),
    )


def parse_epsg(value: Any) -> int:
    """An EPSG code typed by a person (``32647``, ``EPSG:32647``, an OGC URN/URI), if allowed."""
    text = str(value if value is not None else "")
    if _CRS84.match(text):
        return 4326
    match = _CODE.match(text)
    if not match or int(match[1]) not in allowed_epsg():
        raise not_allowed(text)
    return int(match[1])


def epsg_of_declared(crs: Any) -> int:
    """The allowed EPSG code of a CRS a file declares (pyproj CRS, ``EPSG:n`` or WKT), else refuse.

    A WKT without an EPSG identifier (e.g. an ESRI ``.prj``) is matched against the EPSG database
    by pyproj and accepted only when the match is close (confidence at least 70 %).
    """
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    if crs is None:
        raise not_allowed("")
    shown = str(crs)
    try:
        if isinstance(crs, CRS):
            parsed = crs
        elif _CODE.match(shown) or _CRS84.match(shown):
            return parse_epsg(shown)
        elif shown.lstrip()[:1].isalpha() and "[" in shown:
            parsed = CRS.from_wkt(shown)
        else:
            raise not_allowed(shown)
    except CRSError:
        raise not_allowed(shown) from None
    authority = parsed.to_authority(min_confidence=100)
    if authority and authority[0] == "OGC" and authority[1] == "CRS84":
        return 4326
    code = parsed.to_epsg(min_confidence=70)
    if code is None or code not in allowed_epsg():
        raise not_allowed(parsed.name or shown)
    return code
