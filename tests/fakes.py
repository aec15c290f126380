"""Local HTTP servers that speak the providers' APIs (LINE Messaging API, ThaiBulkSMS v2), for tests.

They check what the real services check (the bearer token, Basic auth, JSON shape, a Thai
number), keep what they accepted, honour LINE's X-Line-Retry-Key (409 for a key seen before), and
can be told to fail the next requests with a status (500, 429, 400).
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class ProviderServer:
    def __init__(
        self, *, line_token: str = "line-token", sms_key: str = "key", sms_secret: str = "secret"
    ) -> None:
        self.line_token = line_token
        self.sms_auth = "Basic " + base64.b64encode(f"{sms_key}:{sms_secret}".encode()).decode()
        self.pushed: list[dict] = []
        self.replied: list[dict] = []
        self.sms: list[dict] = []
        self.retry_keys: dict[str, dict] = {}
        self.fail_next: list[int] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # noqa: ANN002
                pass

            def _answer(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with server.lock:
                    if server.fail_next:
                        status = server.fail_next.pop(0)
                        return self._answer(status, {"message": f"induced {status}"})
                if self.path in ("/v2/bot/message/push", "/v2/bot/message/reply"):
                    return server._line(self, raw)
                if self.path == "/sms":
                    return server._thaibulksms(self, raw)
                return self._answer(404, {"message": "Not found"})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # LINE -------------------------------------------------------------------------------------
    def _line(self, h, raw: bytes) -> None:  # noqa: ANN001
        if h.headers.get("Authorization") != f"Bearer {self.line_token}":
            return h._answer(
                401, {"message": "Authentication failed due to the following reason: invalid token."}
            )
        try:
            body = json.loads(raw)
        except ValueError:
            return h._answer(400, {"message": "The request body has 1 error(s)"})
        messages = body.get("messages")
        if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
            return h._answer(
                400, {"message": "The request body has 1 error(s)", "details": [{"property": "messages"}]}
            )
        for m in messages:
            if m.get("type") != "text" or not m.get("text") or len(m["text"]) > 5000:
                return h._answer(400, {"message": "The request body has 1 error(s)"})
        if h.path.endswith("/reply"):
            if not body.get("replyToken"):
                return h._answer(400, {"message": "Invalid reply token"})
            with self.lock:
                self.replied.append(body)
            return h._answer(200, {"sentMessages": [{"id": str(uuid.uuid4().int)[:18]}]})
        to = body.get("to", "")
        if not (isinstance(to, str) and to.startswith("U") and len(to) == 33):
            return h._answer(400, {"message": "The property, 'to', in the request body is invalid"})
        key = h.headers.get("X-Line-Retry-Key")
        with self.lock:
            if key and key in self.retry_keys:
                return h._answer(
                    409, {"message": "The retry key is already accepted", **self.retry_keys[key]}
                )
            answer = {"sentMessages": [{"id": str(uuid.uuid4().int)[:18], "quoteToken": uuid.uuid4().hex}]}
            if key:
                self.retry_keys[key] = answer
            self.pushed.append({"to": to, "texts": [m["text"] for m in messages], "retry_key": key})
        return h._answer(200, answer)

    # ThaiBulkSMS ------------------------------------------------------------------------------
    def _thaibulksms(self, h, raw: bytes) -> None:  # noqa: ANN001
        if h.headers.get("Authorization") != self.sms_auth:
            return h._answer(
                401, {"error": {"code": 401, "name": "ERROR_UNAUTHORIZED", "description": "bad key"}}
            )
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        if not form.get("message") or not form.get("msisdn"):
            return h._answer(
                400, {"error": {"code": 400, "name": "ERROR_PARAMETER", "description": "missing"}}
            )
        number = form["msisdn"]
        if not (number.startswith("66") and len(number) == 11 and number.isdigit()):
            return h._answer(
                201,
                {
                    "remaining_credit": 99,
                    "total_use_credit": 0,
                    "credit_type": form.get("force", "standard"),
                    "phone_number_list": [],
                    "bad_phone_number_list": [{"number": number, "message": "Invalid"}],
                },
            )
        with self.lock:
            self.sms.append(form)
        return h._answer(
            201,
            {
                "remaining_credit": 99,
                "total_use_credit": 1,
                "credit_type": form.get("force", "standard"),
                "phone_number_list": [
                    {"number": number, "message_id": uuid.uuid4().hex[:22], "used_credit": 1}
                ],
                "bad_phone_number_list": [],
            },
        )
