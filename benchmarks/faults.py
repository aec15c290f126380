"""Fault drill on loopback: the web app keeps serving through a PostgreSQL restart and a Redis outage.

Runs gunicorn (production settings, 2 workers) on 127.0.0.1 and a bounded request loop (4 client
threads) against pages that touch the database (/readyz checks database, Redis and the media store;
/accounts/login/ renders a template and reads the session table when a cookie is sent). Phases:

1. baseline;
2. PostgreSQL restarted (``pg_ctlcluster 15 main restart``) while requests run;
3. after recovery (the web processes are NOT restarted);
4. Redis stopped (/readyz must answer 503, the login page must keep working);
5. after Redis is started again.

Each phase reports requests, errors (5xx or connection failures) and 503s. It restarts the local
PostgreSQL and Redis: run it by hand on a development machine, never while tests run.

Usage: .venv/bin/python benchmarks/faults.py [--phase-seconds 8]
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PATHS = ["/readyz", "/accounts/login/"]  # plus a resident page (set in main) that reads the register
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Load:
    def __init__(self, port: int, threads: int = 4) -> None:
        self.port = port
        self.threads = threads
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def _client(self, n: int) -> None:
        conn = None
        i = n
        while not self.stop.is_set():
            path = PATHS[i % len(PATHS)]
            i += 1
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                key = f"{path} {response.status}"
                if response.status >= 500 and response.status != 503:
                    key += " ERROR"
            except (OSError, http.client.HTTPException) as exc:
                key = f"{path} {type(exc).__name__} ERROR"
                conn = None
                time.sleep(0.05)
            with self.lock:
                self.counts[key] += 1

    def run(self, seconds: float) -> Counter[str]:
        self.counts = Counter()
        self.stop.clear()
        workers = [threading.Thread(target=self._client, args=(n,)) for n in range(self.threads)]
        for w in workers:
            w.start()
        time.sleep(seconds)
        self.stop.set()
        for w in workers:
            w.join()
        return self.counts


def summary(name: str, counts: Counter[str]) -> dict[str, object]:
    total = sum(counts.values())
    errors = sum(v for k, v in counts.items() if k.endswith("ERROR"))
    unavailable = sum(v for k, v in counts.items() if " 503" in k)
    row = {"phase": name, "requests": total, "errors": errors, "503": unavailable, "detail": dict(counts)}
    print(f"{name:<32} requests {total:>6}  errors {errors:>4}  503 {unavailable:>5}  {dict(counts)}")
    return row


def sh(*args: str) -> None:
    subprocess.run(list(args), check=True, capture_output=True)  # noqa: S603


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase-seconds", type=float, default=8.0)
    opts = parser.parse_args()
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    static_root = tempfile.mkdtemp(prefix="faults-static-")
    env["STATIC_ROOT"] = static_root
    # Production pages need the hashed static files (as `docker compose` builds them into the image).
    subprocess.run(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    # A sticker of one demo household: its page looks the token up in PostgreSQL and caches in Redis.
    token = (
        subprocess.run(  # noqa: S603
            [
                str(ROOT / ".venv" / "bin" / "python"),
                "manage.py",
                "shell",
                "-c",
                "from eservices.services import token_issue; from parcels.models import Household; "
                "print(token_issue(household=Household.objects.filter(organisation__slug='pangmu').order_by('id').last()))",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    PATHS.append(f"/h/{token}/")
    server = subprocess.Popen(  # noqa: S603
        [
            GUNICORN,
            "gis_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    load = Load(port)
    try:
        for _ in range(60):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.5)
        rows = [summary("1 baseline", load.run(opts.phase_seconds))]

        restart = threading.Thread(
            target=lambda: (
                time.sleep(1),
                sh("pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"),
            )
        )
        restart.start()
        rows.append(summary("2 PostgreSQL restarting", load.run(opts.phase_seconds)))
        restart.join()
        rows.append(summary("3 after PostgreSQL restart", load.run(opts.phase_seconds)))

        sh("redis-cli", "-h", "127.0.0.1", "shutdown", "nosave")
        rows.append(summary("4 Redis down", load.run(opts.phase_seconds)))
        sh(*REDIS_START) if shutil.which("redis-server") else None
        time.sleep(1)
        rows.append(summary("5 after Redis restart", load.run(opts.phase_seconds)))
    finally:
        load.stop.set()
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
        if subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True).returncode != 0:  # noqa: S607
            subprocess.run(REDIS_START, check=False)  # noqa: S603
    failed = [r["phase"] for r in rows if r["phase"][0] in "135" and (r["errors"] or r["503"])]
    print("recovered without restarting the web app" if not failed else f"NOT recovered: {failed}")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
