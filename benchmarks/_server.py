"""What the benchmarks that start their own gunicorn share: waiting until it answers."""

from __future__ import annotations

import http.client
import time


def wait_until_serving(port: int, path: str = "/healthz", attempts: int = 100, pause: float = 0.2) -> bool:
    """True once 127.0.0.1:port answers ``GET path`` (any status), False after ``attempts`` tries."""
    for _ in range(attempts):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return True
        except OSError:
            time.sleep(pause)
    return False
