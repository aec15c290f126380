"""SMS through ThaiBulkSMS (API v2), a sender for :mod:`eservices.sms` registered as ``thaibulksms``.

``POST {base}/sms`` with HTTP Basic auth (API key and secret), form fields ``msisdn`` (66XXXXXXXXX),
``message``, ``sender`` and ``force`` (``standard`` or ``corporate``). A 201 answer lists the
numbers sent (``phone_number_list``, each with ``message_id``) and those refused
(``bad_phone_number_list``); errors come as ``{"error": {"code", "name", "description"}}``.
"""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from eservices.sms import SmsBackend, register

from . import conf
from .phones import international
from .transport import SendError, post


class ThaiBulkSmsBackend(SmsBackend):
    force = "standard"

    def send(self, phone: str, text: str) -> str:
        key, secret, sender = conf.thaibulksms_credentials()
        if not key or not secret:
            raise SendError("THAIBULKSMS_API_KEY and THAIBULKSMS_API_SECRET are not set")
        auth = base64.b64encode(f"{key}:{secret}".encode()).decode()
        body = urlencode(
            {"msisdn": international(phone), "message": text, "sender": sender, "force": self.force}
        ).encode()
        status, payload = post(
            f"{conf.thaibulksms_base()}/sms",
            body,
            {
                "Authorization": f"Basic {auth}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        if status not in (200, 201):
            err = payload.get("error") or {}
            raise SendError(
                f"ThaiBulkSMS HTTP {status} {err.get('name', '')} {err.get('description', '')}"[:300]
            )
        if payload.get("bad_phone_number_list"):
            raise SendError(f"ThaiBulkSMS refused the number: {payload['bad_phone_number_list'][0]}"[:300])
        sent = payload.get("phone_number_list") or [{}]
        return str(sent[0].get("message_id", ""))


register("thaibulksms", ThaiBulkSmsBackend)
