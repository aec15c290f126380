"""The LINE Messaging API: push and reply messages, and the webhook signature.

Push: ``POST {base}/v2/bot/message/push`` with ``Authorization: Bearer <channel access token>``,
body ``{"to": "<userId>", "messages": [{"type": "text", "text": "…"}]}`` and an
``X-Line-Retry-Key`` (a UUID) so that a retried request is never delivered twice (LINE answers
409 to a key it has already accepted). Reply: ``POST {base}/v2/bot/message/reply`` with a
``replyToken`` from a webhook event. Webhook: the ``X-Line-Signature`` header is the base64 of
HMAC-SHA256 of the request body with the channel secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from . import conf
from .transport import SendError, post

TEXT_MAX = 5000  # characters in one LINE text message


def signature(body: bytes, channel_secret: str) -> str:
    return base64.b64encode(hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()).decode()


def signature_ok(body: bytes, header: str, channel_secret: str) -> bool:
    return bool(header) and hmac.compare_digest(signature(body, channel_secret), header.strip())


def _messages(texts: list[str]) -> list[dict]:
    return [{"type": "text", "text": t[:TEXT_MAX]} for t in texts[:5]]


def _headers(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"}


def push(*, access_token: str, to: str, text: str, retry_key: str) -> str:
    """Push one text to a user; returns the sent message's id. A 409 means already delivered."""
    body = json.dumps({"to": to, "messages": _messages([text])}, ensure_ascii=False).encode()
    status, payload = post(
        f"{conf.line_api_base()}/v2/bot/message/push",
        body,
        {**_headers(access_token), "X-Line-Retry-Key": retry_key},
    )
    if status == 409:  # accepted earlier under the same retry key: delivered, do not send again
        sent = payload.get("sentMessages") or [{}]
        return str(sent[0].get("id", "")) or "accepted-earlier"
    if status != 200:
        raise SendError(f"LINE push HTTP {status}: {payload.get('message', '')}"[:300])
    sent = payload.get("sentMessages") or [{}]
    return str(sent[0].get("id", ""))


def reply(*, access_token: str, reply_token: str, text: str) -> None:
    """Answer a webhook event (free of charge, valid for a short time after the event)."""
    body = json.dumps({"replyToken": reply_token, "messages": _messages([text])}, ensure_ascii=False).encode()
    status, payload = post(f"{conf.line_api_base()}/v2/bot/message/reply", body, _headers(access_token))
    if status != 200:
        raise SendError(f"LINE reply HTTP {status}: {payload.get('message', '')}"[:300])
