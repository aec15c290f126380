#!/usr/bin/env python
"""Run the whole demo pipeline: the web server, a Celery worker and Celery beat; Ctrl-C stops all three.

    .venv/bin/python scripts/demo_run.py [--host 127.0.0.1] [--port 8000]

``make demo`` calls this after migrating and seeding. Each process runs in its own process group with
the same environment (DATABASE_URL, REDIS_URL, MEDIA_ROOT...), so an upload made in the browser is
processed by the worker with no other command. Ctrl-C (SIGINT) or SIGTERM stops every process: a
polite SIGTERM first, SIGKILL for whatever is still running after ``--grace`` seconds. When one of
them exits on its own (e.g. Redis is down and the worker gives up) the others are stopped too and the
exit status says which one failed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None


def commands(python: str, host: str, port: int, var: Path) -> list[Child]:
    celery = [python, "-m", "celery", "-A", "gis_portal"]
    return [
        # --noreload: the supervisor owns the processes; the autoreloader would fork one it cannot see.
        Child("web", [python, str(BASE / "manage.py"), "runserver", f"{host}:{port}", "--noreload"]),
        # One worker for both queues; imagery jobs need one slot each (they use the memory of a window).
        Child(
            "worker",
            [*celery, "worker", "-Q", "celery,imagery", "-c", "1", "-n", "demo@%h", "--loglevel=INFO"],
        ),
        Child(
            "beat",
            [*celery, "beat", "--loglevel=INFO", "--schedule", str(var / "celerybeat-schedule")],
        ),
    ]


def _signal_group(child: Child, sig: int) -> None:
    if child.process is None or child.process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.process.pid, sig)


def stop_all(children: list[Child], grace: float) -> None:
    for child in children:
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        if child.process is None:
            continue
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"[demo] {child.name} did not stop in {grace:.0f} s: killed", flush=True)
            _signal_group(child, signal.SIGKILL)
            child.process.wait()


def run(children: list[Child], grace: float) -> int:
    stopping = {"signal": 0}

    def on_signal(signum: int, _frame: object) -> None:
        stopping["signal"] = signum

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    for child in children:
        # Own session: the terminal's Ctrl-C reaches only this supervisor, which stops the children in
        # order and waits for them, instead of every process racing to exit on its own.
        child.process = subprocess.Popen(child.argv, cwd=BASE, start_new_session=True)  # noqa: S603
        print(f"[demo] started {child.name} (pid {child.process.pid})", flush=True)
    status = 0
    while not stopping["signal"]:
        ended = [c for c in children if c.process is not None and c.process.poll() is not None]
        if ended:
            for c in ended:
                code = c.process.returncode
                print(f"[demo] {c.name} exited with status {code}: stopping the rest", flush=True)
            status = 1
            break
        time.sleep(0.5)
    if stopping["signal"]:
        print(f"[demo] {signal.Signals(stopping['signal']).name}: stopping web, worker and beat", flush=True)
    stop_all(children, grace)
    print("[demo] stopped", flush=True)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the web server, a Celery worker and beat together.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--grace", type=float, default=15.0, help="seconds to wait before SIGKILL")
    args = parser.parse_args(argv)
    var = BASE / "var"
    var.mkdir(exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")
    print(f"[demo] serving on http://{args.host}:{args.port}/ with a worker and beat (Ctrl-C stops all)")
    return run(commands(sys.executable, args.host, args.port, var), args.grace)


if __name__ == "__main__":
    sys.exit(main())
