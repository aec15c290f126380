"""Thai mobile numbers for SMS: 10 digits starting 06, 08 or 09 (or +66 / 66 and 9 digits).

The check itself is the foundation's (``gis_portal.phones``), shared with the service forms.
"""

from __future__ import annotations

from gis_portal.phones import thai_mobile

__all__ = ["international", "thai_mobile"]


def international(phone: str) -> str:
    """0812345678 → 66812345678 (the form SMS gateways take)."""
    return "66" + thai_mobile(phone)[1:]
