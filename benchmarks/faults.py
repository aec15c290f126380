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

``--case disk-full`` (run as root; restarts nothing) mounts a small tmpfs as the media store
(MEDIA_ROOT, so also the imagery upload directory) of its own gunicorn, fills it, and checks that
(a) an orthomosaic upload chunk, (b) a resident's request with a photo and (c) a backup onto that
disk each fail with a clear message (507 / a Thai and English message), leave no record and no
half-written file, while the site keeps serving; then frees the space and checks that the same
three actions succeed. What it created in the database is deleted again at the end.

Usage: .venv/bin/python benchmarks/faults.py [--phase-seconds 8] [--case restarts|disk-full|all]
(default: restarts)
"""

from __future__ import annotations

import argparse
import errno
import http.client
import io
import json
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

from _server import wait_until_serving  # benchmarks/_server.py (the script's own folder)

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
    parser.add_argument("--case", choices=["restarts", "disk-full", "all"], default="restarts")
    opts = parser.parse_args()
    failed = []
    if opts.case in ("restarts", "all"):
        failed += [] if restarts_drill(opts) == 0 else ["restarts"]
    if opts.case in ("disk-full", "all"):
        failed += [] if disk_full_drill(opts) == 0 else ["disk-full"]
    return 1 if failed else 0


def restarts_drill(opts: argparse.Namespace) -> int:
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
        wait_until_serving(port, attempts=60, pause=0.5)
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


# --- disk full on the media store ------------------------------------------------------------------

PY = str(ROOT / ".venv" / "bin" / "python")
DRILL_USER = "faults-drill"
SETUP = """
import json, secrets
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from eservices.services import token_issue
from gis_portal import roles
from parcels.models import Household, Membership, Organisation
org = Organisation.objects.get(slug="pangmu")
user, _ = get_user_model().objects.get_or_create(username="%(user)s")
user.set_password(secrets.token_urlsafe(24)); user.is_active = True; user.save()
Membership.objects.get_or_create(user=user, organisation=org, role=Group.objects.get(name=roles.SURVEYOR))
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "gis_portal.auth.OrganisationRoleBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
household = Household.objects.filter(organisation=org).order_by("id").last()
print(json.dumps({"session": session.session_key, "token": token_issue(household=household)}))
"""
CLEANUP = """
from django.contrib.auth import get_user_model
from drone_ingest.models import UploadSession
from eservices.models import ServiceRequest
nonces = %(nonces)r
print(ServiceRequest.objects.filter(nonce__in=nonces).delete())
user = get_user_model().objects.filter(username="%(user)s").first()
if user is not None:
    UploadSession.objects.filter(user=user).delete()
    try:
        user.delete()
    except Exception:  # a table of an unapplied migration: keep the user, without access
        user.memberships.all().delete()
        user.is_active = False
        user.save(update_fields=["is_active"])
"""


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


class Browser:
    """http.client with cookies and Django's CSRF header."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.cookies = dict(cookies or {})

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        head = dict(headers or {})
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if "csrftoken" in self.cookies and method not in ("GET", "HEAD"):
            head["X-CSRFToken"] = self.cookies["csrftoken"]
        conn.request(method, path, body=body, headers=head)
        response = conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, (filename, data, ctype) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n".encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def fill(folder: Path) -> int:
    """Write filler files until the disk refuses (ENOSPC); return the bytes written."""
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for n, block in enumerate((1 << 20, 4096, 1)):
        with (folder / f"filler{n}").open("wb", buffering=0) as fh:
            try:
                while True:
                    total += fh.write(b"\0" * block)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    return total


def files_of(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "filler" not in p.name}


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 140, 60)).save(out, "JPEG", quality=90)
    return out.getvalue()


def _request_count(nonce: str) -> int:
    import psycopg

    url = os.environ.get("DATABASE_URL", "postgis://pangmu:pangmu@127.0.0.1:5432/pangmu")
    with psycopg.connect(url.replace("postgis://", "postgresql://", 1)) as conn:
        row = conn.execute(
            "SELECT count(*), (SELECT count(*) FROM eservices_requestattachment a"
            " JOIN eservices_servicerequest r ON r.id = a.request_id WHERE r.nonce = %s)"
            " FROM eservices_servicerequest WHERE nonce = %s",
            [nonce, nonce],
        ).fetchone()
    return int(row[0]) + int(row[1])


def disk_full_drill(opts: argparse.Namespace, size_mb: int = 20) -> int:
    if os.geteuid() != 0:
        print("disk-full drill: needs root (mount -t tmpfs)")
        return 1
    disk = Path(tempfile.mkdtemp(prefix="faults-disk-"))
    sh("mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(disk))
    media = disk / "media"
    media.mkdir()
    port = free_port()
    static_root = tempfile.mkdtemp(prefix="faults-static-")
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "CRITICAL",
        "MEDIA_ROOT": str(media),
        "STATIC_ROOT": static_root,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    results: list[tuple[str, bool, str]] = []
    nonces: list[str] = []

    def check(name: str, ok: bool, detail: str) -> None:
        results.append((name, ok, detail))
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")

    server = None
    try:
        manage(env, "collectstatic", "--noinput").check_returncode()
        setup = manage(env, "shell", "-c", SETUP % {"user": DRILL_USER})
        setup.check_returncode()
        ids = json.loads(setup.stdout.strip().splitlines()[-1])
        PATHS.append(f"/h/{ids['token']}/")
        server = subprocess.Popen(  # noqa: S603
            [GUNICORN, "gis_portal.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_serving(port, attempts=60, pause=0.5)
        staff = Browser(port, {"sessionid": ids["session"]})
        staff.request("GET", "/accounts/login/")  # the CSRF cookie
        resident = Browser(port)
        form_path = f"/h/{ids['token']}/s/septic_pumping/"
        resident.request("GET", form_path)
        chunk = secrets.token_bytes(1 << 20)
        size = 2 * len(chunk)
        status, _, body = staff.request(
            "POST",
            "/imagery/uploads/",
            json.dumps(
                {"organisation": "pangmu", "filename": "drill.tif", "size": size, "captured": "2026-11-25"}
            ).encode(),
            {"Content-Type": "application/json"},
        )
        check("upload session opened (before the disk fills)", status == 201, f"HTTP {status}")
        upload = json.loads(body)
        part = media / "imagery" / "uploads" / f"{upload['id']}.part"

        def put_chunk() -> tuple[int, dict]:
            status, _, body = staff.request(
                "PUT",
                upload["url"],
                chunk,
                {
                    "Content-Range": f"bytes 0-{len(chunk) - 1}/{size}",
                    "Content-Type": "application/octet-stream",
                },
            )
            return status, json.loads(body or b"{}")

        def submit(nonce: str) -> tuple[int, str]:
            data, ctype = multipart(
                {
                    "csrfmiddlewaretoken": resident.cookies.get("csrftoken", ""),
                    "nonce": nonce,
                    "tank_size": "small",
                    "phone": "0811111111",
                    "details": "faults drill",
                },
                {"photo": ("photo.jpg", _jpeg(), "image/jpeg")},
            )
            status, headers, body = resident.request("POST", form_path, data, {"Content-Type": ctype})
            return status, headers.get("location", "") or body.decode(errors="replace")

        filled = fill(disk / "filler")
        before = files_of(media)
        print(f"tmpfs {size_mb} MiB at {disk} filled with {filled:,} bytes")
        load = Load(port, threads=2)
        background = threading.Thread(target=lambda: load.run(opts.phase_seconds * 2))
        background.start()

        # (a) a chunk of an orthomosaic upload
        status, answer = put_chunk()
        check(
            "full: upload chunk refused with 507 and the offset to resume from",
            status == 507 and answer.get("code") == "disk_full" and answer.get("offset") == 0,
            f"HTTP {status} {answer.get('code')} offset={answer.get('offset')}: "
            f"{answer.get('message_en', '')[:90]}",
        )
        status, _, body = staff.request("GET", upload["url"])
        kept = part.stat().st_size if part.exists() else -1
        check(
            "full: upload offset still 0 and part file empty",
            status == 200 and json.loads(body)["offset"] == 0 and kept == 0,
            f"offset {json.loads(body).get('offset')}, part {kept} bytes",
        )
        # (b) a resident's request with a photo
        nonce = f"faults-drill-{secrets.token_hex(8)}"
        nonces.append(nonce)
        status, page = submit(nonce)
        message = "พื้นที่จัดเก็บของเซิร์ฟเวอร์เต็ม" in page
        check(
            "full: resident request refused with a readable message",
            status == 400 and message,
            f"HTTP {status}, Thai disk-full message shown: {message}",
        )
        check(
            "full: no request row, no attachment, no new file",
            _request_count(nonce) == 0 and files_of(media) == before,
            f"rows {_request_count(nonce)}, new files {sorted(files_of(media) - before)}",
        )
        # (c) a backup onto the full disk
        target = disk / "backups" / "drill"
        run = manage(env, "backup", str(target))
        last = (run.stderr.strip().splitlines() or [""])[-1]
        check(
            "full: backup fails with a clear message and leaves no folder",
            run.returncode != 0 and "storage is full" in run.stderr and not target.exists(),
            f"exit {run.returncode}: {last[:160]}; folder left: {target.exists()}",
        )
        background.join()
        counts = load.counts
        errors = sum(v for k, v in counts.items() if k.endswith("ERROR"))
        check(
            "full: other pages kept being served (no 5xx other than /readyz's 503)",
            errors == 0 and any(" 200" in k and k.startswith("/h/") for k in counts),
            f"{sum(counts.values())} requests, {errors} errors: {dict(counts)}",
        )

        # Space freed: the same three actions succeed.
        shutil.rmtree(disk / "filler")
        status, answer = put_chunk()
        check(
            "freed: the same chunk is stored",
            status == 200 and answer.get("offset") == len(chunk),
            f"HTTP {status} offset={answer.get('offset')}",
        )
        status, location = submit(nonce)
        check(
            "freed: the same request is filed with its photo",
            status == 302 and _request_count(nonce) == 2,
            f"HTTP {status} → {location[:60]}; request + attachment rows {_request_count(nonce)}",
        )
        run = manage(env, "backup", str(target))
        check(
            "freed: backup written",
            run.returncode == 0 and (target / "manifest.json").exists(),
            f"exit {run.returncode}: {(run.stdout.strip().splitlines() or [''])[-1][:120]}",
        )
        status, _, _ = staff.request("DELETE", upload["url"])
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        manage(env, "shell", "-c", CLEANUP % {"nonces": nonces, "user": DRILL_USER})
        subprocess.run(["umount", str(disk)], check=False)  # noqa: S607
        shutil.rmtree(disk, ignore_errors=True)
        shutil.rmtree(static_root, ignore_errors=True)
    failed = [name for name, ok, _ in results if not ok]
    print("disk-full drill passed" if not failed and results else f"disk-full drill FAILED: {failed}")
    return 0 if not failed and results else 1


if __name__ == "__main__":
    sys.exit(main())
