"""Load suite on loopback: tiles, the resident page and the API under 50 concurrent connections.

Runs the app under gunicorn on 127.0.0.1 (2 sync workers, DEBUG off:
benchmarks/resident_page_settings.py) against the development database with the Pang Mu demo
(``make seed``), and drives it with ``wrk`` (Debian package ``wrk``; 2 threads, 50 keep-alive
connections, a bounded time per scenario). Each scenario is a Lua script rotating over many URLs:

- ``mvt_parcels``: parcel vector tiles z14–z17, every tile that holds a demo parcel (session cookie
  of a viewer; tiles are cached in Redis after their first render, so this is mostly warm);
- ``ortho_tiles``: JPEG tiles z15–z19 of the ready demo orthomosaic(s) (session cookie);
- ``resident_page``: ``/h/<token>/`` for fresh sticker tokens of demo households (their previous
  dev stickers stop working, as with benchmarks/resident_page_bench.py: the same households);
- ``api_parcels``: ``/api/v1/parcels/?limit=100&offset=…`` over the whole register (API token);
- ``ogc_parcels``: ``/ogc/collections/parcels/items?limit=100&offset=…`` (API token).

Reported per scenario: requests/s, latency p50/p95/p99 (wrk's own histogram, via its Lua ``done``
hook), responses that are not 2xx/3xx, and socket errors; plus the load average before and after,
since the machine may be shared. The viewer user it makes (``load-suite``) is removed at the end.

``--rounds N`` runs the chosen scenarios N times, one after the other in each round, so that on a
shared machine both sides of a comparison see the same load; with both API scenarios it prints the
REST/OGC throughput ratio of each round and their median (the REST target: OGC/REST ≤ 1.2).

Usage: .venv/bin/python benchmarks/load_suite.py [--seconds 20] [--connections 50] [--rounds 1]
       [--only mvt_parcels,api_parcels] [--json out.json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _server import wait_until_serving  # benchmarks/_server.py (the script's own folder)

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
USER = "load-suite"
SCENARIOS = ["mvt_parcels", "ortho_tiles", "resident_page", "api_parcels", "ogc_parcels"]

PREPARE = """
import json, math, secrets
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from rest_framework.authtoken.models import Token
from drone_ingest.models import Orthomosaic
from eservices import services
from gis_portal import roles
from parcels.models import Household, Membership, Organisation, Parcel

def tile(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y

org = Organisation.objects.get(slug="pangmu")
roles.sync_roles()
user, _ = get_user_model().objects.get_or_create(username="%(user)s")
user.set_password(secrets.token_urlsafe(24)); user.is_active = True; user.save()
Membership.objects.get_or_create(user=user, organisation=org, role=Group.objects.get(name=roles.VIEWER))
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "gis_portal.auth.OrganisationRoleBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
token, _ = Token.objects.get_or_create(user=user)
with connection.cursor() as cur:
    cur.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM parcels_parcel"
                " WHERE organisation_id = %%s AND status = 'active') s", [org.pk])
    points = cur.fetchall()
mvt = sorted({(z, *tile(lon, lat, z)) for lon, lat in points for z in (14, 15, 16, 17)})
ortho = []
for o in Orthomosaic.objects.filter(organisation=org, status="ready", kind="ortho"):
    west, south, east, north = o.bounds_4326.extent
    for z in range(15, 20):
        x0, y0 = tile(west, north, z)
        x1, y1 = tile(east, south, z)
        cells = [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        step = max(1, len(cells) // 150)
        ortho += [(o.pk, *c) for c in cells[::step]]
hh = list(Household.objects.filter(organisation=org, status="active", members__birth_date__isnull=False)
          .exclude(members__national_id="").distinct().order_by("id")[:%(households)d])
tokens = services.tokens_issue(households=hh)
count = Parcel.objects.filter(organisation=org).count()
print("JSON" + json.dumps({"session": session.session_key, "token": token.key, "mvt": mvt, "ortho": ortho,
                           "resident": list(tokens.values()), "parcels": count}))
"""
CLEANUP = """
from django.contrib.auth import get_user_model
user = get_user_model().objects.filter(username="%(user)s").first()
if user is not None:
    try:
        user.delete()
    except Exception:  # a table of an unapplied migration: keep the user, without access
        user.memberships.all().delete()
        user.is_active = False
        user.save(update_fields=["is_active"])
"""

# wrk's Lua: rotate over the paths (each wrk thread starts at another place), report percentiles.
LUA = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local counter = 0
local threads = {}
function setup(thread)
  thread:set("offset", counter * 7919)
  table.insert(threads, thread)
  counter = counter + 1
end
cpu_sum = 0
cpu_n = 0
%(response)s
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[((i + (offset or 0)) %% #paths) + 1], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  local cpu, n = 0, 0
  for _, t in ipairs(threads) do
    cpu = cpu + (t:get("cpu_sum") or 0)
    n = n + (t:get("cpu_n") or 0)
  end
  io.write(string.format('CPU {"cpu_ms_sum": %%.3f, "cpu_n": %%d}\\n', cpu, n))
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "bytes": %%d, "p50_us": %%d, "p95_us": %%d, '
    .. '"p99_us": %%d, "max_us": %%d, "mean_us": %%.1f, "non_2xx_3xx": %%d, "connect": %%d, '
    .. '"read": %%d, "write": %%d, "timeout": %%d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max, latency.mean, e.status,
    e.connect, e.read, e.write, e.timeout))
end
"""
# The server's own CPU time per request (Server-Timing of benchmarks/resident_page_settings.py), read
# by wrk for the API scenarios: on a shared machine it shows a request's own work, throughput does not.
LUA_CPU = """
response = function(status, headers, body)
  local timing = headers["Server-Timing"]
  local cpu = timing and timing:match("cpu;dur=([%d%.]+)")
  if cpu then
    cpu_sum = cpu_sum + tonumber(cpu)
    cpu_n = cpu_n + 1
  end
end
"""
CPU_SCENARIOS = {"api_parcels", "ogc_parcels"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(static_root: Path) -> dict[str, str]:
    """Production-like settings; the same SECRET_KEY for the server and for making the session."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "load-suite-" + secrets.token_hex(16),
        "STATIC_ROOT": str(static_root),
        "DJANGO_SETTINGS_MODULE": "benchmarks.resident_page_settings",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback; TLS ends at the proxy in production
        "SECURE_COOKIES": "0",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(  # noqa: S603
        [
            GUNICORN,
            "gis_portal.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "error",
            "--keep-alive",
            "5",
            "--backlog",
            "256",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
    )
    if wait_until_serving(port):
        return proc
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(
    port: int, paths: list[str], headers: dict[str, str], seconds: int, connections: int, cpu: bool = False
) -> dict:
    script = LUA % {
        "response": LUA_CPU if cpu else "",
        "paths": ",\n".join(lua_string(p) for p in paths),
        "headers": ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
        lua = fh.name
    try:
        out = subprocess.run(  # noqa: S603
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                lua,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(lua)
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    timing = json.loads(next(x for x in out.splitlines() if x.startswith("CPU "))[len("CPU ") :])
    result["cpu_ms_mean"] = timing["cpu_ms_sum"] / timing["cpu_n"] if timing["cpu_n"] else None
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def check_first(port: int, path: str, headers: dict[str, str]) -> int:
    """Status of one request, so that a scenario measuring 401s or 404s is not mistaken for one that works."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--households", type=int, default=200)
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--rounds", type=int, default=1, help="run the chosen scenarios this many times")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)")
        return 2
    chosen = [s for s in args.only.split(",") if s]
    static_root = Path(tempfile.mkdtemp(prefix="load-suite-static-"))
    env = server_env(static_root)
    prepared = manage(env, "shell", "-c", PREPARE % {"user": USER, "households": args.households})
    if prepared.returncode != 0:
        print(prepared.stderr[-2000:])
        return 1
    data = json.loads(next(x for x in prepared.stdout.splitlines() if x.startswith("JSON"))[4:])
    cookie = {"Cookie": f"sessionid={data['session']}"}
    token = {"Authorization": f"Token {data['token']}"}
    offsets = range(0, data["parcels"], 100)
    scenarios = {
        "mvt_parcels": ([f"/tiles/parcels/{z}/{x}/{y}.mvt" for z, x, y in data["mvt"]], cookie),
        "ortho_tiles": ([f"/tiles/ortho/{pk}/{z}/{x}/{y}.jpg" for pk, z, x, y in data["ortho"]], cookie),
        "resident_page": ([f"/h/{t}/" for t in data["resident"]], {}),
        "api_parcels": ([f"/api/v1/parcels/?limit=100&offset={o}" for o in offsets], token),
        "ogc_parcels": ([f"/ogc/collections/parcels/items?limit=100&offset={o}" for o in offsets], token),
    }
    port = free_port()
    server = start_server(port, env)
    rounds: list[dict[str, dict]] = []
    load_before = os.getloadavg()
    try:
        for round_no in range(1, args.rounds + 1):
            if args.rounds > 1:
                print(f"round {round_no} of {args.rounds}", flush=True)
            # Every other round in the opposite order: neither scenario always runs first.
            order = chosen if round_no % 2 else chosen[::-1]
            rounds.append(run_round(port, order, scenarios, args))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
        manage(env, "shell", "-c", CLEANUP % {"user": USER})
    results = (
        rounds[-1]
        if len(rounds) == 1
        else {
            name: {**rounds[-1][name], "rounds": [r[name] for r in rounds]}
            for name in (rounds[-1] if rounds else {})
        }
    )
    pairs = [(r["api_parcels"], r["ogc_parcels"]) for r in rounds if {*API_PAIR} <= r.keys()]
    ratios = [ogc["rps"] / api["rps"] for api, ogc in pairs]
    if ratios:
        median = statistics.median(ratios)
        total = sum(ogc["requests"] for _a, ogc in pairs) / sum(api["requests"] for api, _o in pairs)
        print(
            "OGC/REST throughput per round: "
            + ", ".join(f"{x:.2f}" for x in ratios)
            + f"; median {median:.2f}, all rounds {total:.2f} (target ≤ 1.20)"
        )
        cpu = [
            (api["cpu_ms_mean"], ogc["cpu_ms_mean"])
            for api, ogc in pairs
            if api["cpu_ms_mean"] and ogc["cpu_ms_mean"]
        ]
        if cpu:
            api_cpu = sum(a for a, _o in cpu) / len(cpu)
            ogc_cpu = sum(o for _a, o in cpu) / len(cpu)
            print(
                f"server CPU per request: REST {api_cpu:.1f} ms, OGC {ogc_cpu:.1f} ms "
                f"(REST/OGC {api_cpu / ogc_cpu:.2f})"
            )
    summary = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "seconds": args.seconds,
        "connections": args.connections,
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "results": results,
        "ogc_to_rest_ratios": ratios,
    }
    print(f"load average before {load_before}, after {summary['load_after']}")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    bad = sorted(
        {n for r in rounds for n, x in r.items() if x["first_status"] >= 300}
    )  # a redirect: the login
    if bad:
        print(f"scenarios whose first request failed: {bad}")
    return 1 if bad else 0


API_PAIR = ("api_parcels", "ogc_parcels")


def run_round(port: int, chosen: list[str], scenarios: dict, args: argparse.Namespace) -> dict[str, dict]:
    results: dict[str, dict] = {}
    for name in chosen:
        paths, headers = scenarios[name]
        if not paths:
            print(f"{name:<14} skipped: nothing to request (no ready orthomosaic?)")
            continue
        status = check_first(port, paths[0], headers)
        loadavg = os.getloadavg()[0]
        result = run_wrk(port, paths, headers, args.seconds, args.connections, cpu=name in CPU_SCENARIOS)
        result |= {"urls": len(paths), "first_status": status, "load1_before": loadavg}
        results[name] = result
        print(
            f"{name:<14} {len(paths):>5} URLs  first {status}  {result['rps']:8.1f} req/s  "
            f"p50 {result['p50_us'] / 1000:7.1f} ms  p95 {result['p95_us'] / 1000:7.1f} ms  "
            f"p99 {result['p99_us'] / 1000:7.1f} ms  non-2xx/3xx {result['non_2xx_3xx']}  "
            f"socket errors {result['connect'] + result['read'] + result['write'] + result['timeout']}"
            + (f"  server CPU {result['cpu_ms_mean']:.1f} ms/request" if result["cpu_ms_mean"] else "")
            + f"  (load {loadavg:.2f})",
            flush=True,
        )
    return results


if __name__ == "__main__":
    sys.exit(main())
