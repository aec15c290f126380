"""HTTP to the message providers: one JSON/form POST with a timeout, and errors sorted into those
worth retrying (network, 429, 5xx) and those that are not (4xx: a wrong token, a blocked user)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from . import conf


class SendError(Exception):
    """The provider refused the message for good (retrying will not help)."""


class TransientSendError(SendError):
    """The provider or the network failed for now: retry later."""


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    """POST and return (status, parsed JSON body or {}); raises SendError / TransientSendError."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - https or the test server
    try:
        with urllib.request.urlopen(request, timeout=conf.HTTP_TIMEOUT) as resp:  # noqa: S310
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise TransientSendError(f"network: {exc}") from None
    try:
        payload = json.loads(raw or b"{}")
    except ValueError:
        payload = {"raw": raw[:200].decode("utf-8", "replace")}
    if status == 429 or status >= 500:
        raise TransientSendError(f"HTTP {status}: {str(payload)[:200]}")
    return status, payload
