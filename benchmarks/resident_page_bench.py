"""Resident page (the page behind a household's QR sticker) under load: p95 server time at 50 concurrent.

Runs the app under gunicorn on 127.0.0.1 (2 sync workers, DEBUG off: benchmarks/resident_page_settings.py),
against the development database with the Pang Mu demo (``manage.py seed_demo``). It issues fresh
sticker tokens for a sample of demo households (their previous dev stickers stop working), then 50
concurrent keep-alive connections request those households' pages for a fixed time: with ``wrk``
(Debian package; a C load generator that leaves the two cores to the server as far as possible,
a Lua script rotating over the households and their cookies) when it is installed, else with 50
Python threads (http.client), which themselves take most of a core.

Three figures per run:
- server time: gunicorn's own per-request time (access log ``%(D)s``, request parsed → response
  written), i.e. the time the app spends on a request;
- worker CPU time: the Django thread's CPU time per request (Server-Timing header of the
  benchmark settings); unlike wall time it hardly moves when other jobs load the machine;
- client latency: what the load threads saw, including the wait for a free worker (with 2 workers
  and 50 clients most of it is queueing).

Usage: .venv/bin/python benchmarks/resident_page_bench.py [--seconds 30] [--concurrency 50]
       [--households 200] [--verified] [--driver wrk|threads]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from _server import wait_until_serving  # benchmarks/_server.py (the script's own folder)

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))
    return values[k]


def prepare(n: int) -> list[dict]:
    """Fresh tokens for n demo households (with one verification answer each), via Django."""
    code = f"""
import json
from eservices import services
from eservices.catalogue import seed_services
from parcels.models import Household, Organisation, Party
org = Organisation.objects.get(slug="pangmu")
seed_services(org)
hh = list(Household.objects.filter(organisation=org, status="active", members__birth_date__isnull=False)
          .exclude(members__national_id="").distinct().order_by("id")[:{n}])
tokens = services.tokens_issue(households=hh)
out = []
for h in hh:
    m = Party.objects.filter(household=h).exclude(national_id="").exclude(birth_date=None).first()
    out.append({{"token": tokens[h.pk], "last4": m.national_id[-4:], "year": m.birth_date.year + 543}})
print("JSON" + json.dumps(out))
"""
    res = subprocess.run(
        [PY, "manage.py", "shell", "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    import json

    line = next(x for x in res.stdout.splitlines() if x.startswith("JSON"))
    return json.loads(line[4:])


def start_server(port: int, log: Path, static_root: Path) -> subprocess.Popen:
    static_root.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY="benchmark-only-" + os.urandom(8).hex(),
        STATIC_ROOT=str(static_root),
        DJANGO_SETTINGS_MODULE="benchmarks.resident_page_settings",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback; TLS ends at the proxy in production
        SECURE_COOKIES="0",
    )
    proc = subprocess.Popen(
        [
            GUNICORN,
            "gis_portal.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(log),
            "--access-logformat",
            "%(s)s %(D)s %(U)s %({server-timing}o)s",
            "--log-level",
            "warning",
            "--keep-alive",
            "5",
            "--backlog",
            "256",
        ],
        cwd=ROOT,
        env=env,
    )
    if wait_until_serving(port, "/h/warmup/"):
        return proc
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def verified_cookie(port: int, entry: dict) -> str:
    """Verify one household through the real form (CSRF and all); return its Cookie header."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", f"/h/{entry['token']}/")
    r = c.getresponse()
    body = r.read().decode()
    if r.status != 200 or "csrfmiddlewaretoken" not in body:
        raise RuntimeError(f"resident page answered {r.status}: {body[:300]}")
    cookies = {
        m.group(1): m.group(2) for m in re.finditer(r"(csrftoken)=([^;]+)", r.getheader("Set-Cookie", ""))
    }
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urlencode(
        {
            "csrfmiddlewaretoken": token,
            "method": "id_year",
            "id_last4": entry["last4"],
            "birth_year": entry["year"],
        }
    )
    c.request(
        "POST",
        f"/h/{entry['token']}/verify/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Origin": f"http://127.0.0.1:{port}",
            "Referer": f"http://127.0.0.1:{port}/h/{entry['token']}/",
        },
    )
    r = c.getresponse()
    r.read()
    session = re.search(r"sessionid=([^;]+)", r.getheader("Set-Cookie", "")).group(1)
    assert r.status == 302 and r.getheader("Location").endswith("#private"), "verification failed"
    return f"csrftoken={cookies['csrftoken']}; sessionid={session}"


def load(port: int, entries: list[dict], seconds: float, concurrency: int, cookies: list[str | None]) -> dict:
    latencies: list[float] = []
    cpu: list[float] = []
    errors: list[str] = []
    sizes: list[int] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        k = i
        mine, my_errors, my_sizes, my_cpu = [], [], [], []
        while time.monotonic() < stop:
            entry, cookie = entries[k % len(entries)], cookies[k % len(cookies)]
            k += concurrency
            headers = {"Cookie": cookie} if cookie else {}
            t0 = time.perf_counter()
            try:
                conn.request("GET", f"/h/{entry['token']}/", headers=headers)
                r = conn.getresponse()
                body = r.read()
            except (OSError, http.client.HTTPException) as exc:
                my_errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - t0)
            my_sizes.append(len(body))
            timing = re.search(r"cpu;dur=([0-9.]+)", r.getheader("Server-Timing", ""))
            if timing:
                my_cpu.append(float(timing.group(1)))
            if r.status != 200:
                my_errors.append(f"HTTP {r.status}")
        with lock:
            latencies.extend(mine)
            errors.extend(my_errors)
            sizes.extend(my_sizes)
            cpu.extend(my_cpu)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"latencies": latencies, "errors": errors, "wall": wall, "sizes": sizes, "cpu": cpu}


def load_wrk(
    port: int, entries: list[dict], seconds: float, concurrency: int, cookies: list[str | None]
) -> dict:
    """The same load with wrk: each request takes the next household (and its cookie) in turn."""
    rows = []
    for k in range(max(len(entries), len(cookies))):
        entry, cookie = entries[k % len(entries)], cookies[k % len(cookies)] or ""
        rows.append(f'{{"/h/{entry["token"]}/", "{cookie}"}}')
    script = (
        "local reqs = {" + ",\n".join(rows) + "}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        "  local r = reqs[(i % #reqs) + 1]\n"
        "  local h = {}\n"
        '  if r[2] ~= "" then h["Cookie"] = r[2] end\n'
        '  return wrk.format("GET", r[1], h)\n'
        "end\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        lua = f.name
    try:
        t0 = time.perf_counter()
        out = subprocess.run(
            ["wrk", "-t2", f"-c{concurrency}", f"-d{int(seconds)}s", "--latency", "-s", lua,
             f"http://127.0.0.1:{port}/"],
            capture_output=True, text=True, check=True, timeout=seconds + 60,
        ).stdout  # fmt: skip
        wall = time.perf_counter() - t0
    finally:
        os.unlink(lua)
    errors = [line.strip() for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line]
    latency = {m.group(1): m.group(2) for m in re.finditer(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    return {"wall": wall, "errors": errors, "wrk_latency": latency, "wrk_out": out}


def _ms(text: str) -> float:
    m = re.match(r"([0-9.]+)(us|ms|s)", text)
    if not m:
        return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--households", type=int, default=200)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--verified", action="store_true", help="also measure the verified (private) page")
    ap.add_argument(
        "--driver", choices=["wrk", "threads"], default="wrk" if shutil.which("wrk") else "threads"
    )
    args = ap.parse_args()

    entries = prepare(args.households)
    with tempfile.TemporaryDirectory(prefix="resident_bench_") as tmp:
        log = Path(tmp) / "access.log"
        proc = start_server(args.port, log, Path(tmp) / "static")
        try:
            scenarios = [("public page", [None])]
            if args.verified:
                scenarios.append(("verified page", [verified_cookie(args.port, e) for e in entries[:50]]))
            for name, cookies in scenarios:
                use = entries if cookies == [None] else entries[:50]
                load(args.port, use, 3, 4, cookies)  # warm both workers
                log.write_text("")
                if args.driver == "wrk":
                    res = load_wrk(args.port, use, args.seconds, args.concurrency, cookies)
                else:
                    res = load(args.port, use, args.seconds, args.concurrency, cookies)
                time.sleep(0.5)
                text = log.read_text()
                server = [int(m.group(1)) / 1000 for m in re.finditer(r"^200 (\d+) /h/", text, re.M)]
                cpu = [
                    float(m.group(1)) for m in re.finditer(r"^200 \d+ /h/\S* cpu;dur=([0-9.]+)", text, re.M)
                ]
                statuses = re.findall(r"^(\d{3}) \d+ /h/", text, re.M)
                bad = len([x for x in statuses if x != "200"])
                print(f"   load average during the run: {os.getloadavg()[0]:.1f} (on {os.cpu_count()} cores)")
                print(
                    f"== {name} ({args.driver}, {args.concurrency} connections): {len(statuses)} requests in "
                    f"{res['wall']:.1f} s ({len(statuses) / res['wall']:.0f} req/s), {bad} non-200, "
                    f"{len(res['errors'])} client errors"
                )
                print(
                    f"   server time ms (gunicorn %(D)s, n={len(server)}): p50 {pct(server, 50):.1f}  "
                    f"p95 {pct(server, 95):.1f}  p99 {pct(server, 99):.1f}  max {max(server):.1f}"
                )
                print(
                    f"   worker CPU time ms (Server-Timing): p50 {pct(cpu, 50):.1f}  p95 {pct(cpu, 95):.1f}"
                )
                if args.driver == "wrk":
                    w = res["wrk_latency"]
                    print(
                        "   client latency ms (wrk, incl. queueing for 2 workers): "
                        + "  ".join(f"p{k} {_ms(v):.1f}" for k, v in w.items())
                    )
                else:
                    lat = [x * 1000 for x in res["latencies"]]
                    print(
                        f"   page {statistics.median(res['sizes']) / 1024:.1f} KB; client latency ms (incl. "
                        f"queueing for 2 workers): p50 {pct(lat, 50):.1f}  p95 {pct(lat, 95):.1f}  "
                        f"p99 {pct(lat, 99):.1f}"
                    )
                if res["errors"]:
                    print("   errors:", res["errors"][:5])
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
