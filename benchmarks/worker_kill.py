"""Fault drill: a Celery worker killed (SIGKILL) in the middle of an ingest leaves a retryable job
that a new worker then completes.

1. generates a GeoTIFF (default 0.3 GB) in UTM 47N over the demo area,
2. starts a worker on the `imagery` queue and queues the ingest (`ingest_ortho --queue`),
3. kills the worker's whole process group with SIGKILL once the job is processing,
4. checks the record is left `processing` with a heartbeat that goes stale (not half-written as ready),
5. runs `requeue_stale_imagery` after the stale time, starts a new worker and waits for `ready`.

Local PostgreSQL/Redis and the dev database with the Pang Mu demo; run by hand, bounded in time.
Usage: .venv/bin/python benchmarks/worker_kill.py [--size-gb 0.3] [--stale-seconds 20]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")

import django  # noqa: E402

django.setup()

from ingest_cog import generate  # noqa: E402

from drone_ingest.models import Orthomosaic  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
CELERY = str(ROOT / ".venv" / "bin" / "celery")


def worker(env: dict[str, str], name: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [
            CELERY,
            "-A",
            "gis_portal",
            "worker",
            "-Q",
            "imagery",
            "--concurrency",
            "1",
            "--prefetch-multiplier",
            "1",
            "--hostname",
            f"{name}@%h",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(pk: int, predicate, seconds: float) -> Orthomosaic:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ortho = Orthomosaic.objects.get(pk=pk)
        if predicate(ortho):
            return ortho
        time.sleep(0.5)
    raise TimeoutError(f"record {pk}: condition not reached in {seconds} s (status {ortho.status})")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-gb", type=float, default=0.3)
    parser.add_argument("--stale-seconds", type=int, default=20)
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "worker-kill")
    opts = parser.parse_args()
    opts.workdir.mkdir(parents=True, exist_ok=True)
    source = opts.workdir / "drill.tif"
    generate(source, opts.size_gb)
    env = {**os.environ, "IMAGERY_STALE_AFTER_SECONDS": str(opts.stale_seconds)}

    first = worker(env, "drill1")
    time.sleep(5)
    out = subprocess.run(  # noqa: S603
        [
            PY,
            "manage.py",
            "ingest_ortho",
            str(source),
            "--org",
            "pangmu",
            "--captured",
            "2026-02-01",
            "--title",
            "fault drill",
            "--queue",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pk = int(out.strip().rsplit("id=", 1)[1].split()[0])
    print(f"queued record {pk}")
    started = time.monotonic()
    ortho = wait_for(pk, lambda o: o.status == "processing" and o.progress >= 5, 300)
    print(f"processing at {ortho.progress}% after {time.monotonic() - started:.1f} s: killing the worker")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    killed_at = time.monotonic()
    time.sleep(2)
    ortho = Orthomosaic.objects.get(pk=pk)
    print(f"after the kill: status {ortho.status}, progress {ortho.progress}%, cog {bool(ortho.cog_path)}")
    assert ortho.status == "processing", ortho.status
    time.sleep(opts.stale_seconds + 2)
    requeue = subprocess.run(  # noqa: S603
        [PY, "manage.py", "requeue_stale_imagery"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"requeue: {requeue}")
    second = worker(env, "drill2")
    try:
        ortho = wait_for(pk, lambda o: o.status in ("ready", "failed"), 900)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=60)
    print(
        f"final: status {ortho.status} after {time.monotonic() - killed_at:.1f} s from the kill, "
        f"attempts {ortho.attempts}, error {ortho.error_en or '-'}"
    )
    source.unlink(missing_ok=True)
    return 0 if ortho.status == "ready" else 1


if __name__ == "__main__":
    sys.exit(main())
