"""An S3-compatible server for the tests: moto's S3 in server mode, on 127.0.0.1, in a thread.

It speaks the S3 protocol over real HTTP, so boto3, django-storages and GDAL's ``/vsis3/`` reach it
exactly as they reach MinIO. Every request is logged (method, key, Range header, bytes sent), so a
test can prove that a tile was read in ranges and never downloaded whole.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server


@dataclass
class Request:
    method: str
    path: str
    range: str | None
    status: str = ""
    sent: int = 0


@dataclass
class S3Server:
    log: list[Request] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._app = DomainDispatcherApplication(create_backend_app)
        self._lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        entry = Request(environ["REQUEST_METHOD"], unquote(environ["PATH_INFO"]), environ.get("HTTP_RANGE"))
        with self._lock:
            self.log.append(entry)

        def start(status: str, headers: Any, *args: Any) -> Any:
            entry.status = status
            return start_response(status, headers, *args)

        def counted(body: Iterable[bytes]) -> Iterator[bytes]:
            try:
                for chunk in body:
                    entry.sent += len(chunk)
                    yield chunk
            finally:
                close = getattr(body, "close", None)
                if close:
                    close()

        return counted(self._app(environ, start))

    def start(self) -> S3Server:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = make_server("127.0.0.1", 0, self, threaded=True)
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True, name="s3-server").start()
        return self

    def stop(self) -> None:
        self._server.shutdown()

    def requests_for(self, key_part: str, method: str = "GET") -> list[Request]:
        with self._lock:
            return [r for r in self.log if r.method == method and key_part in r.path]
